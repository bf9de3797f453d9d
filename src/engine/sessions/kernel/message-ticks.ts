import type {
  SseEventEvent,
  StreamDirection,
  StreamMessageKind,
  WsMessageEvent,
} from '../../../shared/timeline'

/** Characters of a message shown on its tick (the whole message is read from the log). */
export const PREVIEW_CHARS = 80
/** Bytes decoded for a text preview: enough for PREVIEW_CHARS characters of any script. */
const PREVIEW_BYTES = PREVIEW_CHARS * 4
/** Bytes shown, in hex, for a binary message. */
const HEX_BYTES = 24

/** What some ticks carry beyond the common fields. */
export interface TickExtra {
  /** Consecutive messages recorded together (seq .. seq + count - 1); 1 when absent. */
  count?: number
  /** SSE: the event type and id (the last message's). */
  event?: string | undefined
  id?: string | undefined
  /** WebSocket close frames: the code. */
  code?: number | undefined
  /** GraphQL: how many of the messages were results carrying `errors`. */
  errors?: number | undefined
}

/**
 * A message that carries a name and an id besides its data, kept in its log entry (searchable) and told on its
 * tick: an MQTT message's topic and its QoS/retain, a Socket.IO event's name and its ack id.
 */
export interface NamedMessage {
  event?: string
  id?: string
  /** GraphQL: the message is a result carrying `errors` (1), marked on the lane. */
  errors?: number
}

/**
 * The preview of a message: the first characters of text, the first bytes of binary in hex. Runs once per
 * message, so it allocates one small string and no more.
 */
export function previewOf(kind: StreamMessageKind, data: Buffer | string): string {
  let text: string
  if (typeof data === 'string') text = data
  else if (kind === 'binary') return hexPreview(data)
  else text = data.toString('utf8', 0, data.length < PREVIEW_BYTES ? data.length : PREVIEW_BYTES)
  return text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text
}

/**
 * A message's tick on the lane: what the timeline shows of one message (or a run of them). Built as one object
 * literal: this runs for every message of a flood.
 */
export function buildTick(
  type: 'sse-event' | 'ws-message',
  sid: string,
  t: number,
  seq: number,
  dir: StreamDirection,
  kind: StreamMessageKind,
  size: number,
  preview: string,
  extra?: TickExtra,
): SseEventEvent | WsMessageEvent {
  const text = preview.length > PREVIEW_CHARS ? preview.slice(0, PREVIEW_CHARS) : preview
  if (type === 'ws-message') {
    const e: WsMessageEvent = { type, sid, t, seq, dir, kind, size, preview: text }
    if (extra?.count !== undefined && extra.count > 1) e.count = extra.count
    if (extra?.code !== undefined) e.code = extra.code
    if (extra?.errors) e.errors = extra.errors
    return e
  }
  const e: SseEventEvent = { type, sid, t, seq, dir, kind, size, preview: text }
  if (extra?.count !== undefined && extra.count > 1) e.count = extra.count
  if (extra?.event !== undefined) e.event = extra.event
  if (extra?.id !== undefined) e.id = extra.id
  if (extra?.errors) e.errors = extra.errors
  return e
}

function hexPreview(data: Buffer): string {
  const n = Math.min(data.length, HEX_BYTES)
  let out = ''
  for (let i = 0; i < n; i++) out += (i ? ' ' : '') + (data[i] ?? 0).toString(16).padStart(2, '0')
  return data.length > n ? `${out} …` : out
}
