import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'
import { builtCli, builtMain, oneRequestCollection, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * The built CLI's code cache (src/cli/command-loader.ts): a command's file is compiled once and later starts
 * give V8 the cache it made; a damaged cache or a folder that cannot be written costs the cache, never the
 * command. Needs `npm run build` first.
 */

describe("the built CLI's code cache", () => {
  const { dir, url } = startupFixture()

  it("send and a one-request run compile their code once: later starts take V8's code cache", async () => {
    const cacheDir = join(dir, 'fresh-code-cache')
    const env = { FLIGHTDECK_CODE_CACHE_DIR: cacheDir }
    const collection = oneRequestCollection(dir, 'cached-run', url())
    const commands = [
      { args: ['send', url()], done: 'HTTP/1.1 200 OK', file: /send-command-\w+\.cjs$/ },
      { args: ['run', collection], done: '1 passed', file: /run-command-\w+\.cjs$/ },
    ]
    for (const { args, done, file } of commands) {
      const first = await builtCli(dir, args, {}, env)
      expect(first.code).toBe(0)
      expect(first.stdout + first.stderr).toContain(done)
      expect(first.compiled).toEqual([{ file: expect.stringMatching(file), cache: 'none' }])
      const second = await builtCli(dir, args, {}, env)
      expect(second.code).toBe(0)
      expect(second.stdout + second.stderr).toContain(done)
      expect(second.compiled).toEqual([{ file: expect.stringMatching(file), cache: 'taken' }])
    }
    // One cache per command, in the folder given.
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.cache'))).toHaveLength(2)

    // A run whose first start runs scripts makes its cache too (CI runs of a scripted collection are the same
    // run each time).
    const scripted = oneRequestCollection(
      dir,
      'cached-scripted-run',
      url(),
      "pm.test('ok', function () { if (pm.response.code !== 200) throw new Error('no') })",
    )
    const scriptedEnv = { FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'scripted-code-cache') }
    for (const cache of ['none', 'taken']) {
      const r = await builtMain(dir, ['run', scripted], { env: scriptedEnv })
      expect(r.code).toBe(0)
      expect(r.out).toContain('1 passed')
      expect(r.compiled).toEqual([{ file: expect.stringMatching(/run-command/), cache }])
    }

    // A damaged cache is refused by V8 (its header and checksum do not match) and made again; the command runs
    // the same.
    for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), 'not a code cache')
    const damaged = await builtCli(dir, ['send', url()], {}, env)
    expect(damaged.stderr).toBe('')
    expect(damaged.code).toBe(0)
    expect(damaged.stdout).toContain('HTTP/1.1 200 OK')
    expect(damaged.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'refused' }])
    const again = await builtCli(dir, ['send', url()], {}, env)
    expect(again.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'taken' }])
  })

  it('run --help and refused arguments make no code cache: the first run that starts makes it', async () => {
    // A cache holds the functions compiled before it was made, and later starts take it as it is: one made by
    // `run --help` lacked most of a run's and cost every later one-request run a fifth more instructions.
    const cacheDir = join(dir, 'help-first-code-cache')
    const env = { FLIGHTDECK_CODE_CACHE_DIR: cacheDir }
    const caches = (): string[] => {
      try {
        return readdirSync(cacheDir).filter((f) => f.endsWith('.cache'))
      } catch {
        return []
      }
    }
    const help = await builtCli(dir, ['run', '--help'], {}, env)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('flightdeck run')
    const refused = await builtCli(dir, ['run', join(dir, 'no-such-collection')], {}, env)
    expect(refused.code).toBe(2)
    expect(caches()).toEqual([])
    const collection = oneRequestCollection(dir, 'help-first-run', url())
    for (const cache of ['none', 'taken']) {
      const r = await builtCli(dir, ['run', collection], {}, env)
      expect(r.code).toBe(0)
      expect(r.stdout + r.stderr).toContain('1 passed')
      expect(r.compiled).toEqual([{ file: expect.stringMatching(/run-command-\w+\.cjs$/), cache }])
    }
    expect(caches()).toHaveLength(1)
  })

  it('a code cache folder that cannot be written costs the cache, not the command', async () => {
    const notAFolder = join(dir, 'not-a-folder')
    writeFileSync(notAFolder, '')
    for (let i = 0; i < 2; i++) {
      const r = await builtCli(dir, ['send', url()], {}, { FLIGHTDECK_CODE_CACHE_DIR: notAFolder })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('HTTP/1.1 200 OK')
      expect(r.compiled).toEqual([{ file: expect.stringMatching(/send-command/), cache: 'none' }])
    }
  })
})
