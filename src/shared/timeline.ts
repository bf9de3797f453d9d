import type { CookieJarNote } from './cookie-jar-note'
import type { ErrorCode } from './result'
import type { GraphqlErrorInfo, OperationType } from './graphql'
import type { ScriptPhaseReport } from './scripts'
import type { ServerTiming } from './server-timing'

/**
 * The timeline event union: everything a session (an HTTP exchange now; SSE, WebSocket and poll loops later)
 * reports. Every event carries `sid` and `t`: milliseconds on one monotonic clock shared by all sessions of an
 * engine, so bars line up across requests. Phase events also carry `start` on the same clock. The wall-clock
 * start is sent once, on `queued`.
 *
 * One session is one HTTP exchange (one hop). A redirect ends its session with a `redirect` event that names
 * the next hop's session, which starts with `initiator` set, as browsers list each hop as its own entry.
 */

/**
 * `sse` covers every streamed HTTP response (event streams, NDJSON, chunked text); `ws` a WebSocket;
 * `webhook` an incoming call to the local webhook inbox (queued, then one `webhook-call`); `grpc` one gRPC call
 * of any of the four kinds (its messages are `ws-message` ticks, JSON text, in and out).
 */
export type SessionKind = 'http' | 'sse' | 'ws' | 'webhook' | 'grpc' | 'mqtt' | 'socketio'
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
  /** Set when this session belongs on another session's lane (a job's polls, a long poll's repeats). */
  lane?: string
  /** The saved request this was sent from (its file in a collection, or a run's step), shown as the row's name. */
  name?: string
  /**
   * A stream the server pushed (HTTP/2 PUSH_PROMISE) with the request `initiator`: the request headers it
   * promised (:method, :path, :authority, ...). Its timings run from the promise to its end.
   */
  promised?: HeaderList
  /** A GraphQL operation's stream session (a subscription): the protocol's messages are the engine's to send. */
  graphql?: OperationType
  /**
   * The session that carries this one's messages: a GraphQL operation multiplexed over a shared WebSocket names
   * its connection's session, and is listed as a sibling lane under that connection's row.
   */
  connection?: string
  /**
   * Secret variables this request used that have no value on this machine (a `{{token}}` at any depth, or read
   * by its pre-request script): it went out with them empty. `where` says where each is declared.
   */
  emptySecrets?: EmptySecretUse[]
  /** What the person should know about how it went (a token URL on plain http to a host that is not loopback). */
  notice?: string
}

/** A secret variable a send used while it had no value here, and where it is declared (`environment "ci"`). */
export interface EmptySecretUse {
  name: string
  where: string
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
  /** What the engine changed in the request as given, in plain words (a multipart Content-Type without boundary). */
  note?: string
  /**
   * This is the request's second send: the server cut the first off before any response (it closed the kept-alive
   * connection, refused the HTTP/2 stream or ended the connection with a GOAWAY); `note` says which.
   */
  resent?: true
  /** The W3C trace the request joined: read from the traceparent it went out with, when that was well-formed. */
  traceId?: string
  /** Its traceparent's parent id: the span this request is in the trace. */
  spanId?: string
}

export interface ResponseHeadersEvent extends Base {
  type: 'response-headers'
  status: number
  statusText: string
  httpVersion: string
  headers: HeaderList
  headersBytes: number
  /** What the cookie jar refused or let go of this response's Set-Cookie headers, when it did. */
  cookieJar?: CookieJarNote
}

/**
 * Interim (1xx) responses before the final one: 103 Early Hints, 102 Processing. They are not the response:
 * the exchange is still waiting. The first MAX_KEPT_INFORMATIONAL each arrive as their own event with their
 * headers (103's Link headers); past that, events only update `count`, at most every INFORMATIONAL_EVERY_MS,
 * so a server that sends them without end costs a bounded number of events and bytes.
 */
export interface InformationalEvent extends Base {
  type: 'informational'
  /** The latest one's status and reason phrase. */
  status: number
  statusText: string
  /** Interim responses received so far on this exchange, this one included. */
  count: number
  /** Its headers, for the first MAX_KEPT_INFORMATIONAL only (at most MAX_INFORMATIONAL_HEADERS, values clipped). */
  headers?: HeaderList
  /** What was left out of `headers`, in plain words, when something was. */
  note?: string
}

/** Interim responses reported with their headers; later ones are counted. */
export const MAX_KEPT_INFORMATIONAL = 8
export const MAX_INFORMATIONAL_HEADERS = 32
export const MAX_INFORMATIONAL_VALUE = 2048
/** Past the kept ones, the count is reported at most this often. */
export const INFORMATIONAL_EVERY_MS = 100

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
  /** Bytes of the response body received before the failure; a partial body is discarded, not kept. */
  partialBodyBytes?: number
}

export interface CancelledEvent extends Base {
  type: 'cancelled'
  timings: HarTimings
  /** As on `error`: the partial body's bytes, discarded. */
  partialBodyBytes?: number
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
  /** What the server said it spent its time on (Server-Timing in the headers, then the trailers), when it did. */
  serverTiming?: ServerTiming
  /** A request sent with Accept server push: the streams the server promised, accepted and refused past the cap. */
  pushes?: PushCount
}

export interface PushCount {
  accepted: number
  refused: number
  /** Why some were refused, in plain words, when some were. */
  note?: string
}

/**
 * Stream sessions (SSE and WebSocket). The first connection reports its handshake with the usual phase events
 * (dns, connect, tls, request-sent, response-headers), so the lane starts like any request; reconnects are
 * summarised in their `stream-open` (with the handshake's own timings) so a row keeps one waterfall. Every
 * message is a `sse-event` / `ws-message` tick; the data itself stays in the engine's log, read by `stream.read`.
 */
export type StreamMode = 'sse' | 'ndjson' | 'chunks' | 'ws' | 'grpc' | 'mqtt' | 'socketio'
export type StreamDirection = 'in' | 'out'
export type StreamMessageKind =
  | 'event'
  | 'comment'
  | 'invalid'
  | 'line'
  | 'chunk'
  | 'text'
  | 'binary'
  | 'ping'
  | 'pong'
  | 'close'
  /** A protocol's control packet shown among the messages: MQTT's acks and SUBACK, Socket.IO's acks. */
  | 'control'

interface StreamMessageBase extends Base {
  /** Index of the message in the session's log (0-based, gapless). */
  seq: number
  dir: StreamDirection
  kind: StreamMessageKind
  /** Bytes of the message's data (UTF-8 for text); with `count`, of all of them. */
  size: number
  /** The first few characters of the data, for labels; the whole message is read from the log. */
  preview: string
  /**
   * Consecutive messages (seq .. seq + count - 1) of the same direction and type that arrived within a
   * millisecond travel as one event: the sink merges them, so a fast stream costs the timeline per
   * millisecond rather than per message. `t` is the first one's; preview, event, id and code the last one's.
   * Absent means 1.
   */
  count?: number
  /** GraphQL: how many of these messages were results carrying `errors` (marked red on the lane). */
  errors?: number
  /**
   * The session's messages before this one, in and out, kept in its log or not (`seq` stops at a log's cut;
   * this does not): a page counting live events and a replayed tally counts each message once
   * (shared/stream-tally.ts). Set by the engine's timeline journal; absent where it keeps nothing (the CLI).
   */
  ordinal?: number
}

export interface SseEventEvent extends StreamMessageBase {
  type: 'sse-event'
  /** The event type (`message` when the stream named none); absent for comments, chunks and lines. */
  event?: string
  id?: string
}

export interface WsMessageEvent extends StreamMessageBase {
  type: 'ws-message'
  /** Close frames: the code. */
  code?: number
}

export interface StreamOpenEvent extends Base {
  type: 'stream-open'
  mode: StreamMode
  /** 0 for the first connection, then 1, 2, ... for reconnects. */
  attempt: number
  /** HTTP status of the handshake (101 for WebSocket). */
  status: number
  /** The handshake's phases; for attempt 0 they match the phase events. */
  handshake: HarTimings
  /** WebSocket: the subprotocol and extensions the server accepted. */
  protocol?: string
  extensions?: string
  /** How the response is read when that is not what was asked for (a 200 text/plain read as raw chunks). */
  note?: string
}

export interface RetryEvent extends Base {
  type: 'retry'
  /** The reconnect about to be made (1-based). */
  attempt: number
  /** How long the engine waits before reconnecting. */
  delayMs: number
  /** Why the previous connection ended, in plain words. */
  reason: string
  /** SSE: the Last-Event-ID the reconnect will send. */
  lastEventId?: string
  /**
   * Messages in the session's log when the reconnect was scheduled: the reconnect's first message gets this
   * seq, so the message log can mark where each connection's messages start (a reconnect that delivers
   * nothing shares it with the next). Absent from events of older engines.
   */
  seq?: number
}

export interface StreamClosedEvent extends Base {
  type: 'stream-closed'
  /** Who ended the connection. */
  by: 'client' | 'server' | 'network'
  /** WebSocket close code (1006 when the connection dropped without a close frame). */
  code?: number
  /** The close reason or cause, in plain words. */
  reason: string
  /** True when the session will reconnect (a `retry` follows). */
  willRetry: boolean
}

/**
 * An incoming call to the webhook inbox. It is a session of its own (kind `webhook`): a `queued` event (method,
 * the inbox URL it hit, `initiator` = the session whose request carried the token) and then this one, which
 * ends it. The body is stored in the engine like a response body and read with `body.read`.
 */
export interface WebhookCallEvent extends Base {
  type: 'webhook-call'
  method: string
  /** The path after the token, e.g. `/done`; `/` when there was none. */
  path: string
  query: string
  headers: HeaderList
  body: BodyRef
  remoteAddress: string
  /** The session whose request carried the correlation token ({{$webhook}}), when known. */
  owner?: string
  /**
   * The trace id the call carried (its traceparent, or the JSON body field a request's `trace.bodyField`
   * names), when it was one a request of this engine sent: then `owner` is that request's session.
   */
  traceId?: string
}

export type JobMode = 'follow' | 'long-poll'
export type JobState =
  | 'running'
  | 'completed'
  | 'failed'
  | 'deadline'
  | 'max_polls'
  | 'matched'
  | 'max_repeats'
  | 'error'
  | 'cancelled'

/**
 * The state of a job that session `sid` started (following a 202, or a long poll whose first request is
 * `sid`). Sent when it starts, after each poll, and once at the end; its polls are sessions of their own with
 * `lane: sid`. A job event never ends `sid`'s own exchange.
 */
export interface JobEvent extends Base {
  type: 'job'
  mode: JobMode
  state: JobState
  /** Polls (or repeats after the first request) sent so far. */
  polls: number
  /** One plain sentence: what the job is doing or how it ended. */
  message: string
  statusUrl?: string
  lastStatus?: number
  /** The value at the condition's JSONPath in the last answer, as JSON text (at most 200 characters). */
  lastValue?: string
}

/**
 * A request's scripts ran (or were stopped): one event per phase, on the request's session. `pre` comes before
 * `request-sent`, `post` after the response; neither ends the session. Drawn as script segments on the row.
 */
export interface ScriptEvent extends Base {
  type: 'script'
  report: ScriptPhaseReport
}

/**
 * What a GraphQL query's or mutation's result said, read once its exchange ended: the operation, whether the
 * result carried data, and its errors (a 200 with errors is marked by this). Sent after the session's `done`;
 * it never ends a session. `note` says when the result could not be read as one (not JSON, too large).
 */
export interface GraphqlEvent extends Base {
  type: 'graphql'
  operation: OperationType
  name?: string
  hasData: boolean
  errorCount: number
  /** The first MAX_KEPT_ERRORS of them. */
  errors: GraphqlErrorInfo[]
  note?: string
}

export type TimelineEvent =
  | QueuedEvent
  | DnsEvent
  | ConnectEvent
  | TlsEvent
  | RequestSentEvent
  | ResponseHeadersEvent
  | InformationalEvent
  | BodyProgressEvent
  | RedirectEvent
  | ErrorEvent
  | CancelledEvent
  | DoneEvent
  | SseEventEvent
  | WsMessageEvent
  | StreamOpenEvent
  | RetryEvent
  | StreamClosedEvent
  | WebhookCallEvent
  | JobEvent
  | ScriptEvent
  | GraphqlEvent

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

/** Timings in which no phase happened (each -1), lasting `time`: a call coming in, or the start of a sum. */
export function noPhases(time: number): HarTimings {
  return { blocked: -1, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, time }
}
