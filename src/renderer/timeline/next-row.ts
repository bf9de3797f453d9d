import { MAX_KEPT_INFORMATIONAL, type InformationalEvent, type TimelineEvent } from '../../shared/timeline'
import { isInFlight, type InformationalSummary, type RowState, type SessionRow } from './session-row'

/**
 * A timeline row after one of its session's events: the per-row step of `applyBatch`, which owns the batch, the
 * order and the counts.
 */

function stateAfter(row: SessionRow, e: TimelineEvent): RowState {
  switch (e.type) {
    case 'done':
    case 'redirect':
      return 'done'
    case 'error':
      return 'error'
    case 'cancelled':
      return 'cancelled'
    case 'webhook-call':
      return 'done'
    case 'queued':
      return 'queued'
    default:
      return row.state === 'queued' ? 'active' : row.state
  }
}

/**
 * The row after one event; null when the event changes nothing (late, duplicate). Each case copies the row once:
 * a burst brings tens of thousands of events, and a copy for the common fields and another for the event's own
 * doubled the garbage a batch leaves (young-generation collections ran inside the batches' tasks).
 */
export function nextRow(row: SessionRow, e: TimelineEvent): SessionRow | null {
  if (!isInFlight(row)) return null
  const lastT = Math.max(row.lastT, e.t)
  const state = stateAfter(row, e)
  switch (e.type) {
    case 'queued':
      return null
    case 'dns':
      return { ...row, lastT, state, dns: e }
    case 'connect':
      return { ...row, lastT, state, connect: e }
    case 'tls':
      return { ...row, lastT, state, tls: e }
    case 'request-sent':
      return { ...row, lastT, state, sent: e }
    case 'response-headers':
      return { ...row, lastT, state, response: e, status: e.status }
    case 'informational':
      // Counted already (a timeline replay over live batches brings the same ones again).
      if (row.informational && e.count <= row.informational.count) return null
      // An interim response is not the response: the status stays unset and the row keeps waiting.
      return { ...row, lastT, state, informational: withInformational(row.informational, e) }
    case 'body-progress':
      return { ...row, lastT, state, progress: e }
    case 'redirect':
      return { ...row, lastT, state, terminal: e, status: e.status, end: e.t }
    case 'done':
      return { ...row, lastT, state, terminal: e, status: e.status, end: e.t }
    case 'error':
    case 'cancelled':
      return { ...row, lastT, state, terminal: e, end: e.t }
    // Stream sessions: messages and reconnects only move the row's lastT; their ticks and markers
    // live in the streams slice (src/renderer/streams).
    case 'stream-open':
      // An operation over a shared connection has no handshake of its own: its opening says the status.
      return row.status === null && row.queued.connection !== undefined
        ? { ...row, lastT, state, status: e.status }
        : { ...row, lastT, state }
    case 'sse-event':
    case 'ws-message':
    case 'retry':
    case 'stream-closed':
      return { ...row, lastT, state }
    case 'webhook-call':
      return { ...row, lastT, state, webhook: e, end: e.t }
    // Job events are applied before this (they arrive after the starting exchange ended).
    case 'job':
      return null
    // Script reports are applied before this (a post-response script may report after the exchange ended).
    case 'script':
      return null
    // A GraphQL result is applied before this too (it arrives after the exchange ended).
    case 'graphql':
      return null
  }
}

/** The summary after one informational event: its headers kept while under the bound, its count taken. */
function withInformational(
  prev: InformationalSummary | undefined,
  e: InformationalEvent,
): InformationalSummary {
  const kept = prev?.kept ?? []
  const keep = e.headers !== undefined && kept.length < MAX_KEPT_INFORMATIONAL
  return {
    kept: keep
      ? [
          ...kept,
          {
            t: e.t,
            status: e.status,
            statusText: e.statusText,
            headers: e.headers ?? [],
            ...(e.note !== undefined ? { note: e.note } : {}),
          },
        ]
      : kept,
    count: Math.max(prev?.count ?? 0, e.count),
    status: e.status,
    statusText: e.statusText,
    lastT: e.t,
  }
}
