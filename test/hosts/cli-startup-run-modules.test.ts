import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs, HANG_GUARD_MS } from '../setup/hang-guard'
import { counted, oneRequestCollection, root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()
/** A start that has not ended by then is killed: a hang guard, not a speed bound. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

/**
 * What a one-request `flightdeck run` loads of Node's own modules: node:fs/promises (with the readline and
 * file-watcher modules it loads) cost every run ~18M instructions, 5 % of it, on a Node that compiles its own
 * modules; opening the collection and starting the run use node:fs's callbacks (collections/callback-fs.ts).
 * Needs `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

describe('a one-request run', () => {
  const { dir, url } = startupFixture()

  it('loads no node:fs/promises (nor the readline and file-watcher modules it loads), and passes', async () => {
    const collection = oneRequestCollection(dir, 'one-request', url())
    // As bin/flightdeck.js starts it (its CommonJS entry): an ES module entry has Node's ES module loader, which
    // loads node:fs/promises itself.
    const listing = `process.on('exit', () => process.stderr.write('[modules] ' + JSON.stringify(process.moduleLoadList) + '\\n')); require(process.argv[1]).main(process.argv.slice(2))`
    const child = await runNode(['-e', listing, entry.replace(/\.js$/, '.cjs'), 'run', collection], {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
    })
    expect(child.stdout).toContain('1 passed, 0 failed')
    const modules = (counted(child.stderr, 'modules') ?? []) as string[]
    expect(modules).toContain('NativeModule net')
    expect(modules.filter((m) => /fs\/promises|readline|fs\/watchers/.test(m))).toEqual([])
  })
})

/** `node args…` with env added, killed after KILL_AFTER_MS (a hang guard); its output either way. */
function runNode(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, ...env }, timeout: KILL_AFTER_MS, maxBuffer: 4 * 1024 * 1024 },
      (_error, stdout, stderr) => done({ stdout, stderr }),
    )
  })
}
