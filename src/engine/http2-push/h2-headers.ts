import type { IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from 'node:http2'
import type { HeaderList } from '../../shared/timeline'
import { byteStringText } from '../http/http-headers'

type H2Headers = IncomingHttpHeaders & IncomingHttpStatusHeader

/** Node's h2 header object as a list: pseudo-headers first when kept, a repeated header once per value. */
export function h2HeaderList(headers: H2Headers | OutgoingHttpHeaders, pseudo: boolean): HeaderList {
  const out: HeaderList = []
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue
    if (k.startsWith(':') && !pseudo) continue
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, String(one)])
  }
  return out
}

/**
 * A header object Node's http2 received, as a list: each value is the Latin-1 string of its bytes there, read as
 * HTTP/1.1's are (UTF-8 when they are, else Latin-1), so a server's UTF-8 `café` does not show `cafÃ©`.
 */
export function h2ReceivedList(headers: H2Headers, pseudo: boolean): HeaderList {
  return h2HeaderList(headers, pseudo).map(([k, v]) => [k, byteStringText(v)])
}

/** A header's value in Node's h2 header object, as one string ('' when absent). */
export function h2Value(headers: H2Headers, name: string): string {
  const v = headers[name]
  if (v === undefined) return ''
  return Array.isArray(v) ? v.join(', ') : String(v)
}

/** Headers HTTP/2 forbids (connection-specific): Node refuses a request that carries one. */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'host',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

/**
 * The request's header block for Node's h2 client: the pseudo-headers, then the request's own headers (names in
 * lower case, as HTTP/2 requires; repeated names as arrays). Host becomes :authority; what HTTP/2 forbids is left
 * out and named in `dropped`.
 */
export function h2RequestHeaders(
  method: string,
  url: URL,
  flat: readonly string[],
): { headers: OutgoingHttpHeaders; dropped: string[] } {
  const headers: OutgoingHttpHeaders = {
    ':method': method,
    ':scheme': 'https',
    ':authority': url.host,
    ':path': `${url.pathname}${url.search}`,
  }
  const dropped: string[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] ?? '').toLowerCase()
    const value = flat[i + 1] ?? ''
    if (name === 'host') {
      headers[':authority'] = value
      continue
    }
    if (name === 'te' && value.toLowerCase() === 'trailers') {
      headers.te = value
      continue
    }
    if (CONNECTION_SPECIFIC.has(name) || name === 'te') {
      dropped.push(name)
      continue
    }
    const prev = headers[name]
    if (prev === undefined) headers[name] = value
    else headers[name] = [...(Array.isArray(prev) ? prev : [String(prev)]), value]
  }
  return { headers, dropped }
}

/** Bytes of a header block as HPACK would carry it uncompressed (name + value + 32 per field, RFC 7541 4.1). */
export function h2BlockBytes(list: HeaderList): number {
  let n = 0
  for (const [k, v] of list) n += k.length + v.length + 32
  return n
}

/** HTTP/2 has no reason phrases: the interim ones people know, for the details to read as over HTTP/1.1. */
const INTERIM_REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  102: 'Processing',
  103: 'Early Hints',
}

/** An interim (1xx) response's reason and headers as undici hands them (raw name and value buffers). */
export function h2Interim(h: H2Headers, status: number): { reason: string; raw: Buffer[] } {
  const raw = h2HeaderList(h, false).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)])
  return { reason: INTERIM_REASONS[status] ?? '', raw }
}
