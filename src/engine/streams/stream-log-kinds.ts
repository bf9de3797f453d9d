import type { StreamMessageKind } from '../../shared/timeline'

/**
 * How a stream log codes an entry's kind and direction in its flag byte, and which kinds read back as text.
 */

export const KINDS: readonly StreamMessageKind[] = [
  'event',
  'comment',
  'invalid',
  'line',
  'chunk',
  'text',
  'binary',
  'ping',
  'pong',
  'close',
  'control',
]
/** A plain object, not a Map: looked up once per message. */
export const KIND_CODE = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<StreamMessageKind, number>
/** Entry flags: the kind code in bits 0-3, then these. */
export const OUT = 16
/**
 * The entry is an SSE event kept as the text its block came in (`holdEvents`): its group (stream-log-held.ts)
 * says when it came, which of the log's blocks texts it is in and which event of that text it is.
 */
export const HELD = 32
/**
 * The entry is a message kept as the packet it came in, among the connection's bytes the log keeps
 * (`holdSlice`, `appendPacket`): its group (stream-log-packets.ts) says when it came, where, and its name and id.
 */
export const PACKET = 64

/** Kinds whose bytes are text by definition (SSE fields, NDJSON lines, WebSocket text frames). */
export const TEXT_KINDS = new Set<StreamMessageKind>([
  'event',
  'comment',
  'invalid',
  'line',
  'text',
  'close',
  'control',
])
/** Kinds shown as text when their bytes happen to be UTF-8 (raw chunks, ping and pong payloads). */
export const MAYBE_TEXT_KINDS = new Set<StreamMessageKind>(['chunk', 'ping', 'pong'])
