import { createEngineService, type EngineService } from '../engine/service'
import { formatBytes } from '../shared/format'
import { parseMqttDelivery } from '../shared/mqtt'
import { rowName } from '../shared/session-name'
import type { SocketIoArg } from '../shared/socketio'
import type { StreamEntry } from '../shared/streams'
import type { TimelineEvent } from '../shared/timeline'
import { parseMessagingArgs, type MessagingCliCommand } from './mqtt-socketio-args'
import { onInterrupt, signalWords } from './interrupt'
import type { StreamIo } from './stream-command'
import { reportLogCut } from './stream-cut-note'
import { byteCount } from './byte-words'

/**
 * `flightdeck mqtt <url>` and `flightdeck socketio <url>`: one session through the engine, its messages printed
 * as they arrive (read from the engine's log), with its acks, reconnects and end. Stops as `ws` does: the
 * server's end, an error, `--max` messages received, `--duration`, Ctrl+C, or stdout's reader going away.
 */

/** Most bytes of one message a line for people shows (`--json` prints it all). */
const MAX_PRINT = 1024 * 1024
/** `--json` reads a message whole: past this it says so instead (a log keeps messages up to its own bound). */
const MAX_JSON = 64 * 1024 * 1024
const FLUSH_MS = 10

type Session = Extract<MessagingCliCommand, { kind: 'mqtt' | 'socketio' }>

export async function runMessagingCli(argv: readonly string[], io: StreamIo): Promise<number> {
  const command = parseMessagingArgs(argv)
  if (command.kind === 'help') {
    io.out(`${command.usage}\n`)
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }
  const service = createEngineService({
    host: 'cli',
    flushEveryMs: FLUSH_MS,
    watchCollections: false,
    persistWorkspace: false,
  })
  try {
    return await run(service, command, io)
  } finally {
    await service.dispose()
  }
}

function emitArgs(json: string | null): SocketIoArg[] {
  if (json === null) return []
  const v: unknown = JSON.parse(json)
  // A JSON array is the emit's arguments; anything else is its one argument.
  const list = Array.isArray(v) ? v : [v]
  return list.map((a) => ({ kind: 'json' as const, data: JSON.stringify(a) }))
}

async function run(service: EngineService, command: Session, io: StreamIo): Promise<number> {
  const opened =
    command.kind === 'mqtt'
      ? await service.invoke('mqtt.open', {
          url: command.url,
          subscriptions: command.subscriptions,
          options: command.options,
        })
      : await service.invoke('socketio.open', {
          url: command.url,
          namespace: command.namespace,
          ...(command.path !== undefined ? { path: command.path } : {}),
          ...(command.auth !== undefined ? { auth: command.auth } : {}),
          headers: command.headers,
          query: command.query,
          listen: command.listen,
          ...(command.answers.length ? { acks: command.answers } : {}),
          options: command.options,
        })
  if (!opened.ok) {
    io.err(`flightdeck: ${opened.error.code}: ${opened.error.message}\n`)
    return opened.error.code === 'bad_payload' || opened.error.code === 'invalid_request' ? 2 : 1
  }
  const sid = opened.value.sid
  let received = 0
  let origin: number | null = null
  let closing = false
  /** Closes the session; `why` (the command's own reason: "after 1 message (--max)") gets a line of its own. */
  const close = (why = ''): void => {
    if (closing) return
    closing = true
    if (why && !command.json && origin !== null)
      io.out(`${stamp(service.clock.now() - origin)} * closing ${why}\n`)
    void service.invoke('session.cancel', { sid })
  }
  const sendAll = async (): Promise<void> => {
    if (command.kind === 'mqtt') {
      for (const p of command.publish) {
        const r = await service.invoke('mqtt.publish', { sid, ...p, retain: command.retain })
        if (!r.ok) io.err(`flightdeck: ${r.error.code}: ${r.error.message}\n`)
      }
      return
    }
    for (const e of command.emit) {
      const r = await service.invoke('socketio.emit', {
        sid,
        event: e.event,
        args: emitArgs(e.args),
        ack: command.ack,
      })
      if (!r.ok) io.err(`flightdeck: ${r.error.code}: ${r.error.message}\n`)
    }
  }
  const off = service.subscribe((batch) => {
    for (const e of batch.events) {
      if (e.sid !== sid) continue
      origin ??= e.t
      if (e.type === 'sse-event') {
        const n = e.count ?? 1
        for (let i = 0; i < n; i++) {
          const entry = service.streamLog(sid)?.entry(e.seq + i, command.json ? MAX_JSON : MAX_PRINT) ?? null
          const incoming = e.dir === 'in' && e.kind !== 'control'
          if (incoming && command.max !== null && received >= command.max) continue
          if (entry)
            io.out(
              `${command.json ? jsonMessage(command.kind, entry) : humanMessage(command.kind, entry, origin)}\n`,
            )
          if (incoming && command.max !== null && ++received >= command.max)
            close(`after ${received} message${received === 1 ? '' : 's'} (--max)`)
        }
        continue
      }
      const line = command.json ? jsonLine(e) : humanLine(e, origin)
      if (line !== null) io.out(`${line}\n`)
      if (e.type === 'stream-open' && e.attempt === 0) void sendAll()
    }
  })
  const durationMs = command.durationMs
  const timer =
    durationMs === null
      ? null
      : setTimeout(() => close(`after ${durationMs / 1000} s (--duration)`), durationMs)
  const interrupt = onInterrupt((signal) => close(signalWords(signal)))
  const offOutClosed = io.onOutClosed?.(() => close())
  try {
    const { final } = await service.waitForStream(sid)
    service.flush()
    reportLogCut(service, sid, io.err)
    if (final.type === 'error') {
      io.err(`flightdeck: ${final.code}: ${final.message}\n`)
      return interrupt.exitCode(1)
    }
    return interrupt.exitCode(0)
  } finally {
    if (timer) clearTimeout(timer)
    interrupt.off()
    offOutClosed?.()
    off()
  }
}

function parsedId(entry: StreamEntry): Record<string, unknown> {
  if (!entry.id) return {}
  try {
    const v: unknown = JSON.parse(entry.id)
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function jsonMessage(kind: 'mqtt' | 'socketio', entry: StreamEntry): string {
  const base = { t: entry.t, seq: entry.seq, dir: entry.dir, size: entry.size }
  if (entry.kind === 'control') {
    return JSON.stringify({
      type: 'control',
      name: entry.event,
      ...base,
      ...parsedId(entry),
      text: entry.data,
    })
  }
  const cut = entry.truncated ? { truncated: true } : {}
  if (kind === 'mqtt') {
    return JSON.stringify({
      type: 'message',
      topic: entry.event,
      ...base,
      ...parsedId(entry),
      encoding: entry.encoding,
      data: entry.data,
      ...cut,
    })
  }
  let args: unknown = entry.data
  try {
    args = JSON.parse(entry.data)
  } catch {
    // A cut entry is not whole JSON: its text goes out as it is, marked truncated.
  }
  return JSON.stringify({ type: 'event', event: entry.event, ...base, ...parsedId(entry), args, ...cut })
}

function humanMessage(kind: 'mqtt' | 'socketio', entry: StreamEntry, origin: number): string {
  const when = `${((entry.t - origin) / 1000).toFixed(3).padStart(8)}s`
  const arrow = entry.dir === 'in' ? '←' : '→'
  if (entry.kind === 'control') return `${when} ${arrow} ${entry.event === 'ack' ? 'ack ' : ''}${entry.data}`
  let label = entry.event ?? ''
  if (kind === 'mqtt') {
    const d = parseMqttDelivery(entry.id)
    if (d) label += ` [QoS ${d.qos}${d.retain ? ', retained' : ''}${d.dup ? ', dup' : ''}]`
    if (d?.topicHex) label += ` [topic (not UTF-8): ${topicBytes(d.topicHex)}]`
  } else {
    const id = parsedId(entry)
    if (typeof id['ack'] === 'number') label += ` [ack #${id['ack']}]`
    if (id['ackAsked'] === true) label += ' [server asked for an ack]'
  }
  const data =
    entry.encoding === 'base64'
      ? `(hex) ${Buffer.from(entry.data, 'base64')
          .toString('hex')
          .replace(/(..)(?=.)/g, '$1 ')}`
      : entry.data
  const cut = entry.truncated
    ? ` … (first ${formatBytes(MAX_PRINT)} of ${formatBytes(entry.size)} shown)`
    : ''
  return `${when} ${arrow} ${label} (${formatBytes(entry.size)}) ${data}${cut}`
}

/** Hex shown of a topic that is not UTF-8: enough to tell two such topics apart on one line. */
const MAX_TOPIC_HEX_BYTES = 128

/**
 * A topic's bytes, as `--json`'s `topicHex` has them, for one that is not UTF-8: its text shows U+FFFD for each
 * bad byte, and two topics that differ only there look the same. A long one is cut, its length said.
 */
function topicBytes(hex: string): string {
  const bytes = hex.length / 2
  if (bytes <= MAX_TOPIC_HEX_BYTES) return `0x${hex}`
  return `0x${hex.slice(0, MAX_TOPIC_HEX_BYTES * 2)}… (${byteCount(bytes)})`
}

function jsonLine(e: TimelineEvent): string | null {
  switch (e.type) {
    case 'stream-open':
    case 'stream-closed':
    case 'retry':
    case 'done':
    case 'error':
    case 'cancelled': {
      const { sid: _sid, ...rest } = e
      return JSON.stringify(rest)
    }
    default:
      return null
  }
}

/** A time on the session's clock, from its first event, as every line for people starts. */
function stamp(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(8)}s`
}

function humanLine(e: TimelineEvent, origin: number): string | null {
  const at = stamp(e.t - origin)
  switch (e.type) {
    case 'queued': {
      // Named as its timeline row names it (a broker by host:port), the URL after it as the row's title has it.
      const { name, where } = rowName(e.kind, e.url)
      return `* ${e.kind === 'mqtt' ? 'MQTT' : 'Socket.IO'} ${name}${where ? ` ${where}` : ''} (${e.url})`
    }
    case 'response-headers':
      return `${at} * ${e.statusText}`
    case 'stream-open':
      return `${at} * ${e.attempt > 0 ? `reconnected (#${e.attempt}), ` : ''}open${e.note ? `: ${e.note}` : ''}`
    case 'retry':
      return `${at} * reconnecting in ${e.delayMs} ms (#${e.attempt}): ${e.reason}`
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
