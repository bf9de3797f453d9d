import type {
  BodyProgressEvent,
  CancelledEvent,
  ConnectEvent,
  DnsEvent,
  DoneEvent,
  ErrorEvent,
  GraphqlEvent,
  HeaderList,
  JobEvent,
  QueuedEvent,
  RedirectEvent,
  RequestSentEvent,
  ResponseHeadersEvent,
  TlsEvent,
  WebhookCallEvent,
} from '../../shared/timeline'
import type { RowScripts } from '../scripts/row-scripts'

/** One interim (1xx) response kept with its headers: a marker on the lane. */
export interface InformationalMark {
  readonly t: number
  readonly status: number
  readonly statusText: string
  readonly headers: HeaderList
  readonly note?: string
}

/**
 * The interim responses of an exchange: the first few with their headers (the engine sends at most
 * MAX_KEPT_INFORMATIONAL of those), then only how many came, so a flood costs a row nothing more.
 */
export interface InformationalSummary {
  readonly kept: readonly InformationalMark[]
  readonly count: number
  /** The latest one's status and when the latest count arrived. */
  readonly status: number
  readonly statusText: string
  readonly lastT: number
}

/** Where a session is in its life, as the row's `data-state` shows it. */
export type RowState = 'queued' | 'active' | 'done' | 'error' | 'cancelled'

export type TerminalEvent = RedirectEvent | ErrorEvent | CancelledEvent | DoneEvent

/**
 * One row of the timeline: derived state for one session (one HTTP exchange; a redirect hop is its own
 * session). It keeps the latest event of each kind as the engine sent it, never a log of events, so a row
 * costs the same whether its body arrived in 1 chunk or 10,000. Rows are immutable: an update replaces the
 * row object, so a memoised row component re-renders only when its own session changed.
 */
export interface SessionRow {
  readonly sid: string
  /** Arrival order, stable across clears. */
  readonly seq: number
  readonly state: RowState
  /** HTTP status once known (response headers, a redirect, or done); null before and on network errors. */
  readonly status: number | null
  /** Engine ms of the latest event seen for this session. */
  readonly lastT: number
  /** Engine ms of the terminal event; null while in flight. */
  readonly end: number | null
  readonly queued: QueuedEvent
  readonly dns?: DnsEvent
  readonly connect?: ConnectEvent
  readonly tls?: TlsEvent
  readonly sent?: RequestSentEvent
  readonly response?: ResponseHeadersEvent
  /** 1xx responses before the final one (103 Early Hints): markers, never the row's status. */
  readonly informational?: InformationalSummary
  readonly progress?: BodyProgressEvent
  readonly terminal?: TerminalEvent
  /** A webhook call (kind `webhook`): what came in. */
  readonly webhook?: WebhookCallEvent
  /** The job (follow or long poll) this request started: its latest state. */
  readonly job?: JobEvent
  /** A GraphQL query's result: its operation and errors (a 200 with errors is marked by them). */
  readonly graphql?: GraphqlEvent
  /** Sessions drawn on this row's lane (a job's polls, a long poll's repeats), in order. */
  readonly members?: readonly string[]
  /** Webhook calls caused by this request (their sids), ticked on its lane. */
  readonly hooks?: readonly string[]
  /** Set on a poll or repeat: the row whose lane it is drawn on (it has no row of its own). */
  readonly laneOf?: string
  /** What the request's scripts reported: the latest report of each phase. */
  readonly scripts?: RowScripts
  /** Set on a session a script started (`pm.sendRequest`): the request whose script sent it. */
  readonly scriptParent?: string
  /** The latest session this row's scripts started: the next one is listed after it. */
  readonly lastScriptChild?: string
  /** The latest stream the server pushed with this request: the next one is listed after it. */
  readonly lastPush?: string
  /** A shared GraphQL connection: the latest operation over it, listed after it (the next one goes after that). */
  readonly lastOperation?: string
}

/** True while a job this row started is still polling. */
export function jobRunning(row: SessionRow): boolean {
  return row.job?.state === 'running'
}

export function isInFlight(row: SessionRow): boolean {
  return row.state === 'queued' || row.state === 'active'
}

/** Transferred bytes so far (wire, before decompression), as network panels show them. */
export function wireBytes(row: SessionRow): number | null {
  if (row.terminal?.type === 'done') return row.terminal.wireBytes
  return row.progress ? row.progress.wireBytes : null
}

/** Decoded body bytes so far. */
export function bodyBytes(row: SessionRow): number | null {
  if (row.terminal?.type === 'done') return row.terminal.bodyBytes
  return row.progress ? row.progress.bodyBytes : null
}

/** Whole duration of a finished session in ms (HAR `time` when the engine sent timings). */
export function durationMs(row: SessionRow): number | null {
  const term = row.terminal
  if (!term) return null
  if (term.type !== 'redirect') return term.timings.time
  return term.t - row.queued.t
}

// A row's name is the CLI's too (`flightdeck mqtt`, `socketio`): one definition, in shared.
export { displayPath, hostOf, rowName } from '../../shared/session-name'
