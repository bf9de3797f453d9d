import { randomUUID } from 'node:crypto'
import type { HarFilesToChoose, HarImportResult } from '../../shared/body-view'
import type { RequestBody } from '../../shared/request'
import {
  MAX_SERVER_TIMING_ENTRIES,
  serverTimingOf,
  type ServerTiming,
  type ServerTimingEntry,
} from '../../shared/server-timing'
import type { HarTimings, HeaderList, HttpProtocol, TimelineEvent } from '../../shared/timeline'
import { asTraceId, traceOfHeaders } from '../../shared/trace-context'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import { harTotal } from '../http/timings'
import type { ImportedPostData, SessionRecords } from '../sessions/session-records'
import { TaskFailed, WorkerDied, sharedPool } from '../workers/pool'
import { HarFormatError, PARSE_BYTES_PER_CHAR, type ParsedHar, type ParsedHarEntry } from './har-parse'
import { isBase64Text } from './har-base64'
import { multipartBodyOf, multipartCut } from './har-post-data'
import type { HarEntry } from './har-types'

/**
 * Put a HAR's entries (saved from a browser, or exported by Flightdeck) on the live timeline, read-only: each
 * entry becomes a finished session whose phase events are laid out from its recorded timings, shifted so the
 * first entry starts now and the rest keep their offsets. Response bodies in the HAR go to the body store,
 * so the response viewer shows them like any other. The sessions are one batch (`batch.id` = `har:<uuid>`)
 * so "group by batch" keeps an import together.
 */
export interface HarOntoTimelineDeps {
  clock: Clock
  emit: (e: TimelineEvent) => void
  records: SessionRecords
  bodies: BodyStore
  newSid: () => string
}

export { HarFormatError, MAX_IMPORT_ENTRIES } from './har-parse'

/** Lay out this many entries, or for this long, then let other work (live traffic) run. */
const SLICE_ENTRIES = 300
const SLICE_MS = 8

/** The worker running the parse died (out of memory, over time), or would have: nothing was added. */
export class HarImportStopped extends Error {}

const stopped = (why: string): HarImportStopped =>
  new HarImportStopped(`Opening the HAR ${why}; nothing was added to the timeline`)

/**
 * Parsing, checking and body decoding run in a pool worker (a large HAR would hold this thread for seconds);
 * here the sessions are laid out and emitted in slices, each body's bytes written to the store.
 */
export async function harOntoTimeline(
  text: string,
  deps: HarOntoTimelineDeps,
): Promise<HarImportResult & { batchId: string }> {
  const pool = sharedPool()
  const outOfMemory = `ran out of memory in its worker (limit ${pool.memoryMb} MB)`
  // A text the worker could not even hold and parse is refused here: a worker's heap filled by one message
  // or one JSON.parse cannot be stopped cleanly, and V8 would end the whole process.
  if (text.length * (PARSE_BYTES_PER_CHAR + 1) > pool.memoryMb * 1024 * 1024) throw stopped(outOfMemory)
  let parsed: ParsedHar
  try {
    parsed = await pool.run('har.parse', { text })
  } catch (e) {
    if (e instanceof TaskFailed && e.failure.kind === 'import') throw new HarFormatError(e.failure.message)
    if (e instanceof WorkerDied)
      throw stopped(
        e.reason === 'memory'
          ? outOfMemory
          : e.reason === 'timeout'
            ? `took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped`
            : 'stopped its worker',
      )
    throw e
  }
  const { entries, starts, bodies } = parsed
  const size = entries.length
  const batchId = `har:${randomUUID()}`
  let first = Infinity
  for (const start of starts) first = Math.min(first, start)
  const base = deps.clock.now()
  const sids: string[] = []
  const cut: HarImportResult['cut'] = []
  const filesToChoose: HarFilesToChoose[] = []
  let sliceStart = performance.now()
  for (let i = 0; i < size; i++) {
    const start = starts[i] ?? first
    const sid = deps.newSid()
    sids.push(sid)
    const entry = JSON.parse(entries[i] ?? '{}') as HarEntry
    const at = { entry, start, body: bodies[i] ?? null }
    const lost = multipartCut(entry.request.postData)
    if (lost !== '') cut.push({ index: i, reason: lost })
    const parts = multipartBodyOf(entry.request.postData)
    const unchosen = partsToChoose(parts)
    if (unchosen.length > 0) filesToChoose.push({ index: i, parts: unchosen })
    emitEntry(sid, at, parts, base + (start - first), { id: batchId, index: i, size }, deps)
    // Let go of the bytes once stored.
    bodies[i] = null
    if ((i + 1) % SLICE_ENTRIES === 0 || performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((r) => setImmediate(r))
      sliceStart = performance.now()
    }
  }
  return { sids, skipped: parsed.skipped, cut, filesToChoose, batchId }
}

/** Parts one entry's notice names, at most (the rest are in the composer's Body tab). */
const MAX_NAMED_PARTS = 20

/** The file parts of a recorded multipart body: each has its file name only, until a file is chosen. */
function partsToChoose(body: RequestBody | undefined): HarFilesToChoose['parts'] {
  if (body?.kind !== 'multipart') return []
  const out: HarFilesToChoose['parts'] = []
  for (const p of body.parts)
    if (p.kind === 'file' && p.path === '' && out.length < MAX_NAMED_PARTS)
      out.push({ name: p.name.slice(0, 200), fileName: (p.fileName ?? '').slice(0, 200) })
  return out
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : -1)
const pos = (x: unknown): number => Math.max(0, num(x))

function headerList(h: unknown): HeaderList {
  if (!Array.isArray(h)) return []
  const out: HeaderList = []
  for (const x of h as { name?: unknown; value?: unknown }[]) {
    if (typeof x?.name === 'string' && typeof x.value === 'string') out.push([x.name, x.value])
  }
  return out
}

function emitEntry(
  sid: string,
  parsed: ParsedHarEntry,
  parts: RequestBody | undefined,
  t0: number,
  batch: { id: string; index: number; size: number },
  deps: HarOntoTimelineDeps,
): void {
  const e = parsed.entry
  const wall = parsed.start
  const raw = e.timings ?? ({} as HarEntry['timings'])
  const t: HarTimings = {
    blocked: pos(raw.blocked),
    dns: num(raw.dns),
    connect: num(raw.connect),
    ssl: num(raw.ssl),
    send: pos(raw.send),
    wait: pos(raw.wait),
    receive: pos(raw.receive),
    time: 0,
  }
  // Browsers sometimes report ssl without counting it in connect; HAR says connect includes it.
  if (t.ssl > 0 && t.connect >= 0 && t.connect < t.ssl) t.connect = t.ssl
  t.time = harTotal(t)
  const emit = deps.emit
  const url = e.request.url
  const method = e.request.method.toUpperCase()
  emit({ type: 'queued', sid, t: t0, kind: 'http', wall: Math.round(wall), method, url, hop: 0, batch })
  // A multipart body recorded as its parts (`parts`) is kept as those parts (Edit as new request, Copy as and a
  // HAR of it again have them); another body as its text.
  deps.records.markImported(
    sid,
    parts === undefined && e.request.postData?.text !== undefined
      ? posted(e.request.postData.mimeType ?? '', e.request.postData as { text: string; encoding?: unknown })
      : undefined,
  )
  if (parts) deps.records.recordRequestBody(sid, parts)
  let c = t0 + t.blocked
  let host = ''
  let port = 0
  try {
    const u = new URL(url)
    host = u.hostname
    port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80)
  } catch {
    // An unparsable URL still shows; it has no host to name.
  }
  const address = typeof e.serverIPAddress === 'string' ? e.serverIPAddress.replace(/^\[|\]$/g, '') : ''
  if (t.dns >= 0) {
    emit({ type: 'dns', sid, t: c + t.dns, start: c, host, address, family: address.includes(':') ? 6 : 4 })
    c += t.dns
  }
  if (t.connect >= 0) {
    const tcp = t.connect - Math.max(0, t.ssl)
    emit({ type: 'connect', sid, t: c + tcp, start: c, remoteAddress: address, remotePort: port })
    c += tcp
    if (t.ssl >= 0) {
      emit({ type: 'tls', sid, t: c + t.ssl, start: c, version: '', cipher: '', alpn: '', authorized: true })
      c += t.ssl
    }
  }
  const protocol: HttpProtocol = /^(http\/2|h2)/i.test(e.request.httpVersion ?? '') ? 'h2' : 'http/1.1'
  const requestHeaders = headerList(e.request.headers)
  emit({
    type: 'request-sent',
    sid,
    t: c + t.send,
    start: c,
    reused: t.connect < 0,
    connectionId: Number(e.connection) || 0,
    protocol,
    remoteAddress: address,
    remotePort: port,
    headers: requestHeaders,
    headersBytes: num(e.request.headersSize),
    bodyBytes: Math.max(0, num(e.request.bodySize)),
    ...traceOfEntry(e, requestHeaders),
  })
  c += t.send
  const res = e.response
  const end = c + t.wait + t.receive
  if (res.status === 0) {
    const message =
      typeof e.comment === 'string' && e.comment ? e.comment : 'The recorded request got no response'
    emit({ type: 'error', sid, t: end, code: 'network', message, timings: t })
    return
  }
  const headers = headerList(res.headers)
  emit({
    type: 'response-headers',
    sid,
    t: c + t.wait,
    status: res.status,
    statusText: typeof res.statusText === 'string' ? res.statusText : '',
    httpVersion: /2/.test(res.httpVersion ?? '') ? '2' : '1.1',
    headers,
    headersBytes: num(res.headersSize),
  })
  const content = res.content ?? { size: 0, mimeType: '' }
  const mime = typeof content.mimeType === 'string' ? content.mimeType : ''
  const writer = deps.bodies.create(mime)
  const bytes = parsed.body
  if (bytes) writer.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  // A body past the store's memory limit spilled to a temp file: finish writing it in the background (reads
  // wait for the writes).
  const inMemory = writer.endInMemory()
  if (!inMemory) void writer.end().catch(() => undefined)
  const size = writer.size
  emit({
    type: 'done',
    sid,
    t: end,
    status: res.status,
    wireBytes: num(res.bodySize) >= 0 ? num(res.bodySize) : size,
    bodyBytes: size || pos(content.size),
    body: { id: writer.id, size, contentType: mime, onDisk: !inMemory },
    timings: t,
    ...serverTimingOfEntry(e, headers),
  })
}

/**
 * The Server-Timing of a recorded entry: `_serverTiming` when the file has it (DevTools and our export write
 * it, trailers included), else the recorded response headers. Foreign input: only well-formed items count,
 * as many as a live response keeps.
 */
function serverTimingOfEntry(e: HarEntry, headers: HeaderList): { serverTiming?: ServerTiming } {
  const recorded: unknown = e._serverTiming
  if (Array.isArray(recorded)) {
    const entries: ServerTimingEntry[] = []
    for (const item of recorded.slice(0, MAX_SERVER_TIMING_ENTRIES)) {
      const it = item as { name?: unknown; dur?: unknown; description?: unknown } | null
      if (typeof it?.name !== 'string' || it.name === '') continue
      entries.push({
        name: it.name.slice(0, 64),
        ...(typeof it.dur === 'number' && Number.isFinite(it.dur) ? { dur: it.dur } : {}),
        ...(typeof it.description === 'string' && it.description
          ? { desc: it.description.slice(0, 200) }
          : {}),
        source: 'header',
      })
    }
    if (entries.length > 0) return { serverTiming: { entries } }
  }
  const parsed = serverTimingOf(headers)
  return parsed ? { serverTiming: parsed } : {}
}

/**
 * The trace of a recorded entry: `_traceId` when the file has it (our export writes it), else a well-formed
 * `traceparent` among the recorded request headers (a browser's HAR). The span id comes from that header when
 * it names the same trace. Foreign input: anything that is not a trace id is left out.
 */
function traceOfEntry(e: HarEntry, headers: HeaderList): { traceId?: string; spanId?: string } {
  const fromHeader = traceOfHeaders(headers)
  const sent = fromHeader !== null && 'traceId' in fromHeader ? fromHeader : null
  const recorded = typeof e._traceId === 'string' ? asTraceId(e._traceId) : null
  const traceId = recorded ?? sent?.traceId
  if (traceId === undefined) return {}
  return sent?.traceId === traceId ? { traceId, spanId: sent.spanId } : { traceId }
}

/**
 * A recorded body: a proxy's base64 one (`postData.encoding`, which HAR 1.2 has only on responses) decoded when
 * its bytes are UTF-8 text, so Edit as new request and Copy as have the text that was sent; a binary one stays
 * base64 and says so, so neither takes its letters for the body (har-handlers.ts, snippets.ts) and a HAR of it
 * again carries it as recorded.
 */
function posted(mimeType: string, post: { text: string; encoding?: unknown }): ImportedPostData {
  if (post.encoding !== 'base64' || !isBase64Text(post.text)) return { mimeType, text: post.text }
  try {
    return {
      mimeType,
      text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(post.text, 'base64')),
    }
  } catch {
    return { mimeType, text: post.text, encoding: 'base64' }
  }
}
