/**
 * How soon V8 optimises a run's JavaScript once its requests start (`flightdeck run`). V8 counts each function's
 * work against an interrupt budget and queues the function for its optimising compiler (TurboFan, on a background
 * thread) when the budget is spent. A run's per-request code is hot from its first requests, yet at the default
 * budget it stays in the interpreter and baseline code for a good part of a short run. With a quarter of the
 * budget, a one-request run of 20,000 requests at concurrency 50 used less CPU on its main thread, the thread
 * that limits its rate (fresh processes in paired rounds, medians of the per-round ratios, load 22-40, so CPU
 * rather than rates: this build against its parent, 11 rounds: main thread 0.917, all threads 0.933, lower in 9
 * of 11; the flag set for the whole process, twice 11 rounds: main 0.93 and 0.92). An eighth cost more than it
 * saved (more compiles; main thread 1.03). The 1,000-request collection run: main thread 0.90, all threads
 * 1.27 (more of its code compiled in the background), spawn to exit 1.12 of the rate (9 rounds). A 200,000-request
 * run: main thread 1.02, all threads 1.02 (4 rounds, inside their spread of ±15 %).
 *
 * Before the requests it stays at the default: loading a collection runs its reader's functions once a file, and
 * optimising those sooner cost a 1,000-request collection run more CPU than it saved (session 30: a lower budget
 * for the whole process, +25 %). After the run it is the default again before V8's code cache is made: a cache
 * is checked against V8's flags (src/cli/command-loader.ts) and must match the next start's. A budget given on
 * node's command line or in NODE_OPTIONS is left as it is.
 */

/** V8's default (`node --v8-options`), what the code cache's flags were at the start. */
const DEFAULT_BUDGET = 66 * 1024
const RUN_BUDGET = DEFAULT_BUDGET / 4

function givenByUser(): boolean {
  return /--interrupt[-_]budget/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '))
}

function setBudget(budget: number): void {
  if (givenByUser()) return
  process.getBuiltinModule('node:v8').setFlagsFromString(`--interrupt-budget=${budget}`)
}

/** The run's requests start: V8 optimises what they run sooner. */
export function runRequestsTiering(): void {
  setBudget(RUN_BUDGET)
}

/** The run is over: V8's default again, the flags its code cache is checked against. */
export function runEndedTiering(): void {
  setBudget(DEFAULT_BUDGET)
}
