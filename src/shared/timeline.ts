import type { ErrorCode } from './result'

/**
 * The timeline event union: everything a session (an HTTP exchange now; SSE, WebSocket and poll loops later)
 * reports. Every event carries `sid` and `t`: milliseconds on one monotonic clock shared by all sessions of an
 * engine, so bars line up across requests. Phase events also carry `start` on the same clock. The wall-clock
 * start is sent once, on `queued`.
 *
 * One session is one HTTP exchange (one hop). A redirect ends its session with a `redirect` event that names
 * the next hop's session, which starts with `initiator` set, as browsers list each hop as its own entry.
 */

export type SessionKind = 'http'
export type HttpProtocol = 'http/1.1' | 'h2'
export type HeaderList = [string, string][]

export interface BatchRef {
  id: string
  index: number
  size: number
}

interface Base {
  sid: string
  t: number
}

export interface QueuedEvent extends Base {
  type: 'queued'
  kind: SessionKind
  /** Wall-clock ms since the epoch when the session was queued. */
  wall: number
  method: string
  url: string
  /** 0 for the request as sent, 1.. for redirect hops. */
  hop: number
  initiator?: string
  batch?: BatchRef
}

export interface DnsEvent extends Base {
  type: 'dns'
  start: number
  host: string
  address: string
  family: number
}

export interface ConnectEvent extends Base {
  type: 'connect'
  start: number
  remoteAddress: string
  remotePort: number
}

export interface TlsEvent extends Base {
  type: 'tls'
  start: number
  version: string
  cipher: string
  alpn: string
  authorized: boolean
  authorizationError?: string
}

export interface RequestSentEvent extends Base {
  type: 'request-sent'
  /** When the request was handed to a connection (first header byte written). */
  start: number
  reused: boolean
  connectionId: number
  protocol: HttpProtocol
  remoteAddress: string
  remotePort: number
  headers: HeaderList
  headersBytes: number
  bodyBytes: number
}

export interface ResponseHeadersEvent extends Base {
  type: 'response-headers'
  status: number
  statusText: string
  httpVersion: string
  headers: HeaderList
  headersBytes: number
}

export interface BodyProgressEvent extends Base {
  type: 'body-progress'
  /** Bytes received on the wire so far (before decompression). */
  wireBytes: number
  /** Decoded body bytes so far. */
  bodyBytes: number
}

export interface RedirectEvent extends Base {
  type: 'redirect'
  status: number
  location: string
  next: string
}

export interface ErrorEvent extends Base {
  type: 'error'
  code: ErrorCode
  message: string
  detail?: string
  timings: HarTimings
}

export interface CancelledEvent extends Base {
  type: 'cancelled'
  timings: HarTimings
}

export interface BodyRef {
  id: string
  size: number
  contentType: string
  /** True when the body spilled to a temp file instead of memory. */
  onDisk: boolean
}

export interface DoneEvent extends Base {
  type: 'done'
  status: number
  wireBytes: number
  bodyBytes: number
  body: BodyRef
  timings: HarTimings
}

export type TimelineEvent =
  | QueuedEvent
  | DnsEvent
  | ConnectEvent
  | TlsEvent
  | RequestSentEvent
  | ResponseHeadersEvent
  | BodyProgressEvent
  | RedirectEvent
  | ErrorEvent
  | CancelledEvent
  | DoneEvent

export type TimelineEventType = TimelineEvent['type']

/** Events after which a session emits nothing more. */
export const TERMINAL_TYPES: ReadonlySet<TimelineEventType> = new Set([
  'done',
  'error',
  'cancelled',
  'redirect',
])

/**
 * Phase durations in ms, named as HAR 1.2 names them. -1 where a phase did not happen (a reused connection
 * has no dns/connect/ssl). As in HAR, `ssl` is also counted inside `connect`; `time` is the sum of blocked,
 * dns, connect, send, wait and receive (ignoring -1).
 */
export interface HarTimings {
  blocked: number
  dns: number
  connect: number
  ssl: number
  send: number
  wait: number
  receive: number
  time: number
}
