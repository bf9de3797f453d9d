import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The arguments for `process.execPath` that start a TypeScript child script: this run's build of it
 * (test/setup/child-scripts.ts) when there is one, else the source through tsx (a file run outside the projects
 * that build them).
 */
export function childScriptArgs(script: string): string[] {
  const built = process.env['FLIGHTDECK_TEST_CHILDREN']
  const file = built ? join(built, relative(root, script).replace(/\.ts$/, '.mjs')) : ''
  return built && existsSync(file) ? [file] : ['--import', 'tsx', script]
}
