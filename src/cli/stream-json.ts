import type { EngineService } from '../engine/service'
import { utf8Boundary } from '../engine/streams/stream-log-records'
import type { StreamEntry } from '../shared/streams'
import type { TimelineEvent } from '../shared/timeline'
import type { StreamIo } from './stream-command'

/** `flightdeck sse|ws --json`: each event, and each message with its whole data, as one JSON line. */

/** Bytes of a message's data read from the log at a time (a multiple of 3: base64 pieces join). */
const PIECE = 3 * 256 * 1024

type MessageEvent = Extract<TimelineEvent, { type: 'sse-event' | 'ws-message' }>

/**
 * One message as one JSON line, its whole data included: read from the log and written a piece at a time, so
 * a large message never sits in memory as one string. The per-message fields (type, id, code, size, time) are
 * the log entry's: a merged event carries only its last message's.
 */
export function printJsonMessage(service: EngineService, e: MessageEvent, io: StreamIo): void {
  const log = e.seq < 0 ? undefined : service.streamLog(e.sid)
  const entry = log?.entry(e.seq, 0) ?? null
  const { sid: _sid, type: _type, preview, ...rest } = e
  const fields: Record<string, unknown> = { type: 'message', ...rest }
  if (entry) {
    // The event's own fields or none: never its run's last message's.
    delete fields['event']
    delete fields['id']
    delete fields['code']
    Object.assign(fields, { t: entry.t, size: entry.size }, eventFields(entry))
  }
  fields['encoding'] = entry?.encoding ?? 'utf8'
  if (!log || !entry) {
    // A message the log did not keep (it was full): what the timeline event carries, and that it is cut.
    fields['data'] = preview
    if (Buffer.byteLength(preview) < e.size) fields['truncated'] = true
    io.out(`${JSON.stringify(fields)}\n`)
    return
  }
  fields['data'] = ''
  const head = JSON.stringify(fields)
  // `…"data":""}` without its closing quote and brace: the data's pieces follow, then the end.
  io.out(head.slice(0, -2))
  let carry: Buffer = Buffer.alloc(0)
  for (let offset = 0; offset < entry.size; offset += PIECE) {
    const bytes = log.dataOf(e.seq, offset, PIECE)
    if (bytes === null || bytes.length === 0) break
    if (entry.encoding === 'base64') {
      io.out(bytes.toString('base64'))
      continue
    }
    // UTF-8: a character cut between pieces is completed from the next.
    const all = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes
    const whole = offset + bytes.length >= entry.size ? all.length : utf8Boundary(all, true)
    carry = Buffer.from(all.subarray(whole))
    io.out(JSON.stringify(all.toString('utf8', 0, whole)).slice(1, -1))
  }
  io.out('"}\n')
}

export function jsonLine(e: TimelineEvent): string | null {
  switch (e.type) {
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
