/**
 * How V8 compiles the process's WebAssembly: undici's HTTP parser (llhttp) and the script sandbox (QuickJS).
 *
 * By default V8 starts a function in its baseline compiler (Liftoff) and recompiles the hot ones with its
 * optimising compiler (TurboFan) in a background thread. For llhttp that is one function, its parser loop:
 * TurboFan took 150-450 ms of CPU and up to 40 MB of compiler memory for it, and a process that is done waits
 * for that compile before it exits (a one-request `flightdeck run` sat 80-700 ms after its report). Liftoff's
 * parser is slower per response but that is small beside the compile, even for a long run: ~0.8 µs against
 * ~0.3 µs optimised for the runner bench's response, so ~10 ms over 20,000 (1.6% of that run's CPU profile).
 * A 20,000-request run allowed to tier up ran at the same rate with ~180 ms more CPU (the compile), so a long
 * run stays in Liftoff too.
 * QuickJS (the script sandbox, in a pool worker) is better off there too: its prelude is evaluated in 40 ms, not
 * 110, and a run of 1,000 light test scripts (a pm.test and a pm.environment.set) took ~460 ms of CPU in Liftoff
 * against ~770 with tier-up (the compiles cost more than they saved); a script heavy on CPU (200 HMACs a phase)
 * came out even after ~1.4 s of script time, and only runs far longer than that run ~25% faster optimised.
 *
 * V8's flags are the process's (every worker thread's too), and a module compiled while `--liftoff-only` is set
 * stays in Liftoff. So the CLI sets it for `send` and `run` before the engine compiles anything; the app, a
 * long-lived process, tiers up as by default.
 */

/** Liftoff only for this process: a CLI command (`flightdeck send`, `flightdeck run` and its scripts). */
export function liftoffOnly(): void {
  // node:v8 is loaded here rather than on import: the CLI's entry imports this module, and `flightdeck --help`
  // needs none of node:v8 (~2 ms of its start).
  // V8 checks a code cache against its flags; src/cli/command-loader.ts names its caches by their hash.
  process.getBuiltinModule('node:v8').setFlagsFromString('--liftoff-only')
}
