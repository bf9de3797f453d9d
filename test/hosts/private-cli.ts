import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** A CLI built from the source into a temp folder of its own (`work/cli`), never into the shared out/. */
export interface PrivateCli {
  work: string
  /** The built CLI's folder: its `index.js` is what `npm install` users run. */
  cli: string
  remove(): void
}

/**
 * Builds the CLI bundle (scripts/build-node.mjs --cli-only) into a new temp folder named `prefix…`. The bundle
 * keeps its libraries external, as an installed package does: they resolve from the checkout's node_modules
 * through a link beside it.
 */
export function buildPrivateCli(prefix: string, timeoutMs: number): PrivateCli {
  const work = mkdtempSync(join(tmpdir(), prefix))
  const cli = join(work, 'cli')
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  execFileSync(process.execPath, ['scripts/build-node.mjs', '--cli-only', cli], {
    cwd: root,
    stdio: 'ignore',
    timeout: timeoutMs,
  })
  return { work, cli, remove: () => rmSync(work, { recursive: true, force: true }) }
}
