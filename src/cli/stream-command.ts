import { createEngineService, type EngineService } from '../engine/service'
import { formatBytes } from '../shared/format'
import type { StreamEntry } from '../shared/streams'
import type { TimelineEvent } from '../shared/timeline'
import { parseStreamArgs, STREAM_USAGE, type StreamCliCommand } from './stream-args'

/**
 * `flightdeck sse <url>` and `flightdeck ws <url>`: open one stream session through the engine and print its
 * messages as they arrive (the whole data, read from the engine's log), with reconnects and the end. Stops on
 * the server's end, an error, `--max` messages, `--duration` seconds or Ctrl+C (a clean close).
 */

export interface StreamIo {
  out(text: string): void
  err(text: string): void
}

/** Most bytes of one message printed (the log keeps it all). */
const MAX_PRINT = 1024 * 1024
const FLUSH_MS = 10

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
  const service = createEngineService({ host: 'cli', flushEveryMs: FLUSH_MS })
  try {
    return await run(service, command, io)
  } finally {
    await service.dispose()
  }
}

async function run(service: EngineService, command: Session, io: StreamIo): Promise<number> {
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
  let origin: number | null = null
  let closing = false
  const close = (): void => {
    if (closing) return
    closing = true
    void service.invoke('session.cancel', { sid })
  }
  const print = (e: TimelineEvent): void => {
    origin ??= e.t
    const line = command.json ? jsonLine(service, e) : humanLine(service, e, origin)
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
        print(e)
        if (e.type === 'stream-open' && command.kind === 'ws' && e.attempt === 0) {
          for (const text of command.send) void service.invoke('ws.send', { sid, kind: 'text', data: text })
        }
        if (incoming && command.max !== null && ++received >= command.max) close()
      }
    }
  })
  const timer = command.durationMs === null ? null : setTimeout(close, command.durationMs)
  process.once('SIGINT', close)
  try {
    const { final } = await service.streams.wait(sid)
    service.flush()
    if (final.type === 'error') {
      io.err(`flightdeck: ${final.code}: ${final.message}\n`)
      return 1
    }
    return 0
  } finally {
    if (timer) clearTimeout(timer)
    process.off('SIGINT', close)
    off()
  }
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

function entryOf(service: EngineService, sid: string, seq: number): StreamEntry | null {
  if (seq < 0) return null
  return service.streams.logs.get(sid)?.entry(seq, MAX_PRINT) ?? null
}

function jsonLine(service: EngineService, e: TimelineEvent): string | null {
  switch (e.type) {
    case 'sse-event':
    case 'ws-message': {
      const entry = entryOf(service, e.sid, e.seq)
      const { sid: _sid, type: _type, preview: _preview, ...rest } = e
      return JSON.stringify({
        type: 'message',
        ...rest,
        ...(entry ? { size: entry.size, ...eventFields(entry) } : {}),
        data: entry?.data ?? e.preview,
        encoding: entry?.encoding ?? 'utf8',
        ...(entry?.truncated ? { truncated: true } : {}),
      })
    }
    case 'stream-open':
    case 'stream-closed':
    case 'retry':
    case 'done':
    case 'error':
    case 'cancelled':
    case 'response-headers': {
      const { sid: _sid, ...rest } = e
      return JSON.stringify(rest)
    }
    default:
      return null
  }
}

/** The per-message fields a merged event carries only for its last message, from the log entry instead. */
function eventFields(entry: StreamEntry): { event?: string; id?: string; code?: number } {
  const out: { event?: string; id?: string; code?: number } = {}
  if (entry.event !== undefined) out.event = entry.event
  if (entry.id !== undefined) out.id = entry.id
  if (entry.code !== undefined) out.code = entry.code
  return out
}

function humanLine(service: EngineService, e: TimelineEvent, origin: number): string | null {
  const at = `${((e.t - origin) / 1000).toFixed(3).padStart(8)}s`
  switch (e.type) {
    case 'queued':
      return `* ${e.kind === 'ws' ? 'WebSocket' : e.method} ${e.url}`
    case 'response-headers':
      return `* ${e.status} ${e.statusText}`.trimEnd()
    case 'stream-open': {
      const what =
        e.mode === 'ws'
          ? `WebSocket open${e.protocol ? ` (subprotocol ${e.protocol})` : ''}`
          : `${e.mode} stream open`
      return `${at} * ${e.attempt > 0 ? `reconnected (#${e.attempt}), ` : ''}${what}`
    }
    case 'sse-event':
    case 'ws-message': {
      const entry = entryOf(service, e.sid, e.seq)
      const arrow = e.dir === 'in' ? '←' : '→'
      // Each message's own name, id, code, size and time are in the log (a merged event has the last one's).
      const event = entry ? entry.event : e.type === 'sse-event' ? e.event : undefined
      const id = entry ? entry.id : e.type === 'sse-event' ? e.id : undefined
      const code = entry ? entry.code : e.type === 'ws-message' ? e.code : undefined
      const label =
        e.kind === 'event'
          ? `${event ?? 'message'}${id !== undefined ? ` id=${id}` : ''}`
          : e.kind + (code !== undefined ? ` ${code}` : '')
      const when = entry ? `${((entry.t - origin) / 1000).toFixed(3).padStart(8)}s` : at
      const data = !entry
        ? e.preview
        : entry.encoding === 'base64'
          ? `(hex) ${Buffer.from(entry.data, 'base64')
              .toString('hex')
              .replace(/(..)(?=.)/g, '$1 ')}`
          : entry.data
      return `${when} ${arrow} ${label} (${formatBytes(entry?.size ?? e.size)}) ${data}${entry?.truncated ? ' …' : ''}`
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
