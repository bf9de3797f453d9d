/**
 * How V8 collects garbage in a process whose job is a run (`flightdeck run`): each request's objects die young, a
 * few hundred requests after they were made, so the young generation's collections (scavenges) should free them
 * all. While V8 marks the old generation incrementally, it does not: a scavenge then moves what it finds alive to
 * the old generation, where only the next full collection frees it. A run starts that marking within its first
 * thousand requests (the old generation is still small), and what marking moves there grows it enough to start the
 * next: a 20,000-request run spent most of its time marking, moved ~35 MB of dead request objects into the old
 * generation (~1.8 KB a request) and collected it in full twice. Without incremental marking the same run moved
 * ~5 MB and needed no full collection; its process used 0.87 of the CPU (median of 11 alternated pairs). A full
 * collection, when one comes, is one pause instead of steps: the heap of such a process is tens of MB, a few ms.
 *
 * V8's flags are the process's, and a code cache is checked against them (src/cli/command-loader.ts): the CLI
 * sets this before it loads a command, with `--liftoff-only` (src/engine/wasm-tiering.ts). The app, a long-lived
 * process a person works in, marks incrementally as by default.
 *
 * V8's other threads in such a run, and why no flag for them: a 20,000-request run spends ~300-400 ms of CPU on
 * V8's four background threads beside ~800-1,000 on its main one (/proc per thread, load 30-40), ~90 % of it
 * TurboFan (with `--no-concurrent-recompilation` on node's command line they fall to ~30 ms, and the compiles
 * land on the main thread); the parallel scavenge's helpers and sweeping take the rest, libuv's pool nothing.
 * What would move that work (`--single-threaded`, `--single-threaded-gc`, `--no-concurrent-recompilation`,
 * `--v8-pool-size`) is read when V8 starts: set here, as the CLI sets its flags, they change nothing (the
 * threads' CPU stays), and bin/flightdeck.js's `#!/usr/bin/env node` cannot carry them. `--maglev` compiles
 * nothing on Node 20. `--no-turbofan` makes the main thread ~2.5x busier (the run 0.63 of its rate); smaller
 * inlining (`--max-inlined-bytecode-size-cumulative` 460 or 200, `--no-turbo-inlining`) and the mid-tier
 * register allocator leave the background CPU as it is (it is ~150 compiles, not their size); the young
 * generation's size (`--min-semi-space-size` 8 or 16, `--max-semi-space-size=64`) moved nothing beyond the
 * noise. A quarter of the interrupt budget once the requests start (so their code is optimised sooner) helped
 * the one-request 20,000-request run (main thread 0.92 of the CPU, all threads 0.93, 11 paired rounds) but cost
 * the 1,000-request collection run more background compiles than it saved: all threads 1.26, the run's rate 0.61
 * and spawn to exit 0.70, slower in 10 of 11 rounds (load 23-25); 200,000 requests came out even. So it is not
 * set. (Paired fresh processes, bench/runner-flags.ts, session 38.)
 */
export function runProcessGc(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-incremental-marking')
}
