import { isUtf8 } from 'node:buffer'

/**
 * Reading an SSE event back out of the stream log. The engine keeps an event stream's raw bytes and, per event,
 * where its block of lines starts and ends (see `SseDecoder`); the event's data and type are worked out here,
 * only when someone reads the entry, by the same field rules the decoder applied on receipt (WHATWG
 * EventSource: lines end in CR, LF or CRLF; `data` lines join with LF; `event` sets the type; comments and
 * other fields are skipped; one space after the colon is dropped).
 */

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

export interface SseBlock {
  /** The event's data, as UTF-8 (bytes that were not UTF-8 are replaced by U+FFFD, as the spec decodes). */
  data: Buffer
  /** The event type; `message` when the block named none. */
  event: string
}

/** True when bytes `at`.. of `buf` spell `name` followed by a colon or the end of the line. */
function fieldIs(buf: Buffer, at: number, end: number, name: string): number {
  const n = name.length
  if (at + n > end) return -1
  for (let k = 0; k < n; k++) if (buf[at + k] !== name.charCodeAt(k)) return -1
  if (at + n === end) return end
  if (buf[at + n] !== COLON) return -1
  const v = at + n + 1
  return v < end && buf[v] === SPACE ? v + 1 : v
}

/** Parse one event block (its lines, without the blank line that ended it). */
export function parseEventBlock(buf: Buffer): SseBlock {
  const n = buf.length
  const parts: Buffer[] = []
  let event = ''
  let pos = 0
  while (pos < n) {
    let end = pos
    while (end < n && buf[end] !== LF && buf[end] !== CR) end++
    if (end > pos && buf[pos] !== COLON) {
      const dv = fieldIs(buf, pos, end, 'data')
      if (dv !== -1) parts.push(buf.subarray(dv, end))
      else {
        const ev = fieldIs(buf, pos, end, 'event')
        if (ev !== -1) event = buf.toString('utf8', ev, end)
      }
    }
    pos = end + 1
    if (buf[end] === CR && buf[pos] === LF) pos++
  }
  let data: Buffer
  if (parts.length === 1) data = parts[0] as Buffer
  else {
    const joined: Buffer[] = []
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) joined.push(NEWLINE)
      joined.push(parts[i] as Buffer)
    }
    data = Buffer.concat(joined)
  }
  if (!isUtf8(data)) data = Buffer.from(data.toString('utf8'))
  return { data, event: event === '' ? 'message' : event }
}

const NEWLINE = Buffer.from('\n')
