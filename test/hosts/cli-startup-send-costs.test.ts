import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs, HANG_GUARD_MS } from '../setup/hang-guard'
import { counted, root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()
/** A start that has not ended by then is killed: a hang guard, not a speed bound. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

/**
 * Two fixed costs a plain `flightdeck send` no longer pays, seen in the process of the built CLI as
 * bin/flightdeck.js starts it (its CommonJS entry), with the code cache a second start takes:
 * - the temp sweep reads the temp root only when it holds a folder (src/engine/temp-files.ts): an empty root
 *   loads no directory reader (Node's internal/fs/dir, ~13M instructions with the read);
 * - the young generation grows fourfold (src/cli/send-gc.ts): three scavenges, not four (~6M instructions).
 * Needs `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

describe('a plain send', () => {
  const { dir, url } = startupFixture()

  it('reads no empty temp root and scavenges three times at most', async () => {
    const tmp = join(dir, 'tmp')
    mkdirSync(join(tmp, `flightdeck-${process.getuid?.() ?? 'user'}`), { recursive: true })
    const env = { TMPDIR: tmp, FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache') }
    const listing = `process.on('exit', () => process.stderr.write('[modules] ' + JSON.stringify(process.moduleLoadList) + '\\n')); require(process.argv[1]).main(process.argv.slice(2))`
    const args = ['--trace-gc', '-e', listing, entry.replace(/\.js$/, '.cjs'), 'send', url()]
    // The first start makes the code cache (and compiles, which allocates more); the second is every later one.
    const first = await runNode(args, env)
    expect(first.stdout).toContain('HTTP/1.1 200 OK')
    const send = await runNode(args, env)
    expect(send.stdout).toContain('HTTP/1.1 200 OK')
    const modules = (counted(send.stderr, 'modules') ?? []) as string[]
    expect(modules).toContain('NativeModule net')
    expect(modules.filter((m) => m.includes('fs/dir'))).toEqual([])
    // --trace-gc writes a line a collection to stdout; at V8's default growth a send scavenged four times.
    const scavenges = send.stdout.split('\n').filter((l) => /\bScavenge\b/.test(l))
    expect(scavenges.length, scavenges.join('\n')).toBeGreaterThan(0)
    expect(scavenges.length, scavenges.join('\n')).toBeLessThanOrEqual(3)
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
