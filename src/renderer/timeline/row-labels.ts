import { formatBytes, formatMs } from '../../shared/format'
import type { JobEvent, JobState } from '../../shared/timeline'
import { durationMs, wireBytes, type SessionRow } from './session-row'
import { cutAfterMs } from './hover-incoming'

/**
 * What the status cell says: the code, "ERR", "cancelled", or nothing yet while in flight. An MQTT broker that
 * accepted the connection says `OK`: its CONNACK code 0 shown bare reads as a failed request (status 0 in a
 * browser's network panel), and the column has room for a code, not for "CONNACK". The code stays in the hover
 * and the row's accessible name; a refused connection is an error row (`ERR`).
 */
export function statusText(row: SessionRow): string {
  // A webhook call the inbox cut before it was whole (too large, too slow, hung up) says so where calls say hook.
  // A call to a URL the inbox never gave out says what its caller was answered.
  if (row.queued.kind === 'webhook') return row.state === 'error' ? (unknownUrl(row) ? '404' : 'cut') : 'hook'
  switch (row.state) {
    case 'error':
      return 'ERR'
    case 'cancelled':
      return 'cancelled'
    default:
      return row.status === null ? '' : connackAccepted(row) ? 'OK' : String(row.status)
  }
}

/** A webhook row for a call to a URL the inbox did not give out (answered 404). */
function unknownUrl(row: SessionRow): boolean {
  return row.terminal?.type === 'error' && row.terminal.code === 'not_found'
}

function connackAccepted(row: SessionRow): boolean {
  return row.queued.kind === 'mqtt' && row.status === 0
}

/** The status in the row's accessible name: the code, and for an accepted MQTT connection the word shown. */
function statusWords(row: SessionRow): string {
  return connackAccepted(row) ? '0 OK' : String(row.status ?? '')
}

/**
 * The status cell's hover: what the answer said in words where the code alone is cryptic (an MQTT row's
 * CONNACK `0` is `CONNACK Success (0), session present: no`; a Socket.IO row's 200 names its transport).
 */
export function statusTitle(row: SessionRow): string | undefined {
  const k = row.queued.kind
  return k === 'mqtt' || k === 'socketio' ? row.response?.statusText : undefined
}

/**
 * What the Method column says: `WS` for a WebSocket session (its upgrade is a GET, which tells a person
 * nothing), `MQTT` and `SIO` for messaging sessions (their CONNECT is a packet, not a method), the real method
 * for HTTP and SSE (an SSE stream may well be a POST).
 */
export function methodText(row: SessionRow): string {
  const k = row.queued.kind
  return k === 'ws' ? 'WS' : k === 'mqtt' ? 'MQTT' : k === 'socketio' ? 'SIO' : row.queued.method
}

/** The row's accessible name: method, URL and status, as a screen reader (or a test) finds it. */
export function rowLabel(row: SessionRow): string {
  if (row.queued.kind === 'webhook') {
    const from = row.queued.initiator ? ` caused by ${row.queued.initiator}` : ''
    const cut = row.state === 'error' ? (unknownUrl(row) ? ' to an unknown URL' : ' cut') : ''
    return `webhook ${row.queued.method ? `${row.queued.method} ` : ''}${row.queued.url}${from}${cut}`
  }
  if (row.job) return `${httpLabel(row)} job ${jobStateText(row.job.state)}`
  return httpLabel(row)
}

function httpLabel(row: SessionRow): string {
  const { url } = row.queued
  const method = methodText(row)
  switch (row.state) {
    case 'queued':
      return `${method} ${url} queued`
    case 'active':
      return row.status === null
        ? `${method} ${url} pending`
        : `${method} ${url} ${statusWords(row)} receiving`
    case 'done':
      return `${method} ${url} ${statusWords(row)}`.trimEnd()
    case 'error':
      return `${method} ${url} error ${row.terminal?.type === 'error' ? row.terminal.code : ''}`.trimEnd()
    case 'cancelled':
      return `${method} ${url} cancelled`
  }
}

/** A status class for colouring: 2xx ok, 3xx redirect, 4xx client, 5xx server. */
export function statusClass(row: SessionRow): string {
  if (row.queued.kind === 'webhook') return row.state === 'error' ? 'st-error' : 'st-hook'
  if (row.state === 'error') return 'st-error'
  if (row.state === 'cancelled') return 'st-cancelled'
  if (row.status === null) return 'st-pending'
  if (row.status >= 500) return 'st-5xx'
  if (row.status >= 400) return 'st-4xx'
  if (row.status >= 300) return 'st-3xx'
  return 'st-2xx'
}

export function durationText(row: SessionRow): string {
  // A call coming in has no request time (it read 0.0 ms): a dash, or how long a cut one ran before its cut.
  if (row.queued.kind === 'webhook') {
    const cut = cutAfterMs(row)
    return cut === null ? '—' : formatMs(cut)
  }
  // A finished job's time is the whole job's, from the first request to the last answer.
  if (row.job && row.job.state !== 'running') return formatMs(row.job.t - row.queued.t)
  const ms = durationMs(row)
  return ms === null ? '' : formatMs(ms)
}

export function sizeText(row: SessionRow): string {
  if (row.webhook) return formatBytes(row.webhook.body.size)
  const n = wireBytes(row)
  return n === null ? '' : formatBytes(n)
}

/** A job's state in plain words, as the row's badge and the details show it. */
export function jobStateText(state: JobState): string {
  switch (state) {
    case 'running':
      return 'polling'
    case 'completed':
      return 'completed'
    case 'matched':
      return 'matched'
    case 'failed':
      return 'failed'
    case 'deadline':
      return 'deadline passed'
    case 'max_polls':
      return 'out of polls'
    case 'max_repeats':
      return 'out of repeats'
    case 'error':
      return 'error'
    case 'cancelled':
      return 'cancelled'
  }
}

/** The badge on a row that started a job: "job … 3 polls", "job ✓ 4 polls", "job failed · 2 polls". */
export function jobBadge(job: JobEvent): string {
  const what = job.mode === 'follow' ? 'job' : 'long poll'
  const n = `${job.polls} ${job.mode === 'follow' ? 'poll' : 'repeat'}${job.polls === 1 ? '' : 's'}`
  if (job.state === 'running') return `${what} … ${n}`
  if (job.state === 'completed' || job.state === 'matched') return `${what} ✓ ${n}`
  return `${what} ${jobStateText(job.state)} · ${n}`
}
