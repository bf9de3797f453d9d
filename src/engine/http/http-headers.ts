import { isUtf8 } from 'node:buffer'
import type { HeaderList, HttpProtocol } from '../../shared/timeline'

/**
 * HTTP header lists for every kind of session: made from the header blocks undici hands over (raw buffers,
 * the request as written), measured, and looked up by name.
 */

export function hasHeader(headers: HeaderList, name: string): boolean {
  return headers.some(([k]) => k.toLowerCase() === name)
}

/** The first value of header `name` (lower case), or '' when it is absent. */
export function headerValue(headers: HeaderList, name: string): string {
  return headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? ''
}

/**
 * The last header block paired, and its list. Under load one server sends the same headers over and over (a
 * Date header changes once a second): the same bytes get the same list, shared by the events that carry it
 * (nothing changes an event's headers), instead of new strings per response kept for every session.
 */
let lastPairs: HeaderList = []

export function pairHeaders(
  raw: Buffer[] | string[] | null | undefined,
  protocol: HttpProtocol = 'http/1.1',
): HeaderList {
  if (!raw) return []
  if (raw.length > 0 && typeof raw[0] !== 'string' && sameAsLast(raw as Buffer[], lastPairs)) return lastPairs
  const text = fieldReader(protocol)
  const out: HeaderList = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([text(raw[i]), text(raw[i + 1])])
  lastPairs = out
  return out
}

/**
 * How a received field's bytes (as undici hands them over on `protocol`) are read as text: the final response's
 * rule, which interim (1xx) responses follow too (informational.ts).
 */
export function fieldReader(
  protocol: HttpProtocol = 'http/1.1',
): (field: Buffer | string | undefined) => string {
  return protocol === 'h2' ? h2FieldText : fieldText
}

/**
 * An HTTP/2 field as undici hands it over: Node's http2 reads a field's bytes as Latin-1 (one character a byte)
 * and undici writes that string back as UTF-8, so a server's UTF-8 `café` came out `cafÃ©`. Its bytes as sent are
 * that string's characters; they are then read as an HTTP/1.1 field is (UTF-8 when they are, else Latin-1).
 */
function h2FieldText(field: Buffer | string | undefined): string {
  if (typeof field !== 'object') return byteStringText(String(field))
  for (let i = 0; i < field.length; i++)
    if ((field[i] as number) > 0x7f) return byteStringText(field.toString('utf8'))
  return field.toString('latin1')
}

/** A field's value as Node's http and http2 give it (each character one byte of the wire), read as fieldText reads it. */
export function byteStringText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(value) ? fieldText(Buffer.from(value, 'latin1')) : value
}

/**
 * A header field's bytes as text: UTF-8 when they are UTF-8, else Latin-1, each byte its own character (HTTP's
 * historical charset for field values, what curl prints and Node's own http module and browsers decode). Old
 * servers send `X-Name: caf\xe9`: as UTF-8 that byte is lost to U+FFFD; as Latin-1 it reads `café`.
 */
function fieldText(field: Buffer | string | undefined): string {
  if (typeof field !== 'object') return String(field)
  const text = field.toString('utf8')
  return text.includes('\uFFFD') && !isUtf8(field) ? field.toString('latin1') : text
}

/**
 * Trailers as undici hands them over: raw name/value buffers over HTTP/1.1, Node's header object over h2 (where
 * pseudo-headers and arrays of values may appear, and each value is the Latin-1 string of its bytes). Not
 * through pairHeaders: trailers are rare, and they would evict the header block that pairHeaders keeps for the
 * next response.
 */
export function trailerList(raw: unknown): HeaderList {
  const out: HeaderList = []
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2)
      out.push([fieldText(raw[i] as Buffer | string), fieldText(raw[i + 1] as Buffer | string)])
  } else if (raw !== null && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      if (k.startsWith(':')) continue
      for (const one of Array.isArray(v) ? v : [v]) out.push([k, byteStringText(String(one))])
    }
  }
  return out
}

/** Whether `raw` decodes to `pairs`: compared byte for character, ASCII only (where that is exact). */
function sameAsLast(raw: Buffer[], pairs: HeaderList): boolean {
  if (raw.length !== pairs.length * 2) return false
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as Buffer
    const pair = pairs[i >> 1] as [string, string]
    const str = i & 1 ? pair[1] : pair[0]
    const n = b.length
    if (n !== str.length) return false
    // Header lines are short: a byte loop beats a call into native code here.
    for (let j = 0; j < n; j++) {
      const c = b[j] as number
      if (c > 0x7e || c !== str.charCodeAt(j)) return false
    }
  }
  return true
}

export function headerBlockBytes(status: number, statusText: string, headers: HeaderList): number {
  let n = `HTTP/1.1 ${status} ${statusText}\r\n`.length + 2
  for (const [k, v] of headers) n += k.length + 2 + Buffer.byteLength(v) + 2
  return n
}

/** The last header block sent and its list: a run sends the same block over and over (see pairHeaders). */
let lastSent = { raw: '', protocol: 'http/1.1' as HttpProtocol, headers: [] as HeaderList }

/** undici hands us the header block as written: h1 has a request line first, h2 a `name: value` list. */
export function parseSentHeaders(raw: string, protocol: HttpProtocol): HeaderList {
  if (raw === lastSent.raw && protocol === lastSent.protocol && raw !== '') return lastSent.headers
  const headers = splitSentHeaders(raw, protocol)
  lastSent = { raw, protocol, headers }
  return headers
}

function splitSentHeaders(raw: string, protocol: HttpProtocol): HeaderList {
  const lines = raw.split('\r\n').filter(Boolean)
  if (protocol === 'http/1.1') lines.shift()
  const out: HeaderList = []
  for (const line of lines) {
    const i = line.indexOf(':', protocol === 'h2' && line.startsWith(':') ? 1 : 0)
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 1).trim()])
  }
  return out
}
