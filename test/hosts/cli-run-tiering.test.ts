import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'
import { builtMain, oneRequestCollection, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * A built `flightdeck run` lowers V8's interrupt budget while its requests run, so their code reaches the
 * optimising compiler sooner, and sets it back before it makes its code cache (src/cli/run-tiering.ts): the next
 * start's flags must match the cache's. Every V8 flag the process sets is logged by wrapping node:v8's
 * setFlagsFromString. Needs `npm run build` first.
 */

const LOG_FLAGS =
  "const v8 = process.getBuiltinModule('node:v8'); const set = v8.setFlagsFromString; " +
  "v8.setFlagsFromString = (flags) => { process.getBuiltinModule('node:fs').writeSync(2, '[v8-flags] ' + flags + '\\n'); set(flags) }"
const WITH_FLAGS_LOGGED = { nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(LOG_FLAGS)}`] }

const flagsSet = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('[v8-flags] '))
    .map((l) => l.slice(11))

describe("a run's interrupt budget", () => {
  const { dir, url } = startupFixture()

  it('is a quarter while the requests run, the default again before the code cache is made', async () => {
    const collection = oneRequestCollection(dir, 'tiering-run', url())
    const first = await builtMain(dir, ['run', collection, '--iterations', '20'], WITH_FLAGS_LOGGED)
    expect(first.code).toBe(0)
    expect(first.out).toContain('20 passed')
    const budgets = flagsSet(first.out).filter((f) => f.startsWith('--interrupt-budget'))
    expect(budgets).toEqual(['--interrupt-budget=16896', '--interrupt-budget=67584'])
    // Set after the process's own flags, once the run has started.
    expect(flagsSet(first.out).indexOf('--interrupt-budget=16896')).toBeGreaterThan(
      flagsSet(first.out).indexOf('--no-incremental-marking'),
    )

    // The cache made after the run is the one the next start's flags take.
    const second = await builtMain(dir, ['run', collection, '--iterations', '20'], WITH_FLAGS_LOGGED)
    expect(second.code).toBe(0)
    expect(second.compiled).toEqual([
      { file: expect.stringMatching(/run-command-\w+\.cjs$/), cache: 'taken' },
    ])
  })

  it('stays as it is for help (no run started) and for a budget given on the command line', async () => {
    const help = await builtMain(dir, ['run', '--help'], WITH_FLAGS_LOGGED)
    expect(help.code).toBe(0)
    expect(flagsSet(help.out).filter((f) => f.startsWith('--interrupt-budget'))).toEqual([])

    const collection = oneRequestCollection(dir, 'given-budget-run', url())
    const given = await builtMain(dir, ['run', collection], {
      nodeArgs: ['--interrupt-budget=100000', ...WITH_FLAGS_LOGGED.nodeArgs],
    })
    expect(given.code).toBe(0)
    expect(given.out).toContain('1 passed')
    expect(flagsSet(given.out).filter((f) => f.startsWith('--interrupt-budget'))).toEqual([])
  })
})
