import { cookieJarLines } from '../shared/cookie-jar-note'
import { formatBytes, formatMs } from '../shared/format'
import type {
  DoneEvent,
  HarTimings,
  InformationalEvent,
  QueuedEvent,
  RedirectEvent,
  RequestSentEvent,
  ResponseHeadersEvent,
  TimelineEvent,
} from '../shared/timeline'
import type { AppError, ErrorCode } from '../shared/result'
import type { ServerTimingEntry } from '../shared/server-timing'
import { sentTraceId } from '../engine/trace/run-trace'
import { notSentLines, stoppedBeforeSending, type StoppedIn } from './not-sent'

/**
 * Turns one finished exchange (all hops' events and the final event) into what the CLI prints: a JSON report
 * or lines for people. Pure, so the output format is tested without a network.
 */

export interface ExchangeOutcome {
  events: TimelineEvent[]
  final: TimelineEvent & { type: 'done' | 'error' | 'cancelled' }
}

export interface JsonReport {
  /** 0 when no response arrived (as HAR records it). */
  status: number
  statusText: string
  httpVersion: string
  headers: { name: string; value: string }[]
  /** The final hop's URL, after redirects. */
  url: string
  timeline: TimelineEvent[]
  /** The final hop's phases, as HAR 1.2 names them. */
  timings: HarTimings
  /** False when the final hop failed before its request was written to a connection: nothing was sent. */
  sent: boolean
  /** When not sent: the HAR phase it stopped in (`blocked` is before any connection was asked for). */
  stoppedIn?: StoppedIn
  body?: { size: number; contentType: string }
  /** Interim (1xx) responses before the final one: how many, and the first few with their headers. */
  informational?: {
    count: number
    responses: { status: number; statusText: string; headers: { name: string; value: string }[] }[]
  }
  /** What the server said it spent its time on (Server-Timing in headers and trailers), when it did. */
  serverTiming?: ServerTimingEntry[]
  /** Server-Timing entries left out past the bound, in plain words. */
  serverTimingNote?: string
  /** Streams the server pushed with the request (sent with --push), in the order promised. */
  pushes?: PushReport[]
  /** Pushes refused past the cap, in plain words, when there were. */
  pushesNote?: string
  /** The W3C trace id the request went out with (`--trace`, a collection's trace: setting, or -H traceparent). */
  traceId?: string
  /** A failed or cancelled exchange's partial body: how many bytes came (they are not kept). */
  partialBodyBytes?: number
  error?: ReportError
}

/**
 * Why the exchange did not end in a response: an engine error, or `cancelled` (Ctrl+C), which is no failure of
 * the network or the server, and is named so as a run's report names a cancelled step.
 */
export type ReportError = Omit<AppError, 'code'> & { code: ErrorCode | 'cancelled' }

/** One pushed stream: what the server promised, and what came of it. */
export interface PushReport {
  url: string
  /** The request headers of its PUSH_PROMISE (:method, :path, :authority, ...). */
  promised: { name: string; value: string }[]
  /** 0 when no response came. */
  status: number
  /** `done`, `error` or `cancelled`. */
  state: 'done' | 'error' | 'cancelled'
  /** Decoded body bytes (done), else the bytes that came and were discarded. */
  size: number
  contentType?: string
  /** From PUSH_PROMISE to its end, as HAR 1.2 names the phases. */
  timings?: HarTimings
  error?: AppError
}

function pushReports(events: TimelineEvent[], parent: string): PushReport[] {
  const out: PushReport[] = []
  const bySid = new Map<string, PushReport>()
  for (const e of events) {
    if (e.type === 'queued' && e.initiator === parent && e.promised) {
      const r: PushReport = {
        url: e.url,
        promised: e.promised.map(([name, value]) => ({ name, value })),
        status: 0,
        state: 'error',
        size: 0,
      }
      out.push(r)
      bySid.set(e.sid, r)
      continue
    }
    const r = bySid.get(e.sid)
    if (!r) continue
    if (e.type === 'response-headers') r.status = e.status
    else if (e.type === 'done') {
      r.state = 'done'
      r.size = e.body.size
      r.contentType = e.body.contentType
      r.timings = e.timings
    } else if (e.type === 'error' || e.type === 'cancelled') {
      r.state = e.type
      r.size = e.partialBodyBytes ?? 0
      r.timings = e.timings
      if (e.type === 'error') r.error = { code: e.code, message: e.message }
    }
  }
  return out
}

function lastOfType<T extends TimelineEvent['type']>(
  events: TimelineEvent[],
  sid: string,
  type: T,
): Extract<TimelineEvent, { type: T }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]
    if (e && e.sid === sid && e.type === type) return e as Extract<TimelineEvent, { type: T }>
  }
  return undefined
}

export function buildReport(outcome: ExchangeOutcome): JsonReport {
  const { events, final } = outcome
  const sid = final.sid
  const queued = lastOfType(events, sid, 'queued')
  const head: ResponseHeadersEvent | undefined = lastOfType(events, sid, 'response-headers')
  const report: JsonReport = {
    status: head?.status ?? 0,
    statusText: head?.statusText ?? '',
    httpVersion: head?.httpVersion ?? '',
    headers: (head?.headers ?? []).map(([name, value]) => ({ name, value })),
    url: queued?.url ?? '',
    timeline: events,
    timings: final.timings,
    sent: true,
  }
  const stoppedIn = stoppedBeforeSending(events, final)
  if (stoppedIn !== null) {
    report.sent = false
    report.stoppedIn = stoppedIn
  }
  if (final.type === 'done') report.body = { size: final.body.size, contentType: final.body.contentType }
  const traceId = sentTraceId(events)
  if (traceId !== undefined) report.traceId = traceId
  if (final.type === 'done' && final.serverTiming) {
    report.serverTiming = final.serverTiming.entries
    if (final.serverTiming.note !== undefined) report.serverTimingNote = final.serverTiming.note
  }
  if (final.type === 'done' && final.pushes) {
    report.pushes = pushReports(events, sid)
    if (final.pushes.note !== undefined) report.pushesNote = final.pushes.note
  }
  const interim = informationalOf(events, sid)
  if (interim.length > 0) {
    report.informational = {
      count: interim[interim.length - 1]?.count ?? 0,
      responses: interim
        .filter((e) => e.headers !== undefined)
        .map((e) => ({
          status: e.status,
          statusText: e.statusText,
          headers: (e.headers ?? []).map(([name, value]) => ({ name, value })),
        })),
    }
  }
  if (final.type !== 'done' && final.partialBodyBytes !== undefined)
    report.partialBodyBytes = final.partialBodyBytes
  if (final.type === 'error') {
    report.error =
      final.detail === undefined
        ? { code: final.code, message: final.message }
        : { code: final.code, message: final.message, detail: final.detail }
  }
  if (final.type === 'cancelled') report.error = { code: 'cancelled', message: 'Cancelled.' }
  return report
}

const MAX_HEADERS = 16
const MAX_VALUE = 120
/** Interim responses printed with their headers; the count covers the rest. */
const MAX_INTERIM_SHOWN = 3

function informationalOf(events: TimelineEvent[], sid: string): InformationalEvent[] {
  return events.filter((e): e is InformationalEvent => e.type === 'informational' && e.sid === sid)
}

/** The final hop's interim (1xx) responses: how many, and the first few with their headers. */
function interimLines(events: TimelineEvent[], sid: string): string[] {
  const interim = informationalOf(events, sid)
  const last = interim[interim.length - 1]
  if (!last) return []
  const lines = [
    `${last.count} informational (1xx) ${last.count === 1 ? 'response' : 'responses'} before the final one`,
  ]
  let shown = 0
  for (const e of interim) {
    if (!e.headers) continue
    if (shown >= MAX_INTERIM_SHOWN) break
    shown++
    lines.push(`  ${e.status}${e.statusText ? ` ${e.statusText}` : ''}`)
    for (const [k, v] of e.headers.slice(0, MAX_HEADERS)) lines.push(`    ${k}: ${clip(v, MAX_VALUE)}`)
    if (e.headers.length > MAX_HEADERS) lines.push(`    … ${e.headers.length - MAX_HEADERS} more headers`)
    if (e.note) lines.push(`    (${e.note})`)
  }
  if (last.count > shown)
    lines.push(`  … ${last.count - shown} more (latest: ${last.status} ${last.statusText})`.trimEnd())
  return lines
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * What the cookie jar refused or let go of, every hop's (a login's cookie often comes with its redirect), under
 * the final response's headers; an earlier hop's name its URL.
 */
function cookieJarNotes(
  events: TimelineEvent[],
  finalSid: string,
  queued: Map<string, QueuedEvent>,
): string[] {
  const lines: string[] = []
  for (const e of events) {
    if (e.type !== 'response-headers' || !e.cookieJar) continue
    const at = e.sid === finalSid ? '' : ` (at ${queued.get(e.sid)?.url ?? 'a redirect'})`
    for (const line of cookieJarLines(e.cookieJar)) lines.push(`! ${line}${at}`)
  }
  return lines
}

/**
 * What the engine did to a request on its way out, each hop's (the note on its last request-sent: a request sent
 * a second time, a multipart boundary put in); an earlier hop's name its URL.
 */
function sentNotes(events: TimelineEvent[], finalSid: string, queued: Map<string, QueuedEvent>): string[] {
  const bySid = new Map<string, string | undefined>()
  for (const e of events) if (e.type === 'request-sent') bySid.set(e.sid, e.note)
  const lines: string[] = []
  for (const [sid, note] of bySid) {
    if (note === undefined) continue
    const at = sid === finalSid ? '' : ` (at ${queued.get(sid)?.url ?? 'a redirect'})`
    lines.push(`note      ${note}${at}`)
  }
  return lines
}

/** Lines for a terminal: the hops, the status line, a headers summary, body size and the phase timings. */
export function humanLines(outcome: ExchangeOutcome): string[] {
  const { events, final } = outcome
  const report = buildReport(outcome)
  const lines: string[] = []

  const queuedBySid = new Map<string, QueuedEvent>()
  for (const e of events) if (e.type === 'queued') queuedBySid.set(e.sid, e)
  const first = events.find((e): e is QueuedEvent => e.type === 'queued')
  if (first) lines.push(`${first.method} ${first.url}`)
  if (report.traceId !== undefined) lines.push(`  trace ${report.traceId}`)
  for (const e of events) {
    if (e.type !== 'redirect') continue
    const r: RedirectEvent = e
    const next = queuedBySid.get(r.next)
    lines.push(`  ${r.status} → ${next?.url ?? r.location}`)
  }

  lines.push(...interimLines(events, final.sid))
  if (report.status > 0) {
    lines.push(
      `HTTP/${report.httpVersion} ${report.status}${report.statusText ? ` ${report.statusText}` : ''}`,
    )
    const shown = report.headers.slice(0, MAX_HEADERS)
    for (const h of shown) lines.push(`${h.name}: ${clip(h.value, MAX_VALUE)}`)
    if (report.headers.length > shown.length)
      lines.push(`… ${report.headers.length - shown.length} more headers`)
    lines.push(...cookieJarNotes(events, final.sid, queuedBySid))
  }
  lines.push('')

  // On stdout too: output piped to a file never sees stderr's line, and the table alone reads like a success.
  if (final.type !== 'done' && report.stoppedIn === undefined)
    lines.push(
      final.type === 'error'
        ? `failed    ${final.code}: ${final.message}`
        : 'cancelled the request was cancelled',
    )
  if (final.type === 'done') {
    const done: DoneEvent = final
    const type = done.body.contentType ? ` (${done.body.contentType})` : ''
    lines.push(`body      ${formatBytes(done.body.size)}${type}, ${formatBytes(done.wireBytes)} on the wire`)
  }
  if (final.type !== 'done' && final.partialBodyBytes !== undefined)
    lines.push(`body      partial body (${formatBytes(final.partialBodyBytes)}) discarded`)
  if (report.pushes) {
    lines.push(`pushed    ${report.pushes.length} ${report.pushes.length === 1 ? 'stream' : 'streams'}`)
    for (const p of report.pushes) {
      const what = p.state === 'done' ? String(p.status) : p.state === 'cancelled' ? 'cancelled' : 'ERR'
      const time = p.timings ? formatMs(p.timings.time) : ''
      lines.push(`  ${what.padEnd(9)} ${p.url}  ${formatBytes(p.size)}  ${time}`.trimEnd())
      if (p.error) lines.push(`            ${p.error.message}`)
    }
    if (report.pushesNote !== undefined) lines.push(`  ${report.pushesNote}`)
  }
  const sent: RequestSentEvent | undefined = lastOfType(events, final.sid, 'request-sent')
  if (sent) {
    const conn = sent.reused ? 'reused connection' : 'new connection'
    lines.push(`remote    ${sent.remoteAddress}:${sent.remotePort}  ${sent.protocol}  ${conn}`)
  }
  lines.push(...sentNotes(events, final.sid, queuedBySid))

  const t = final.timings
  if (report.stoppedIn !== undefined) {
    const why = final.type === 'error' ? `${final.code}: ${final.message}` : 'cancelled'
    lines.push(...notSentLines(report.stoppedIn, t, why))
    return lines
  }
  const rows: [string, number][] = [
    ['blocked', t.blocked],
    ['dns', t.dns],
    ['connect', t.connect],
    ['ssl', t.ssl],
    ['send', t.send],
    ['wait', t.wait],
    ['receive', t.receive],
  ]
  lines.push('timings')
  for (const [name, ms] of rows) lines.push(`  ${name.padEnd(9)}${formatMs(ms).padStart(10)}`)
  lines.push(`  ${'total'.padEnd(9)}${formatMs(t.time).padStart(10)}`)
  if (t.ssl >= 0) lines.push('  (ssl is part of connect)')
  if (final.type === 'done' && final.serverTiming) {
    lines.push('server timing (as the server says)')
    for (const e of final.serverTiming.entries) {
      const dur = e.dur === undefined ? '' : formatMs(e.dur)
      const from = e.source === 'trailer' ? '  (trailer)' : ''
      lines.push(`  ${e.name.padEnd(9)}${dur.padStart(10)}${e.desc ? `  ${e.desc}` : ''}${from}`)
    }
    if (final.serverTiming.note !== undefined) lines.push(`  ${final.serverTiming.note}`)
  }
  return lines
}
