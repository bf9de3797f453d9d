import { createEngineService, type EngineService } from '../engine/service'
import { formatBytes } from '../shared/format'
import type { StreamEntry } from '../shared/streams'
import type { TimelineEvent } from '../shared/timeline'
import { parseStreamArgs, STREAM_USAGE, type StreamCliCommand } from './stream-args'
import { signalWords, type Interrupt } from './interrupt'
import { fileVariable } from './unresolved-variable'
import { reportLogCut } from './stream-cut-note'
import { withPipedBody } from './piped-body'
import { jsonLine, printJsonMessage } from './stream-json'

/**
 * `flightdeck sse <url>` and `flightdeck ws <url>`: open one stream session through the engine and print its
 * messages as they arrive (read from the engine's log: `--json` gives each one's whole data, the lines for
 * people its first MiB and how much more there is), with reconnects and the end. Stops on the server's end, an
 * error, `--max` messages, `--duration` seconds, Ctrl+C (a clean close), or when the reader of stdout goes
 * away (`flightdeck sse … | head`: a clean close too, without a word).
 */

export interface StreamIo {
  out(text: string): void
  err(text: string): void
  /** Calls `listener` once the reader of `out` has gone away (a closed pipe); returns how to stop listening. */
  onOutClosed?(listener: () => void): () => void
}

/** Most bytes of one message a line for people shows (`--json` prints it all). */
const MAX_PRINT = 1024 * 1024
const FLUSH_MS = 10
/**
 * Once the reader of stdout has gone, how long a WebSocket's closing handshake may take before the command
 * drops the connection and exits: a server's close frame comes behind everything it has already sent, which
 * for a flood is seconds of messages nobody will read.
 */
export const OUT_GONE_CLOSE_MS = 1000

type Session = Exclude<StreamCliCommand, { kind: 'help' } | { kind: 'error' }>

export async function runStreamCli(argv: readonly string[], io: StreamIo): Promise<number> {
  const command = parseStreamArgs(argv)
  if (command.kind === 'help') {
    io.out(`${STREAM_USAGE}\n`)
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }
  // `-d @-` and `-d @fifo`: the pipe is read once, to a copy each reconnect sends again; Ctrl+C and SIGTERM have
  // one listener from here to the end.
  return withPipedBody(
    'sse',
    command.kind === 'sse' ? command.request.body : null,
    io.err,
    'before the stream was opened',
    (piped, interrupt) =>
      open(
        piped && command.kind === 'sse'
          ? { ...command, request: { ...command.request, body: piped } }
          : command,
        io,
        piped !== null,
        interrupt,
      ),
    command.kind === 'sse' && command.literalBraces === true,
  )
}

async function open(
  command: Session,
  io: StreamIo,
  bodyLookedAt: boolean,
  interrupt: Interrupt,
): Promise<number> {
  // A body file's {{variables}} are refused as typed ones are: a plain sse has none to give them (a piped body's
  // copy was looked at as it was read).
  if (
    command.kind === 'sse' &&
    command.request.body.kind === 'file' &&
    !bodyLookedAt &&
    command.literalBraces !== true
  ) {
    const inFile = await fileVariable('sse', command.request.body.path, 'the body, -d @file')
    if (inFile !== null) {
      io.err(`flightdeck: ${inFile}\n`)
      return 2
    }
  }
  const service = createEngineService({ host: 'cli', flushEveryMs: FLUSH_MS })
  try {
    return await run(service, command, io, interrupt)
  } finally {
    await service.dispose()
  }
}

async function run(
  service: EngineService,
  command: Session,
  io: StreamIo,
  interrupt: Interrupt,
): Promise<number> {
  if (interrupt.signal !== null) return interrupt.exitCode(1)
  // A signal while the session opens closes it as soon as it has (below).
  interrupt.handOver(() => {})
  const opened =
    command.kind === 'sse'
      ? await service.invoke('sse.open', { request: command.request, stream: command.stream })
      : await service.invoke('ws.open', {
          url: command.url,
          headers: command.headers,
          protocols: command.protocols,
          options: command.options,
        })
  if (!opened.ok) {
    io.err(`flightdeck: ${opened.error.code}: ${opened.error.message}\n`)
    return opened.error.code === 'bad_payload' ? 2 : 1
  }
  const sid = opened.value.sid
  let received = 0
  let reconnectsCut = false
  let origin: number | null = null
  let closing = false
  /**
   * Closes the session; `why` (the command's own reason: "after 1 message (--max)") gets a line of its own, at
   * `at`: the time of the event that decided it (the message --max counted), or now. Lines are printed in time
   * order: events the engine has not delivered yet happened before now, so they are delivered (and printed) first.
   */
  const close = (why = '', at?: number): void => {
    if (closing) return
    closing = true
    if (why && !command.json && at === undefined) service.flush()
    if (why && !command.json && origin !== null)
      io.out(`${stamp((at ?? service.clock.now()) - origin)} * closing ${why}\n`)
    void service.invoke('session.cancel', { sid })
  }
  const print = (e: TimelineEvent): void => {
    origin ??= e.t
    if (command.json && (e.type === 'sse-event' || e.type === 'ws-message')) {
      printJsonMessage(service, e, io)
      return
    }
    const line = command.json ? jsonLine(e) : humanLine(service, e, origin)
    if (line !== null) io.out(`${line}\n`)
  }
  const off = service.subscribe((batch) => {
    for (const event of batch.events) {
      if (event.sid !== sid) continue
      // A message event may stand for several consecutive messages: print each of them from the log.
      for (const e of oneByOne(event)) {
        const incoming =
          (e.type === 'sse-event' && e.kind !== 'comment') ||
          (e.type === 'ws-message' && e.dir === 'in' && (e.kind === 'text' || e.kind === 'binary'))
        // Messages that arrive while the close is under way are past --max: not printed.
        if (incoming && command.max !== null && received >= command.max) continue
        // The reconnect past the limit is not made: the session closes instead, saying why.
        if (e.type === 'retry' && command.maxReconnects > 0 && e.attempt > command.maxReconnects) {
          reconnectsCut = true
          close(`after ${reconnects(command.maxReconnects)} (--max-reconnects)`, e.t)
          continue
        }
        // The session ended because the command gave up reconnecting: a failure, said as one, never `* done`.
        if (reconnectsCut && (e.type === 'done' || e.type === 'cancelled')) {
          origin ??= e.t
          io.out(
            `${command.json ? reconnectLimitJson(e.t, command.maxReconnects) : `${stamp(e.t - origin)} * error: ${reconnectLimitWords(command.maxReconnects)}`}\n`,
          )
          continue
        }
        print(e)
        if (e.type === 'stream-open' && command.kind === 'ws' && e.attempt === 0) {
          for (const text of command.send) void service.invoke('ws.send', { sid, kind: 'text', data: text })
        }
        if (incoming && command.max !== null && ++received >= command.max)
          close(
            `after ${received} message${received === 1 ? '' : 's'} (--max)`,
            entryOf(service, e.sid, e.seq, 0)?.t ?? e.t,
          )
      }
    }
  })
  const durationMs = command.durationMs
  const timer =
    durationMs === null
      ? null
      : setTimeout(() => close(`after ${durationMs / 1000} s (--duration)`), durationMs)
  interrupt.handOver((signal) => close(signalWords(signal)))
  if (interrupt.signal !== null) close(signalWords(interrupt.signal))
  let outGone: ((value: null) => void) | null = null
  let outGoneTimer: ReturnType<typeof setTimeout> | null = null
  const outGoneAfterGrace = new Promise<null>((resolve) => (outGone = resolve))
  const offOutClosed = io.onOutClosed?.(() => {
    close()
    outGoneTimer ??= setTimeout(() => outGone?.(null), OUT_GONE_CLOSE_MS)
  })
  try {
    const outcome = await Promise.race([service.waitForStream(sid), outGoneAfterGrace])
    // Nobody reads any more and the close is not over: the service's disposal (below) drops the connection.
    // Exit 0, quietly, like a stream that ended: the pipeline's reader chose to stop.
    if (outcome === null) return 0
    const { final } = outcome
    service.flush()
    reportLogCut(service, sid, io.err)
    if (final.type !== 'error' && reconnectsCut) {
      io.err(
        `flightdeck: ${reconnectLimitWords(command.maxReconnects)} (--max-reconnects N raises the limit, 0 removes it; ${command.kind === 'sse' ? '--no-reconnect ends at the first end' : 'without --reconnect the session ends at the first drop'})\n`,
      )
      return interrupt.exitCode(1)
    }
    if (final.type === 'error') {
      io.err(`flightdeck: ${final.code}: ${final.message}\n`)
      return interrupt.exitCode(1)
    }
    return interrupt.exitCode(0)
  } finally {
    if (timer) clearTimeout(timer)
    if (outGoneTimer) clearTimeout(outGoneTimer)
    offOutClosed?.()
    off()
  }
}

/**
 * Why a session the command closed at its reconnect limit failed. As curl after its last `--retry`: giving up is
 * a failure (exit 1), whatever the last connection's own end was.
 */
function reconnectLimitWords(maxReconnects: number): string {
  return `closed after ${reconnects(maxReconnects)}: the stream kept ending`
}

function reconnects(n: number): string {
  return `${n} reconnect${n === 1 ? '' : 's'}`
}

/** The `--json` end of such a session: an `error` object in the place of `done`. */
function reconnectLimitJson(t: number, maxReconnects: number): string {
  return JSON.stringify({
    type: 'error',
    t,
    code: 'reconnect_limit',
    message: `${reconnectLimitWords(maxReconnects)} (--max-reconnects)`,
  })
}

/** A merged message event (`count` > 1) as one event per message; others as they are. */
function* oneByOne(e: TimelineEvent): Generator<TimelineEvent> {
  if ((e.type !== 'sse-event' && e.type !== 'ws-message') || (e.count ?? 1) === 1) {
    yield e
    return
  }
  const n = e.count ?? 1
  for (let i = 0; i < n; i++) {
    // Sizes and previews per message come from the log when printed; these stand-ins are only fallbacks.
    const { count: _count, ...one } = e
    yield { ...one, seq: e.seq + i, size: i === n - 1 ? e.size : 0 }
  }
}

function entryOf(service: EngineService, sid: string, seq: number, maxData: number): StreamEntry | null {
  if (seq < 0) return null
  return service.streamLog(sid)?.entry(seq, maxData) ?? null
}

function humanLine(service: EngineService, e: TimelineEvent, origin: number): string | null {
  const at = stamp(e.t - origin)
  switch (e.type) {
    case 'queued':
      return `* ${e.kind === 'ws' ? 'WebSocket' : e.method} ${e.url}`
    case 'response-headers':
      return `* ${e.status} ${e.statusText}`.trimEnd()
    case 'stream-open': {
      const what =
        e.mode === 'ws'
          ? `WebSocket open${e.protocol ? ` (subprotocol ${e.protocol})` : ''}`
          : `${e.mode} stream open${e.note ? ` (${e.note})` : ''}`
      return `${at} * ${e.attempt > 0 ? `reconnected (#${e.attempt}), ` : ''}${what}`
    }
    case 'sse-event':
    case 'ws-message': {
      const entry = entryOf(service, e.sid, e.seq, MAX_PRINT)
      const arrow = e.dir === 'in' ? '←' : '→'
      // Each message's own name, id, code, size and time are in the log (a merged event has the last one's).
      const event = entry ? entry.event : e.type === 'sse-event' ? e.event : undefined
      const id = entry ? entry.id : e.type === 'sse-event' ? e.id : undefined
      const code = entry ? entry.code : e.type === 'ws-message' ? e.code : undefined
      const label =
        e.kind === 'event'
          ? `${event ?? 'message'}${id !== undefined ? ` id=${id}` : ''}`
          : e.kind + (code !== undefined ? ` ${code}` : '')
      const when = entry ? stamp(entry.t - origin) : at
      const data = !entry
        ? e.preview
        : entry.encoding === 'base64'
          ? `(hex) ${Buffer.from(entry.data, 'base64')
              .toString('hex')
              .replace(/(..)(?=.)/g, '$1 ')}`
          : entry.data
      const shown = entry ? Buffer.byteLength(entry.data, entry.encoding === 'base64' ? 'base64' : 'utf8') : 0
      const cut = entry?.truncated
        ? ` … (first ${formatBytes(shown)} of ${formatBytes(entry.size)} shown; --json prints it all)`
        : ''
      return `${when} ${arrow} ${label} (${formatBytes(entry?.size ?? e.size)}) ${data}${cut}`
    }
    case 'retry':
      return `${at} * reconnecting in ${e.delayMs} ms (#${e.attempt}): ${e.reason}${e.lastEventId !== undefined ? ` [Last-Event-ID: ${e.lastEventId}]` : ''}`
    case 'stream-closed':
      return `${at} * closed: ${e.reason}`
    case 'done':
      return `${at} * done`
    case 'cancelled':
      return `${at} * cancelled`
    case 'error':
      return `${at} * error: ${e.message}`
    default:
      return null
  }
}

/** A time since the session's first event, as every line for people starts: `   1.234s`. */
function stamp(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(8)}s`
}
