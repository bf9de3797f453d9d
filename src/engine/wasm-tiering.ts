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

/**
 * The process's tiering, kept on globalThis: the CLI's entry (which sets it) and a command compiled from its own
 * file with V8's code cache (src/cli/command-loader.ts, whose script host gives the optimiser back) each have a
 * copy of this module, and both must see one state.
 */
interface TieringState {
  liftoffOnly: boolean
  untilScripts: boolean
}
const STATE = Symbol.for('flightdeck.wasm-tiering')

function state(): TieringState {
  const global = globalThis as typeof globalThis & { [STATE]?: TieringState }
  global[STATE] ??= { liftoffOnly: false, untilScripts: false }
  return global[STATE]
}

/** Liftoff only for this process: a command that sends requests and runs no scripts (`flightdeck send`). */
export function liftoffOnly(): void {
  setFlagsFromString('--liftoff-only')
  state().liftoffOnly = true
}

/** Liftoff only until the first script needs the sandbox (`flightdeck run`). */
export function liftoffUntilScripts(): void {
  liftoffOnly()
  state().untilScripts = true
}

/** Called before a script runs: gives V8 its optimising compiler back if liftoffUntilScripts took it. */
export function tierUpForScripts(): void {
  const s = state()
  if (!s.untilScripts) return
  s.untilScripts = false
  s.liftoffOnly = false
  // --liftoff-only switched both tier-up flags off when it was set; clearing it does not switch them on.
  setFlagsFromString('--no-liftoff-only')
  setFlagsFromString('--wasm-tier-up')
  setFlagsFromString('--wasm-dynamic-tiering')
}

/**
 * The V8 flags this module set, as a name: V8 takes a code cache only under the flags it was made with
 * (src/cli/command-loader.ts keeps one cache per name).
 */
export function wasmTieringFlags(): 'liftoff-only' | 'default' {
  return state().liftoffOnly ? 'liftoff-only' : 'default'
}
