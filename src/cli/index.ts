import { createEngineService } from '../engine/service'
import { buildReport, humanLines, type ExchangeOutcome } from './report'
import { parseCliArgs, USAGE } from './args'
import { sendSaved, USER_ERROR_CODES } from './collection-send'
import { runImport } from './import-command'
import { runStreamCli } from './stream-command'
import { runRunCli } from './run-command'

/**
 * `flightdeck` — the command-line host. One engine service (host 'cli'), one request, one report. Exit codes:
 * 0 when any HTTP response arrived (even a 500), 1 on a network error, 2 on bad arguments.
 */

export interface CliIo {
  out(text: string): void
  err(text: string): void
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
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (outClosed) return
    outClosed = true
    // A reader that left is how pipelines end; any other failure to write is worth a line.
    if (e.code !== 'EPIPE') process.stderr.write(`flightdeck: cannot write the output: ${e.message}\n`)
    for (const listener of [...outClosedListeners]) listener()
  })
}

const processIo: CliIo = {
  out: (text) => {
    watchOut()
    if (!outClosed) process.stdout.write(text)
  },
  err: (text) => void process.stderr.write(text),
  onOutClosed: (listener) => {
    watchOut()
    if (outClosed) queueMicrotask(listener)
    else outClosedListeners.add(listener)
    return () => void outClosedListeners.delete(listener)
  },
}

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // `flightdeck sse <url>` / `flightdeck ws <url>`: stream sessions have their own options.
  if (argv[0] === 'sse' || argv[0] === 'ws') return runStreamCli(argv, io)
  // `flightdeck run <collection-dir>`: a collection through the runner, with reports.
  if (argv[0] === 'run')
    return runRunCli(argv.slice(1), { ...io, tty: io === processIo && process.stderr.isTTY === true })
  const command = parseCliArgs(argv)
  if (command.kind === 'help') {
    io.out(
      `${USAGE}\n\nstreams: flightdeck sse <url> | flightdeck ws <url> (see flightdeck sse --help)\n` +
        `runs:    flightdeck run <collection-dir> [path] (see flightdeck run --help)\n`,
    )
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }

  if (command.kind === 'import') return runImport(command, io)

  const service = createEngineService(
    command.kind === 'send'
      ? { host: 'cli' }
      : { host: 'cli', watchCollections: false, persistWorkspace: false },
  )
  // Ctrl+C cancels the request (the engine reports it) instead of killing the process mid-write.
  let sid: string | null = null
  const onSigint = (): void => {
    if (sid) void service.invoke('session.cancel', { sid })
  }
  process.once('SIGINT', onSigint)
  try {
    const sent =
      command.kind === 'send'
        ? await service.invoke('http.send', { request: command.request })
        : await sendSaved(service, command)
    if (!sent.ok) {
      io.err(`flightdeck: ${sent.error.code}: ${sent.error.message}\n`)
      return USER_ERROR_CODES.has(sent.error.code) ? 2 : 1
    }
    sid = sent.value.sids[0] ?? null
    if (!sid) {
      io.err('flightdeck: internal: the engine returned no session\n')
      return 1
    }
    const result = await service.waitForExchange(sid)
    const outcome: ExchangeOutcome = { events: result.events, final: result.final }

    if (command.json) io.out(`${JSON.stringify(buildReport(outcome))}\n`)
    else io.out(`${humanLines(outcome).join('\n')}\n`)

    if (result.final.type === 'done') return 0
    if (result.final.type === 'error') {
      io.err(`flightdeck: ${result.final.code}: ${result.final.message}\n`)
    } else {
      io.err('flightdeck: cancelled: the request was cancelled\n')
    }
    return 1
  } finally {
    process.off('SIGINT', onSigint)
    await service.dispose()
  }
}
