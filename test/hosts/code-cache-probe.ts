/**
 * Watching what V8 does with the built CLI's code cache (src/cli/command-loader.ts) from inside the process:
 * a script that wraps vm.Script so each compile of a file says on stderr whether it was given no cache, took
 * it or refused it, then runs `flightdeck send <url>` with the CLI at `cliIndex`.
 */

/** How a probed start ended, what it printed (the probe's lines left out) and what V8 did with the cache. */
export interface CacheProbeRun {
  code: number | null
  out: string
  /** What V8 did with the cache it was given for the command's file: none, taken or refused. */
  cache: string[]
}

/** The probe script; `before` is code run first in the same process (it knows its pid). */
export function cacheProbeScript(cliIndex: string, url: string, before = ''): string {
  return `
import vm from 'node:vm'
import { syncBuiltinESMExports } from 'node:module'
import { symlinkSync } from 'node:fs'
const VmScript = vm.Script
vm.Script = class extends VmScript {
  constructor(code, options) {
    super(code, options)
    if (options?.filename) process.stderr.write('[cache] ' + (options.cachedData === undefined ? 'none' : this.cachedDataRejected ? 'refused' : 'taken') + '\\n')
  }
}
syncBuiltinESMExports()
${before}
const m = await import(${JSON.stringify(cliIndex)})
process.exitCode = await m.runCli(['send', ${JSON.stringify(url)}])
`
}

/** Splits a probed run's stderr into the probe's lines and the rest (which joins stdout). */
export function cacheProbeRun(run: { code: number | null; out: string; err: string }): CacheProbeRun {
  return {
    code: run.code,
    out: run.out + run.err.replace(/^\[cache\] .*\n/gm, ''),
    cache: [...run.err.matchAll(/^\[cache\] (\w+)$/gm)].map((m) => m[1] as string),
  }
}
