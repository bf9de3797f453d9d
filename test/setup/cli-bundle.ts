import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * globalSetup of vitest.config.ts's `cli-process` project: the CLI bundle every start of the command in this run
 * uses, named by FLIGHTDECK_TEST_CLI (its index.js), which the workers and the processes they start inherit.
 * test/helpers/flightdeck-built.mjs starts it as bin/flightdeck.js does; the built-CLI probes read it too.
 *
 * - FLIGHTDECK_TEST_CLI already set (a private build of one's own): kept.
 * - out/cli built after every input it is built from (CI: `npm test` builds before the unit tests): out/cli.
 * - else (a checkout whose source changed since out/ was built): the CLI is built once, into a temp folder, for
 *   this run. Without it each start ran the TypeScript source through tsx, ~3 s of CPU a start.
 *
 * Building never writes out/: others may be testing against it.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

function newestUnder(dir: string, depth = 0): number {
  let newest = 0
  if (depth > 12) return newest
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const t = entry.isDirectory() ? newestUnder(path, depth + 1) : mtime(path)
    if (t > newest) newest = t
  }
  return newest
}

/** bin/flightdeck.js's test, and the build script's helpers: out/cli was built after all it was built from. */
export function builtCliIsFresh(): boolean {
  const built = mtime(join(root, 'out/cli/index.js'))
  if (built === 0) return false
  const inputs = [
    'package.json',
    'package-lock.json',
    'scripts/build-node.mjs',
    'scripts/sandbox-bundle.mjs',
    'scripts/cli-bundle-rewrites.mjs',
    'scripts/cli-split-command.mjs',
  ]
  return Math.max(newestUnder(join(root, 'src')), ...inputs.map((f) => mtime(join(root, f)))) <= built
}

export default function setup(): (() => void) | undefined {
  if (process.env['FLIGHTDECK_TEST_CLI']) return undefined
  if (builtCliIsFresh()) {
    process.env['FLIGHTDECK_TEST_CLI'] = join(root, 'out/cli/index.js')
    return undefined
  }
  const work = mkdtempSync(join(tmpdir(), 'flightdeck-test-cli-'))
  // The bundle keeps most libraries external, as an installed package does: they resolve through this link.
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  const cli = join(work, 'cli')
  process.stdout.write(`cli-process: out/cli is older than the source; building the CLI once into ${cli}\n`)
  execFileSync(process.execPath, [join(root, 'scripts/build-node.mjs'), '--cli-only', cli], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  process.env['FLIGHTDECK_TEST_CLI'] = join(cli, 'index.js')
  return () => {
    delete process.env['FLIGHTDECK_TEST_CLI']
    rmSync(work, { recursive: true, force: true })
  }
}
