import { liftoffOnly } from '../engine/wasm-tiering'
import { runProcessGc } from '../engine/http/run-gc'
import { sendProcessGc } from './send-gc'
import { parseCliArgs, USAGE } from './args'
import { loadCommand } from './command-loader'
import { DirectOutput } from './direct-output'
import { terminalText } from './terminal-text'

/**
 * `flightdeck` — the command-line host. This module is what every invocation loads, so it only parses and
 * dispatches: each command's code (and the engine, and its libraries) is imported when that command runs, which
 * keeps `flightdeck --help` near bare Node's start-up and `send` free of the runner's, importers' and other
 * protocols' code. A new command is one more lazy `import()` here. The CLI bundle is split at these imports
 * (scripts/build-node.mjs); `send` and `run`, which scripts start most, load with V8's code cache
 * (command-loader.ts).
 */

export interface CliIo {
  out(text: string): void
  err(text: string): void
  /**
   * Writes the CLI's own terminal controls to stderr as they are (the run's progress bar, redrawn in place with
   * CR and erase-line). `out` and `err` show every control character but tab and newline as an escape
   * (terminal-text.ts), so text a server or a shared file chose never drives the terminal.
   */
  errControl?(sequence: string): void
  /** Calls `listener` once the reader of `out` has gone away (a closed pipe); returns how to stop listening. */
  onOutClosed?(listener: () => void): () => void
}

/**
 * Whether stdout's reader went away (`flightdeck sse … | head` once head has its lines): later output is
 * dropped, and a stream command closes its session and ends quietly, instead of dying of an unhandled EPIPE.
 */
let outClosed = false
let watchingOut = false
const outClosedListeners = new Set<() => void>()

function watchOut(): void {
  if (watchingOut) return
  watchingOut = true
  process.stdout.on('error', outFailed)
}

function outFailed(e: NodeJS.ErrnoException): void {
  if (outClosed) return
  outClosed = true
  // A reader that left is how pipelines end; any other failure to write is worth a line.
  if (e.code !== 'EPIPE') writeErr(`flightdeck: cannot write the output: ${e.message}\n`)
  for (const listener of [...outClosedListeners]) listener()
}

/** The commands that hold a session open write through the streams (see direct-output.ts). */
const STREAMED_COMMANDS = new Set(['sse', 'ws', 'mqtt', 'socketio', 'grpc', 'graphql'])
/** Whether processIo writes to the descriptors themselves: set per command by runCli. */
let direct = false
const directOut = new DirectOutput(1, () => {
  watchOut()
  return process.stdout
})
const directErr = new DirectOutput(2, () => process.stderr)

function writeOut(text: string): void {
  if (outClosed) return
  if (!direct) {
    watchOut()
    process.stdout.write(text)
    return
  }
  try {
    directOut.write(text)
  } catch (e) {
    outFailed(e as NodeJS.ErrnoException)
  }
}

function writeErr(text: string): void {
  if (!direct) {
    process.stderr.write(text)
    return
  }
  try {
    directErr.write(text)
  } catch {
    // stderr itself is gone: there is nowhere left to say so.
  }
}

const processIo: CliIo = {
  out: (text) => writeOut(terminalText(text)),
  err: (text) => writeErr(terminalText(text)),
  errControl: (sequence) => writeErr(sequence),
  onOutClosed: (listener) => {
    watchOut()
    if (outClosed) queueMicrotask(listener)
    else outClosedListeners.add(listener)
    return () => void outClosedListeners.delete(listener)
  },
}

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) direct = !STREAMED_COMMANDS.has(argv[0] ?? '')
  // `flightdeck sse <url>` / `flightdeck ws <url>`: stream sessions have their own options.
  if (argv[0] === 'sse' || argv[0] === 'ws') {
    const { runStreamCli } = await import('./stream-command')
    return runStreamCli(argv, io)
  }
  // `flightdeck mqtt <url>` / `flightdeck socketio <url>`: MQTT.js and socket.io-client load only here.
  if (argv[0] === 'mqtt' || argv[0] === 'socketio') {
    const { runMessagingCli } = await import('./mqtt-socketio-command')
    return runMessagingCli(argv, io)
  }
  // `flightdeck run <collection-dir>`: a collection through the runner, with reports.
  if (argv[0] === 'run') {
    const run = await loadCommand('run-command', () => import('./run-command'))
    const tty = io === processIo && process.stderr.isTTY === true
    let started = false
    const code = await run.module.runRunCli(argv.slice(1), { ...io, tty, started: () => (started = true) })
    // V8's code cache holds the functions compiled before it was made, and every later start takes it as it
    // is: one made by `run --help` or a refused argument lacked most of a run's (a one-request run given it
    // cost a fifth more instructions). So only a run that started makes it.
    if (started) run.keep()
    return code
  }
  // `flightdeck grpc <target> [Service/Method]`: gRPC calls, list and describe (grpc-js loads only here).
  if (argv[0] === 'grpc') {
    const { runGrpcCli } = await import('./grpc-command')
    return runGrpcCli(argv.slice(1), io)
  }
  // `flightdeck graphql <url>`: a GraphQL operation (graphql loads only here).
  if (argv[0] === 'graphql') {
    const { runGraphqlCli } = await import('./graphql-command')
    return runGraphqlCli(argv, io)
  }
  // `flightdeck --help` alone needs no parser: node:util's parseArgs loads two modules (~4M instructions).
  const command = argv.length === 1 && HELP.has(argv[0] ?? '') ? HELP_COMMAND : parseCliArgs(argv)
  if (command.kind === 'help') {
    io.out(
      `${USAGE}\n\nstreams: flightdeck sse <url> | flightdeck ws <url> (see flightdeck sse --help)\n` +
        `runs:    flightdeck run <collection-dir> [path] (see flightdeck run --help)\n` +
        `mqtt:    flightdeck mqtt <url> | flightdeck socketio <url> (see flightdeck mqtt --help)\n` +
        `grpc:    flightdeck grpc <host:port> [package.Service/Method] (see flightdeck grpc --help)\n` +
        `graphql: flightdeck graphql <url> --query Q (see flightdeck graphql --help)\n`,
    )
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }
  if (command.kind === 'import') {
    const { runImport } = await import('./import-command')
    return runImport(command, io)
  }
  const send = await loadCommand('send-command', () => import('./send-command'))
  const code = await send.module.runSend(command, io)
  // Not after input refused before the request (exit 2): too little of a send ran for a cache (see `run`).
  if (code !== 2) send.keep()
  return code
}

const HELP = new Set(['--help', '-h'])
const HELP_COMMAND = { kind: 'help' } as const

/** Stdio handles a finished run may still hold open (stdout and stderr as pipes or terminals): not leaks. */
const STDIO_HANDLES = new Set(['PipeWrap', 'TTYWrap'])

/**
 * The `flightdeck` process: runs the command, then ends as soon as its output is written. Waiting for the event
 * loop to empty on its own cost every run ~80 ms (up to 250 ms on a busy machine) after its last byte: Node
 * lets V8 finish optimising undici's WebAssembly parser before it exits. A handle still open at the end is a
 * bug (a socket or timer not disposed): then the process is left to end on its own, and if it has not after
 * 2 s it says so on stderr and ends anyway rather than hang a CI job (the CLI tests look for that line).
 */
export async function main(argv: readonly string[]): Promise<void> {
  // undici's HTTP parser (WebAssembly) is compiled by V8's baseline compiler only: its optimising compile, in a
  // background thread, cost up to 450 ms of CPU and 40 MB, and held the process's exit until it was done
  // (src/engine/wasm-tiering.ts). A run's script sandbox (QuickJS) stays there too: its compiles cost more than
  // they saved.
  if (argv[0] === 'send' || argv[0] === 'run') liftoffOnly()
  // A run's request objects die young: they are collected young, not moved to the old generation by incremental
  // marking (src/engine/http/run-gc.ts).
  if (argv[0] === 'run') runProcessGc()
  // A send's young generation grows faster: one scavenge fewer (src/cli/send-gc.ts).
  if (argv[0] === 'send') sendProcessGc()
  const code = await runCli(argv)
  process.exitCode = code
  // Only streams someone made have writes to wait for (making one to ask would load what direct output spared).
  // stdout is watched before it is flushed: its reader may have gone while output went to the descriptor, and
  // the flush's write would then fail with nobody listening (an unhandled EPIPE at `send … | head`).
  if (process.getActiveResourcesInfo().some((r) => STDIO_HANDLES.has(r))) {
    if (!outClosed) watchOut()
    await Promise.all([outClosed ? undefined : flushed(process.stdout), flushed(process.stderr)])
  }
  // One turn for closes already under way (a socket's last callback) to finish.
  await new Promise<void>((resolve) => setImmediate(resolve))
  let stdio = 0
  const open = process.getActiveResourcesInfo().filter((r) => !(STDIO_HANDLES.has(r) && ++stdio <= 2))
  if (open.length === 0) process.exit(code)
  setTimeout(() => {
    process.stderr.write('flightdeck: internal: forced exit, a handle was left open\n')
    process.exit(code)
  }, 2000).unref()
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve()
    else stream.write('', () => resolve())
  })
}
