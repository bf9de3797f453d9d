import type { HarImportResult } from '../../shared/body-view'
import type { HarEntry } from './har-types'

/**
 * The heavy half of opening a HAR, run in a pool worker: parse the text, keep the usable entries (the same
 * rules for what is skipped and why), cut at MAX_IMPORT_ENTRIES, and decode each response body to bytes. What
 * goes back is compact: the fields the timeline needs, and each body in its own ArrayBuffer so it is moved to
 * the engine's thread, not copied.
 */

export const MAX_IMPORT_ENTRIES = 20_000

export class HarFormatError extends Error {}

/** An entry as the timeline lays it out: a HAR entry without its response body text. */
export interface ParsedHarEntry {
  entry: HarEntry
  /** Its startedDateTime, in ms since the epoch. */
  start: number
  /** The decoded response body (its own buffer, transferred), or null when the HAR has none. */
  body: Uint8Array | null
}

/**
 * Parallel lists, one item per usable entry. Each entry travels as its JSON text: thousands of small strings
 * cross from the worker far faster than thousands of nested objects, and the engine's thread parses each one
 * only when it lays that entry out, a slice at a time.
 */
export interface ParsedHar {
  entries: string[]
  starts: number[]
  bodies: (Uint8Array | null)[]
  skipped: HarImportResult['skipped']
}

/**
 * Called between chunks of work (the worker checks its memory budget there); `ahead` is what the next
 * uninterruptible step is expected to take.
 */
export type Checkpoint = (ahead?: number) => void

/**
 * What JSON.parse of a HAR takes, per byte of text: its strings are copied out of the text, and its objects
 * and arrays weigh more than their JSON (1.6 bytes per char measured for 20,000 small browser-like entries;
 * 3 leaves room for denser ones).
 */
export const PARSE_BYTES_PER_CHAR = 3

const CHECK_EVERY = 200

export function parseHar(text: string, checkpoint: Checkpoint = () => undefined): ParsedHar {
  checkpoint(text.length * PARSE_BYTES_PER_CHAR)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new HarFormatError(`Not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  const all = (doc as { log?: { entries?: unknown } } | null)?.log?.entries
  if (!Array.isArray(all)) throw new HarFormatError('Not a HAR file: no log.entries list')
  checkpoint()
  const total = all.length
  const list = all.slice(0, MAX_IMPORT_ENTRIES) as unknown[]
  const skipped: HarImportResult['skipped'] = []
  const out: ParsedHar = { entries: [], starts: [], bodies: [], skipped }
  list.forEach((raw, index) => {
    const why = problem(raw)
    if (why) skipped.push({ index, reason: why })
    else {
      const entry = raw as HarEntry
      out.entries.push(JSON.stringify(compact(entry)))
      out.starts.push(Date.parse(entry.startedDateTime))
      out.bodies.push(bodyOf(entry))
    }
    // Drop the parsed text as it is used: the decoded bytes replace it.
    list[index] = null
    if (index % CHECK_EVERY === CHECK_EVERY - 1) checkpoint()
  })
  if (total > MAX_IMPORT_ENTRIES)
    skipped.push({
      index: MAX_IMPORT_ENTRIES,
      reason: `only the first ${MAX_IMPORT_ENTRIES} entries are imported`,
    })
  checkpoint()
  return out
}

/** The buffers to transfer with a parsed HAR. */
export function transfersOf(parsed: ParsedHar): ArrayBuffer[] {
  const out: ArrayBuffer[] = []
  for (const b of parsed.bodies) if (b) out.push(b.buffer as ArrayBuffer)
  return out
}

function problem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return 'not an object'
  const e = raw as Partial<HarEntry>
  if (typeof e.startedDateTime !== 'string' || Number.isNaN(Date.parse(e.startedDateTime)))
    return 'no valid startedDateTime'
  if (!e.request || typeof e.request.method !== 'string' || typeof e.request.url !== 'string')
    return 'no request method and URL'
  if (!e.response || typeof e.response.status !== 'number') return 'no response status'
  return null
}

/** Its own buffer (never a slice of Node's shared pool, which cannot be transferred alone). */
function bodyOf(e: HarEntry): Uint8Array | null {
  const content = e.response.content as Partial<HarEntry['response']['content']> | undefined
  const text = content?.text
  if (typeof text !== 'string' || text === '') return null
  const encoding = content?.encoding === 'base64' ? 'base64' : 'utf8'
  const bytes = new Uint8Array(Buffer.byteLength(text, encoding))
  const written = Buffer.from(bytes.buffer).write(text, 0, encoding)
  return written === bytes.length ? bytes : bytes.slice(0, written)
}

/** The fields the timeline reads; cookies, query strings and the body text stay behind. */
function compact(e: HarEntry): HarEntry {
  const { request: q, response: r } = e
  const content = (r.content ?? {}) as Partial<HarEntry['response']['content']>
  return {
    startedDateTime: e.startedDateTime,
    time: e.time,
    request: {
      method: q.method,
      url: q.url,
      httpVersion: q.httpVersion,
      headers: q.headers,
      headersSize: q.headersSize,
      bodySize: q.bodySize,
      cookies: [],
      queryString: [],
      ...(q.postData !== undefined ? { postData: q.postData } : {}),
    },
    response: {
      status: r.status,
      statusText: r.statusText,
      httpVersion: r.httpVersion,
      headers: r.headers,
      headersSize: r.headersSize,
      bodySize: r.bodySize,
      cookies: [],
      redirectURL: '',
      content: { size: content.size as number, mimeType: content.mimeType as string },
    },
    cache: {},
    timings: e.timings,
    ...(e.serverIPAddress !== undefined ? { serverIPAddress: e.serverIPAddress } : {}),
    ...(e.connection !== undefined ? { connection: e.connection } : {}),
    ...(e.comment !== undefined ? { comment: e.comment } : {}),
    ...(e._serverTiming !== undefined ? { _serverTiming: e._serverTiming } : {}),
    ...(e._traceId !== undefined ? { _traceId: e._traceId } : {}),
  }
}
