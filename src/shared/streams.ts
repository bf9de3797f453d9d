import type { StreamLogCut } from './stream-log-cut'
import type { StreamDirection, StreamMessageKind } from './timeline'

/**
 * Stream sessions (SSE and WebSocket): what the log returns, what a filter asks for, and plain words for
 * WebSocket close codes. Pure and free of zod, so the renderer can use it without the schema library.
 */

/** One message from a session's log, as `stream.read` returns it. */
export interface StreamEntry {
  seq: number
  /** Engine ms. */
  t: number
  dir: StreamDirection
  kind: StreamMessageKind
  /** Bytes of the whole message's data. */
  size: number
  /** `utf8` for text; `base64` for bytes that are not text (binary frames, non-UTF-8 chunks). */
  encoding: 'utf8' | 'base64'
  /** The data, cut to the read's `maxData` bytes (see `truncated`). */
  data: string
  truncated: boolean
  /** SSE: the event type (`message` when the stream named none) and the last event id at dispatch. */
  event?: string
  id?: string
  /** WebSocket close frames: the code. */
  code?: number
}

export interface StreamFilter {
  /** Case-insensitive (ASCII) text to find in the data, event type or id. */
  text?: string | undefined
  kinds?: StreamMessageKind[] | undefined
  dir?: StreamDirection | undefined
  /**
   * An MQTT topic filter (`sensors/+/temp`, `sensors/#`) the entry's name must match; control entries (acks,
   * SUBACKs) are not messages and never match it.
   */
  topic?: string | undefined
}

export interface StreamPage {
  /** Entries in the log (or, with a filter, matches found so far). */
  total: number
  /** False while a filtered scan has not reached the end of the log yet; ask again to continue it. */
  complete: boolean
  /**
   * With a filter: where its scan stands, the first `scanned` entries of the log looked at (all of them once
   * `complete`). A read scans a bounded number of entries and time, so a long log takes several reads.
   */
  scanned?: number
  /** Index (in the log, or among the matches) of the first entry returned. */
  from: number
  entries: StreamEntry[]
  /** Messages the log did not keep because it was full. */
  dropped: number
  /** Where and why the log stopped keeping messages (stream-log-cut.ts); absent while it keeps them all. */
  cut?: StreamLogCut
}

export interface StreamData {
  seq: number
  offset: number
  encoding: 'utf8' | 'base64' | 'hex'
  data: string
  /** Bytes returned. */
  length: number
  /** Bytes in the whole message. */
  total: number
}

/** Most entries one `stream.read` returns, and most data bytes per entry. */
export const MAX_STREAM_READ = 2000
export const MAX_STREAM_ENTRY_DATA = 1024 * 1024

/**
 * Whether an SSE session reconnects when nobody said: only a GET does, as EventSource. Reconnecting re-sends
 * the request, and a POST (an LLM completion, an order) must not be sent again without the person asking.
 */
export function sseReconnectByDefault(method: string): boolean {
  return method.trim().toUpperCase() === 'GET'
}

/** Defaults for opening streams; the composer and the CLI start from these (reconnect: sseReconnectByDefault). */
export const DEFAULT_SSE_OPTIONS = {
  /** Reconnects in a row that may fail (never reach an open stream, or deliver nothing) before giving up. */
  maxRetries: 5,
  /** The reconnection time until the server sets one with `retry:` (browsers use about 3 s). */
  retryMs: 3000,
  mode: 'auto' as 'auto' | 'sse' | 'ndjson' | 'chunks',
}

export const DEFAULT_WS_OPTIONS = {
  reconnect: false,
  maxRetries: 5,
  /** First reconnect delay; doubled per failed attempt up to `maxBackoffMs`. */
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  /** Incoming messages larger than this are refused (close 1009) with a clear error. */
  maxMessageBytes: 16 * 1024 * 1024,
  perMessageDeflate: true,
}

/** Close codes in plain words (RFC 6455 section 7.4 and the IANA registry). */
const CLOSE_CODES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status code',
  1006: 'abnormal closure, no close frame',
  1007: 'invalid data (e.g. text that is not UTF-8)',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'missing extension',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failed',
}

/** "1000 normal closure", "4001 application-defined", ... */
export function closeCodeText(code: number): string {
  const known = CLOSE_CODES[code]
  if (known) return `${code} ${known}`
  if (code >= 4000 && code <= 4999) return `${code} application-defined`
  if (code >= 3000 && code <= 3999) return `${code} registered by a library or framework`
  return `${code} unknown code`
}

/** Codes a client may send in a close frame (1000 and 3000–4999). */
export function isSendableCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999)
}
