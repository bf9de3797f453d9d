import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
/** FLIGHTDECK_TEST_CLI: another build of src/cli/index.ts (a private build, while others rebuild out/). */
const builtEntry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

/** A copy of the built CLI in a temp folder of its own (`work/cli`), never the shared out/. */
export interface PrivateCli {
  work: string
  /** The copied CLI's folder: its `index.js` is what `npm install` users run. */
  cli: string
  remove(): void
}

/**
 * Copies the built CLI (out/cli, which npm test builds before the unit tests, or FLIGHTDECK_TEST_CLI's folder)
 * into a new temp folder named `prefix…`, so a test may write beside it (its code caches) or edit it. The bundle
 * keeps its libraries external, as an installed package does: they resolve from the checkout's node_modules
 * through a link beside it. A copy, not a build of its own: building the CLI again cost each file ~10 s.
 */
export function copyBuiltCli(prefix: string): PrivateCli {
  if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: run npm run build first`)
  const work = mkdtempSync(join(tmpdir(), prefix))
  const cli = join(work, 'cli')
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  cpSync(dirname(builtEntry), cli, { recursive: true })
  return { work, cli, remove: () => rmSync(work, { recursive: true, force: true }) }
}
