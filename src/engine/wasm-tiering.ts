import { setFlagsFromString } from 'node:v8'

/**
 * How V8 compiles the process's WebAssembly: undici's HTTP parser (llhttp) and the script sandbox (QuickJS).
 *
 * By default V8 starts a function in its baseline compiler (Liftoff) and recompiles the hot ones with its
 * optimising compiler (TurboFan) in a background thread. For llhttp that is one function, its parser loop:
 * TurboFan took 150-450 ms of CPU and up to 40 MB of compiler memory for it, and a process that is done waits
 * for that compile before it exits (a one-request `flightdeck run` sat 80-700 ms after its report). The
 * parser in Liftoff code parses as fast for what a CLI run sends (CPU measured alike on 20,000 requests).
 * QuickJS is the opposite: an interpreter whose scripts run far slower without TurboFan.
 *
 * V8's flags are the process's (every worker thread's too), and a module compiled while `--liftoff-only` is
 * set stays in Liftoff. So the CLI sets it before the engine compiles llhttp, and the first script put it back
 * before QuickJS is compiled (in a pool worker), from which point everything may tier up as by default.
 */

let untilScripts = false

/** Liftoff only for this process: a command that sends requests and runs no scripts (`flightdeck send`). */
export function liftoffOnly(): void {
  setFlagsFromString('--liftoff-only')
}

/** Liftoff only until the first script needs the sandbox (`flightdeck run`). */
export function liftoffUntilScripts(): void {
  setFlagsFromString('--liftoff-only')
  untilScripts = true
}

/** Called before a script runs: gives V8 its optimising compiler back if liftoffUntilScripts took it. */
export function tierUpForScripts(): void {
  if (!untilScripts) return
  untilScripts = false
  // --liftoff-only switched both tier-up flags off when it was set; clearing it does not switch them on.
  setFlagsFromString('--no-liftoff-only')
  setFlagsFromString('--wasm-tier-up')
  setFlagsFromString('--wasm-dynamic-tiering')
}
