import { MAX_EXPORT_BODIES_TOTAL, type HarExportResult } from '../../shared/body-view'
import { byteCount, sizeLimit } from '../../shared/byte-words'
import type { HarTimings, HeaderList, InformationalEvent } from '../../shared/timeline'
import type { BodyStore } from '../http/body-store'
import { harTimings } from '../http/timings'
import type { SessionRecord, SessionRecords } from '../sessions/session-records'
import { VERSION } from '../version'
import { bodySourceOf } from '../workers/body-source-of'
import { sharedPool, type WorkerPool } from '../workers/pool'
import type { BodySource } from '../workers/protocol'
import type {
  HarContent,
  HarCookie,
  HarDocument,
  HarEntry,
  HarNameValue,
  HarRequest,
  HarResponse,
} from './har-types'
import { contentTypeOf, postDataOf, unknownFileType, type FileTypeOf } from './har-post-data'

/**
 * Sessions as HAR 1.2. Timings are the engine's own measurements, named as HAR names them: `blocked` is the
 * time queued (our queue and the connection pool's), `dns`/`connect`/`ssl` are -1 exactly when they did not
 * happen (a reused connection), `send`/`wait`/`receive` are always >= 0, `ssl` is inside `connect`, and
 * `time` is the sum of the others, so every entry adds up.
 */
export interface HarExportOptions {
  /** Response bodies up to this size go into `content.text` (base64 when not UTF-8 text). 0: none. */
  maxBodyBytes: number
  /** Keep credentials as sent; by default they are redacted (see redact.ts). */
  includeSecrets?: boolean
  /** Values of secret variables that went into requests, to redact wherever they appear. */
  secretValues?: Iterable<string>
}

export const DEFAULT_EXPORT_BODY_BYTES = 1024 * 1024

export async function exportHar(
  records: SessionRecords,
  bodies: BodyStore,
  sids: readonly string[],
  options: HarExportOptions,
  pool: WorkerPool = sharedPool(),
): Promise<HarExportResult> {
  const { fileTypeOrDefault } = await import('../../shared/file-type')
  const built: { entry: HarEntry; body: BodySource | null }[] = []
  const missing: string[] = []
  for (const sid of sids) {
    const r = records.get(sid)
    if (!r) {
      missing.push(sid)
      continue
    }
    built.push(entryOf(sid, r, bodies, options, fileTypeOrDefault))
  }
  built.sort((a, b) =>
    a.entry.startedDateTime < b.entry.startedDateTime
      ? -1
      : a.entry.startedDateTime > b.entry.startedDateTime
        ? 1
        : 0,
  )
  let total = 0
  let bodiesLeftOut = 0
  for (const b of built) {
    if (!b.body) continue
    if (total + b.body.size <= MAX_EXPORT_BODIES_TOTAL) {
      total += b.body.size
      continue
    }
    b.body = null
    b.entry.response.content.comment = `Body of ${byteCount(b.entry.response.content.size)} left out (the HAR's bodies reached ${sizeLimit(MAX_EXPORT_BODIES_TOTAL)})`
    bodiesLeftOut++
  }
  const doc: HarDocument = {
    log: {
      version: '1.2',
      creator: { name: 'Flightdeck', version: VERSION },
      pages: [],
      entries: built.map((b) => b.entry),
    },
  }
  const redacted = options.includeSecrets !== true
  // Bodies are read, secrets redacted and the text written in the worker pool: an export of thousands of
  // sessions with their bodies is hundreds of megabytes of strings.
  const har = await pool.run('har.build', {
    doc,
    bodies: built.map((b) => b.body),
    redact: redacted,
    secretValues: redacted ? [...(options.secretValues ?? [])] : [],
  })
  return { har, entries: built.length, missing, redacted, ...(bodiesLeftOut > 0 ? { bodiesLeftOut } : {}) }
}

/** The HAR timings of a record: the engine's, or worked out from the phase events for a redirect hop. */
export function recordTimings(r: SessionRecord): HarTimings {
  const term = r.terminal
  if (term && term.type !== 'redirect') return term.timings
  const end =
    term?.t ?? Math.max(r.queued.t, r.response?.t ?? 0, r.sent?.t ?? 0, r.tls?.t ?? 0, r.connect?.t ?? 0)
  return harTimings(
    {
      queuedAt: r.queued.t,
      ...(r.dns ? { dnsStart: r.dns.start, dnsEnd: r.dns.t } : {}),
      ...(r.connect ? { connectStart: r.connect.start, connectEnd: r.connect.t } : {}),
      ...(r.tls ? { tlsStart: r.tls.start, tlsEnd: r.tls.t } : {}),
      ...(r.sent ? { sendStart: r.sent.start, sendEnd: r.sent.t } : {}),
      ...(r.response ? { firstByte: r.response.t } : {}),
      endAt: end,
    },
    end,
  )
}

/** A record's entry, and where its response body is when it goes in (the worker reads it). */
function entryOf(
  sid: string,
  r: SessionRecord,
  bodies: BodyStore,
  options: HarExportOptions,
  typeOfFile: FileTypeOf,
): { entry: HarEntry; body: BodySource | null } {
  const t = recordTimings(r)
  const term = r.terminal
  const { response, body } = responseOf(r, bodies, options)
  const entry: HarEntry = {
    startedDateTime: new Date(r.queued.wall).toISOString(),
    time: t.time,
    request: harRequestOf(r, typeOfFile),
    response,
    cache: {},
    timings: {
      blocked: t.blocked,
      dns: t.dns,
      connect: t.connect,
      send: t.send,
      wait: t.wait,
      receive: t.receive,
      ssl: t.ssl,
    },
    _flightdeck: {
      sid,
      state: term ? term.type : 'in flight',
      ...(term?.type === 'error' ? { error: { code: term.code, message: term.message } } : {}),
      ...(isH2(r) ? { headersText: headersText(r) } : {}),
    },
  }
  if (term?.type === 'done' && term.serverTiming) {
    entry._serverTiming = term.serverTiming.entries.map((e) => ({
      name: e.name,
      dur: e.dur ?? 0,
      description: e.desc ?? '',
    }))
  }
  if (r.queued.promised) entry._was_pushed = 1
  // HAR has no place for trace context: the id the request went out with, to look it up in the tracing backend.
  if (r.sent?.traceId !== undefined) entry._traceId = r.sent.traceId
  if (r.sent) {
    entry.serverIPAddress = r.sent.remoteAddress
    entry.connection = String(r.sent.connectionId)
  }
  if (!term) entry.comment = 'Still in flight when exported: timings up to the last event.'
  else if (term.type === 'error') entry.comment = `${term.code}: ${term.message}`
  else if (term.type === 'cancelled') entry.comment = 'Cancelled'
  return { entry, body }
}

/** The exchange went over HTTP/2 (its request, or its response when it was never seen going out). */
function isH2(r: SessionRecord): boolean {
  return r.sent ? r.sent.protocol === 'h2' : (r.response?.httpVersion.startsWith('2') ?? false)
}

/** The header text's sizes, which HAR's `headersSize` cannot carry over HTTP/2 (see HarEntry's _flightdeck). */
function headersText(r: SessionRecord): { request: number; response: number } {
  return { request: r.sent?.headersBytes ?? -1, response: r.response?.headersBytes ?? -1 }
}

/**
 * A record's request as HAR. `typeOfFile` names the type a file part with none of its own went out as (the
 * sender guesses it from the name, shared/file-type.ts); callers load that table only when they export.
 */
export function harRequestOf(r: SessionRecord, typeOfFile: FileTypeOf = unknownFileType): HarRequest {
  const headers = r.sent?.headers ?? []
  let query: HarNameValue[] = []
  try {
    query = [...new URL(r.queued.url).searchParams].map(([name, value]) => ({ name, value }))
  } catch {
    query = []
  }
  const req: HarRequest = {
    method: r.queued.method,
    url: r.queued.url,
    httpVersion: r.sent?.protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1',
    cookies: requestCookies(headers),
    headers: nameValues(headers),
    queryString: query,
    // HAR 1.2: the bytes of the header block as sent, -1 when unknown. Over HTTP/2 the block goes HPACK-compressed,
    // a size the engine does not see: -1, as Chrome writes it (the text's size is in _flightdeck.headersText).
    headersSize: r.sent && r.sent.protocol !== 'h2' ? r.sent.headersBytes : -1,
    bodySize: r.sent ? r.sent.bodyBytes : -1,
  }
  const post = r.imported?.postData ?? postDataOf(r.requestBody, headers, typeOfFile)
  if (post) req.postData = post
  return req
}

/** HAR 1.2 has no place for interim (1xx) responses: the response's comment says they came. */
function interimComment(e: InformationalEvent): string {
  const what = e.count === 1 ? 'response' : 'responses'
  const last = `${e.status} ${e.statusText}`.trimEnd()
  return `${e.count} informational (1xx) ${what} before this one (the last: ${last})`
}

function responseOf(
  r: SessionRecord,
  bodies: BodyStore,
  options: HarExportOptions,
): { response: HarResponse; body: BodySource | null } {
  let body: BodySource | null = null
  const res = r.response
  const term = r.terminal
  const headers = res?.headers ?? []
  const content: HarContent = { size: 0, mimeType: contentTypeOf(headers) || 'x-unknown' }
  let bodySize = -1
  if (term?.type === 'done') {
    content.size = term.bodyBytes
    bodySize = term.wireBytes
    if (term.bodyBytes !== term.wireBytes && headers.some(([k]) => k.toLowerCase() === 'content-encoding'))
      content.compression = term.bodyBytes - term.wireBytes
    if (content.mimeType === 'x-unknown' && term.body.contentType) content.mimeType = term.body.contentType
    if (term.body.size > 0 && term.body.size <= options.maxBodyBytes) {
      const writer = bodies.get(term.body.id)
      if (writer?.ended) body = bodySourceOf(writer)
    } else if (term.body.size > options.maxBodyBytes) {
      content.comment = `Body of ${byteCount(term.body.size)} left out (over ${sizeLimit(options.maxBodyBytes)})`
    }
  } else if (term?.type === 'redirect') {
    bodySize = 0
  }
  const response: HarResponse = {
    status: res?.status ?? (term?.type === 'redirect' ? term.status : 0),
    statusText: res?.statusText ?? '',
    httpVersion: res ? (res.httpVersion.startsWith('2') ? 'HTTP/2' : `HTTP/${res.httpVersion}`) : '',
    cookies: responseCookies(headers),
    headers: nameValues(headers),
    content,
    redirectURL:
      term?.type === 'redirect'
        ? term.location
        : (headers.find(([k]) => k.toLowerCase() === 'location')?.[1] ?? ''),
    headersSize: res && !res.httpVersion.startsWith('2') ? res.headersBytes : -1,
    bodySize,
    ...(r.informational ? { comment: interimComment(r.informational) } : {}),
  }
  return { response, body }
}

function nameValues(headers: HeaderList): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }))
}

function requestCookies(headers: HeaderList): HarCookie[] {
  const out: HarCookie[] = []
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'cookie') continue
    for (const part of v.split(';')) {
      const t = part.trim()
      if (!t) continue
      const eq = t.indexOf('=')
      out.push({ name: eq < 0 ? t : t.slice(0, eq), value: eq < 0 ? '' : t.slice(eq + 1) })
    }
  }
  return out
}

function responseCookies(headers: HeaderList): HarCookie[] {
  const out: HarCookie[] = []
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'set-cookie') continue
    const [first = '', ...attrs] = v.split(';')
    const eq = first.indexOf('=')
    const c: HarCookie = {
      name: (eq < 0 ? first : first.slice(0, eq)).trim(),
      value: eq < 0 ? '' : first.slice(eq + 1).trim(),
    }
    for (const a of attrs) {
      const [rawKey = '', ...rest] = a.split('=')
      const key = rawKey.trim().toLowerCase()
      const val = rest.join('=').trim()
      if (key === 'path') c.path = val
      else if (key === 'domain') c.domain = val
      else if (key === 'expires') {
        const d = new Date(val)
        if (!Number.isNaN(d.getTime())) c.expires = d.toISOString()
      } else if (key === 'httponly') c.httpOnly = true
      else if (key === 'secure') c.secure = true
    }
    out.push(c)
  }
  return out
}
