import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HANG_GUARD_MS, guardOnlyAgainstHangs } from '../setup/hang-guard'
import { builtCli, oneRequestCollection, root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * How many files and which of Node's modules a start of the built CLI pays for before its command's own code:
 * each ES module file is resolved, read, compiled and linked at every start (~1.5M instructions each, the
 * entry's six small chunks ~9M of `--help`'s ~160M), and node:module with its source-map code ~3M under an ES
 * module entry. Counted, not timed. Needs `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')
/** A start that has not ended by then is killed: a hang guard (test/setup/hang-guard.ts), not a speed bound. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

/** The CLI's `main` as bin/flightdeck.js runs it, with every Node module the process loaded listed at exit. */
function nodeModulesOf(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; modules: string[] }> {
  const mark = '[node-modules] '
  const script =
    `process.on('exit', () => process.getBuiltinModule('node:fs').writeSync(2, '\\n${mark}' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n')); ` +
    'const cli = await import(process.argv[1]); await cli.main(process.argv.slice(2))'
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      const line = err.split('\n').find((l) => l.startsWith(mark))
      resolve({
        code,
        out: out + err,
        modules: line ? (JSON.parse(line.slice(mark.length)) as string[]) : [],
      })
    })
  })
}

describe('what a start of the built CLI loads before its command', () => {
  const { dir, url } = startupFixture()
  const env = (): Record<string, string> => ({
    FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
    FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
  })
  const ourEsModules = (files: string[]): string[] =>
    files
      .filter((f) => f.startsWith(dirname(entry)) && f.endsWith('.js'))
      .map((f) => f.slice(dirname(entry).length + 1))

  it('--help, send and a one-request run each load one ES module file of the CLI: its entry', async () => {
    const help = await builtCli(dir, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: flightdeck send')
    expect(ourEsModules(help.files)).toEqual(['index.js'])

    const send = await builtCli(dir, ['send', url()])
    expect(send.code).toBe(0)
    expect(send.stdout).toContain('HTTP/1.1 200 OK')
    expect(ourEsModules(send.files)).toEqual(['index.js'])

    const collection = oneRequestCollection(dir, 'one-request-files', url())
    const run = await builtCli(dir, ['run', collection])
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).toContain('1 passed')
    expect(ourEsModules(run.files)).toEqual(['index.js'])
  })

  it('a command that is not cached still finds its chunk from the one-file entry', async () => {
    const r = await builtCli(dir, ['sse', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('flightdeck sse')
    expect(ourEsModules(r.files).filter((f) => f.startsWith('chunks/stream-command-'))).toHaveLength(1)
  })

  it(
    '--help, send and a one-request run do not load node:module (a require is made only for a package)',
    async () => {
      const sourceMaps = ['module', 'internal/source_map/source_map']
      const help = await nodeModulesOf(['--help'], env())
      expect(help.code).toBe(0)
      expect(help.out).toContain('usage: flightdeck send')
      expect(help.modules).toContain('fs')
      expect(help.modules.filter((m) => sourceMaps.includes(m))).toEqual([])

      // Twice: the first start of a build makes the code cache, the second is every later one.
      for (let i = 0; i < 2; i++) {
        const send = await nodeModulesOf(['send', url()], env())
        expect(send.code).toBe(0)
        expect(send.out).toContain('HTTP/1.1 200 OK')
        expect(send.modules).toContain('net')
        expect(send.modules.filter((m) => sourceMaps.includes(m))).toEqual([])
      }

      const collection = oneRequestCollection(dir, 'one-request-modules', url())
      for (let i = 0; i < 2; i++) {
        const run = await nodeModulesOf(['run', collection], env())
        expect(run.code).toBe(0)
        expect(run.out).toContain('1 passed')
        expect(run.modules.filter((m) => sourceMaps.includes(m))).toEqual([])
      }
    },
    5 * KILL_AFTER_MS,
  )
})
