/**
 * How V8 sizes the young generation of a `flightdeck send` process. A send allocates ~10 MB in its ~100 ms (the
 * command's modules set up, zod's schemas, the exchange), and V8 starts with a 1 MB semi-space that doubles after
 * each scavenge: four scavenges, each copying what is still alive. Growing it fourfold makes that three, ~5.7M
 * instructions of a send's ~315M (callgrind, fixed seeds), with the same peak RSS (~56 MB). A factor above 4 saved
 * no more.
 *
 * V8's flags are the process's, and a code cache is checked against them (src/cli/command-loader.ts): the CLI
 * sets this before it loads the command, with `--liftoff-only` (src/engine/wasm-tiering.ts). A run keeps the
 * default growth (src/engine/http/run-gc.ts sets its collection); the app is not a short process.
 */
export function sendProcessGc(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=4')
}
