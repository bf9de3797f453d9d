import type { AppError } from '../../../shared/result'
import type { OperationType } from '../../../shared/graphql'
import type { EmptySecretUse, SessionKind, StreamMode } from '../../../shared/timeline'
import type { ExchangeMarks } from '../../http/timings'
import type { SessionAttempt } from './session-attempt'

/**
 * The seam between the session kernel (session-kernel.ts) and one protocol. The kernel owns a long-lived
 * session's life — `queued`, the attempts and their numbering, `stream-open` / `stream-closed` / `retry`, the
 * reconnect policy and its timer, message recording (log entry plus a tick), the person's close, the terminal
 * event with its HAR timings — and a transport owns what is particular to its protocol: how to connect one
 * attempt, read its frames and close it. A transport never emits those lifecycle events itself.
 */
export interface SessionTransport {
  /**
   * Make one connection attempt (the first, or a reconnect) and report on it through `attempt`: its handshake
   * phases, `opened`, its messages, and exactly one `ended`. Reports of an attempt the kernel has let go of
   * (closed by the person, superseded) are ignored, so a transport need not guard against late callbacks.
   */
  connect(attempt: SessionAttempt): void
  /** Drop the attempt at once (the person closed the session, or it is disposed): no report is expected. */
  abort(attempt: SessionAttempt): void
  /**
   * Optional: begin a closing handshake on an open connection (a WebSocket close frame). Return true when one
   * was started: the attempt's `ended` report then ends the session as closed by the person. Without it (or
   * when it returns false) the kernel aborts the attempt and ends the session at once.
   */
  beginClose?(attempt: SessionAttempt): boolean
  /** Let go of what the session holds (an undici agent, a timer, a socket) once it has ended. */
  release?(): void
}

/** What the kernel puts on the session's `queued` event. */
export interface SessionTarget {
  method: string
  /** The URL as parsed (its href), or as given when it did not parse. */
  url: string
  /** Set when the request cannot be made at all: the session ends with this error right after `queued`. */
  invalid: AppError | null
  /** The row's name, in place of the URL's path (a GraphQL subscription's `subscription OnTick`). */
  name?: string
  /** A GraphQL operation's session: its protocol's conversation is the engine's, so nothing is sent by hand. */
  graphql?: OperationType
  /** The session runs over another session's connection (a GraphQL operation multiplexed over one socket). */
  connection?: string
  /** Secrets with no value here that its opening request used (sent empty): its `queued` event names them. */
  emptySecrets?: EmptySecretUse[]
}

/** An attempt is open: the connection is up and messages may flow (a 2xx stream, a WebSocket upgraded). */
export interface OpenedReport {
  status: number
  mode: StreamMode
  /** The handshake's instants; the first attempt's are the session's timings when it ends. */
  marks: ExchangeMarks
  /** When the handshake ended on the engine clock (the response's headers); defaults to now. */
  at?: number
  /** WebSocket: the subprotocol and extensions the server accepted. */
  protocol?: string
  extensions?: string
  /** How the response is read when that is not what was asked for. */
  note?: string
}

/** How an attempt ended. The kernel decides from it (and its policy) whether to reconnect. */
export interface EndedReport {
  /** Why, in plain words: the reason on `stream-closed` and on the `retry` that may follow. */
  reason: string
  /**
   * How the session ends when it is not reconnected: this error, or (absent) done; a session that gave up
   * reconnecting fails either way (the policy's "Gave up after N…").
   */
  error?: AppError
  /** Could a reconnect help? (A protocol error Flightdeck detected, a refused response, would repeat.) */
  reconnectable: boolean
  /** Who ended an open connection, for `stream-closed` (not told for an attempt that never opened). */
  by: 'client' | 'server' | 'network'
  /** WebSocket: the close code. */
  code?: number
  /** SSE: the Last-Event-ID a reconnect sends, told on the `retry` event. */
  lastEventId?: string
  /**
   * A connection the person closed: what the close cost, told after their close words (MQTT: the publishes
   * still awaiting their acks, lost).
   */
  closeNote?: string
}

/** What kind of session the kernel runs: its `queued` kind and the type of its message ticks. */
export interface SessionFlavour {
  kind: Exclude<SessionKind, 'http' | 'webhook'>
  tick: 'sse-event' | 'ws-message'
}
