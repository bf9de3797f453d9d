import { formatBytes, formatMs } from '../../shared/format'
import { durationMs, wireBytes, type SessionRow } from './session-row'

/** What the status cell says: the code, "ERR", "cancelled", or nothing yet while in flight. */
export function statusText(row: SessionRow): string {
  switch (row.state) {
    case 'error':
      return 'ERR'
    case 'cancelled':
      return 'cancelled'
    default:
      return row.status === null ? '' : String(row.status)
  }
}

/**
 * What the Method column says: `WS` for a WebSocket session (its upgrade is a GET, which tells a person
 * nothing), the real method for HTTP and SSE (an SSE stream may well be a POST).
 */
export function methodText(row: SessionRow): string {
  return row.queued.kind === 'ws' ? 'WS' : row.queued.method
}

/** The row's accessible name: method, URL and status, as a screen reader (or a test) finds it. */
export function rowLabel(row: SessionRow): string {
  const { url } = row.queued
  const method = methodText(row)
  switch (row.state) {
    case 'queued':
      return `${method} ${url} queued`
    case 'active':
      return row.status === null ? `${method} ${url} pending` : `${method} ${url} ${row.status} receiving`
    case 'done':
      return `${method} ${url} ${row.status ?? ''}`.trimEnd()
    case 'error':
      return `${method} ${url} error ${row.terminal?.type === 'error' ? row.terminal.code : ''}`.trimEnd()
    case 'cancelled':
      return `${method} ${url} cancelled`
  }
}

/** A status class for colouring: 2xx ok, 3xx redirect, 4xx client, 5xx server. */
export function statusClass(row: SessionRow): string {
  if (row.state === 'error') return 'st-error'
  if (row.state === 'cancelled') return 'st-cancelled'
  if (row.status === null) return 'st-pending'
  if (row.status >= 500) return 'st-5xx'
  if (row.status >= 400) return 'st-4xx'
  if (row.status >= 300) return 'st-3xx'
  return 'st-2xx'
}

export function durationText(row: SessionRow): string {
  const ms = durationMs(row)
  return ms === null ? '' : formatMs(ms)
}

export function sizeText(row: SessionRow): string {
  const n = wireBytes(row)
  return n === null ? '' : formatBytes(n)
}
