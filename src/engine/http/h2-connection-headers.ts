import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2'
import symbols from 'undici/lib/core/symbols.js'
import type { HeaderList } from '../../shared/timeline'
import { connectionHeaderInternalsPresent } from './undici-internals'

/**
 * HTTP/2 carries no connection-specific header (RFC 9113 §8.2.2): Connection, Keep-Alive, Proxy-Connection,
 * Transfer-Encoding, Upgrade, HTTP2-Settings, and a TE other than "trailers". Node's http2 throws
 * ERR_HTTP2_INVALID_CONNECTION_HEADERS for one, and undici hands a request's headers to `session.request` inside its
 * own write, unchecked: a `Proxy-Connection` or `TE: chunked` a person typed (or a HAR carried) threw out of undici
 * uncaught, and the request never ended. As curl does over HTTP/2, such a header is left off, and a TE that names
 * trailers among other codings goes as "trailers" (what gRPC-web asks for); the request-sent event says so. Over
 * HTTP/1.1 they go as typed (undici refuses Keep-Alive, Upgrade and Transfer-Encoding itself, and checkFraming
 * before it, in words).
 */

const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

/** What goes over HTTP/2 of header `name`: its value, the value it goes with instead, or null (not sent). */
export function h2Value(name: string, value: string): string | null {
  const lower = name.toLowerCase()
  if (DROPPED.has(lower)) return null
  if (lower !== 'te') return value
  const codings = value.split(',').map((c) => (c.split(';')[0] ?? '').trim().toLowerCase())
  return codings.includes('trailers') ? 'trailers' : null
}

/** Connection-specific headers taken off (or a TE set to "trailers") in place, as they go to `session.request`. */
function leaveOffConnectionHeaders(headers: OutgoingHttpHeaders): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (lower !== 'te' && !DROPPED.has(lower)) continue
    const value = h2Value(name, String(headers[name]))
    if (value === null) delete headers[name]
    else headers[name] = value
  }
}

const guarded = new WeakSet<ClientHttp2Session>()
const { kHTTP2Session } = symbols

/**
 * Guard the HTTP/2 session of `socket`, if it has one, before its next stream is made. Called from undici's
 * sendHeaders channel (socket-claim.ts), which undici 7 publishes just before it calls `session.request`; a
 * session is guarded once, for every request on it (HTTP sends and SSE streams alike). What it needs of undici's
 * insides is checked in undici-internals.ts (missingForConnectionHeaders), which warns once when it is not there.
 */
export function guardConnectionHeaders(socket: unknown): void {
  if (!connectionHeaderInternalsPresent()) return
  const session = (socket as Record<symbol, unknown> | undefined)?.[kHTTP2Session] as
    ClientHttp2Session | null | undefined
  if (!session || typeof session.request !== 'function' || guarded.has(session)) return
  guarded.add(session)
  const request = session.request
  session.request = function (this: ClientHttp2Session, ...args: Parameters<ClientHttp2Session['request']>) {
    if (args[0]) leaveOffConnectionHeaders(args[0])
    return request.apply(this, args)
  }
}

/** The headers as they went over HTTP/2, and a note naming what was left off or changed (undefined: nothing). */
export function sentOverH2(headers: HeaderList): { headers: HeaderList; note: string | undefined } {
  const out: HeaderList = []
  const left: string[] = []
  for (const [name, value] of headers) {
    const sent = h2Value(name, value)
    if (sent !== value) left.push(sent === null ? name : `${name}: ${value} (sent as "${sent}")`)
    if (sent !== null) out.push([name, sent])
  }
  if (left.length === 0) return { headers, note: undefined }
  return {
    headers: out,
    note: `Not sent as typed over HTTP/2, which carries no connection-specific header (RFC 9113 §8.2.2): ${left.join(', ')}`,
  }
}

/** The bytes of header lines as undici writes them in the header block it publishes (`name: value` and CRLF). */
export function headerLinesBytes(headers: HeaderList): number {
  let n = 0
  for (const [name, value] of headers) n += Buffer.byteLength(`${name}: ${value}\r\n`)
  return n
}
