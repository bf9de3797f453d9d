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
 */
export function runProcessGc(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-incremental-marking')
}
