import { fail, ok, type Result } from '../../shared/result'
import type { KeyValue, RequestBody } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'

/** Checks every session kind (HTTP, SSE, WebSocket) runs on what a person typed, before anything is sent. */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/**
 * A scheme typed before a slash or backslash: `http://`, and `http:/host` or `http:\\host`, which URL parsers (and
 * browsers) read as `http://host`; without it, `http://` was put in front and `http:/host` went to a host named http.
 */
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z\d+.-]*:[/\\]/
/** What undici and Node refuse in a header value (their rule): a C0 control but tab, DEL, or a character past U+00FF. */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/u

/**
 * Parse a URL a person typed; `schemes` are the ones allowed, and the first is assumed when none is given
 * (like other API clients, "example.com/path" means http).
 */
export function parseTargetUrl(raw: string, schemes: readonly string[]): Result<URL> {
  const text = raw.trim()
  if (!text) return fail('invalid_url', 'Enter a URL to send the request to')
  const withScheme = HAS_SCHEME.test(text) ? text : `${schemes[0] ?? 'http'}://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return fail('invalid_url', `Invalid URL: ${text.slice(0, 200)}`)
  }
  const scheme = url.protocol.slice(0, -1)
  if (!schemes.includes(scheme)) {
    return fail('invalid_url', `Unsupported URL scheme ${url.protocol} (use ${schemes.join(' or ')})`)
  }
  if (!url.hostname) return fail('invalid_url', `Invalid URL: no host in ${text.slice(0, 200)}`)
  return ok(url)
}

/** Enabled headers as a list, refusing names that are not tokens and values with CR, LF or NUL. */
export function checkHeaderList(list: readonly KeyValue[]): Result<HeaderList> {
  const out: HeaderList = []
  for (const h of list) {
    if (!h.enabled) continue
    const name = h.name.trim()
    if (!name) continue
    if (name.startsWith(':')) return fail('invalid_request', pseudoHeaderRefusal(name))
    if (!HEADER_NAME.test(name))
      return fail('invalid_request', `Header name "${name.slice(0, 100)}" is not a valid HTTP token`)
    const why = unsendable(h.value)
    if (why) return fail('invalid_request', `Header "${name}" has ${why}`)
    out.push([name, h.value])
  }
  return ok(out)
}

/**
 * A name typed with a colon in front is an HTTP/2 pseudo-header, which the HTTP client writes itself (:method,
 * :scheme, :authority, :path from the request's method and URL). `:protocol` would make the request an extended
 * CONNECT (RFC 8441), which opens a WebSocket or another protocol on a stream, not a request: not sent either.
 */
function pseudoHeaderRefusal(name: string): string {
  const shown = JSON.stringify(name.slice(0, 100))
  const lower = name.toLowerCase()
  const why =
    lower === ':protocol'
      ? "it would make the request an extended CONNECT (RFC 8441), which opens another protocol on an HTTP/2 stream: Flightdeck sends none (its WebSocket requests open with HTTP/1.1's Upgrade)"
      : lower === ':authority'
        ? 'Flightdeck writes it from the URL; set Host to send another authority'
        : "Flightdeck writes the pseudo-headers from the request's method and URL"
  return `Header ${shown} is an HTTP/2 pseudo-header: ${why}. Remove it; nothing was sent`
}

/**
 * Why a header value cannot be sent, or undefined. undici and Node refuse these too, but a refused dispatch used to
 * leave a kept-alive connection looking busy (reusing-pool.ts), and their words name no header: so they are refused
 * here, before anything is sent.
 */
function unsendable(value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return 'a line break or NUL in its value, which HTTP does not allow'
  const other = UNSENDABLE.exec(value)?.[0]
  if (other === undefined) return undefined
  const code = `U+${(other.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
  return `${code} in its value, which an HTTP header cannot carry (only tabs and Latin-1 characters)`
}

/** A text or file body's own Content-Type, sent as a header when none is given, is checked as a header value. */
export function checkBodyContentType(body: RequestBody, headers: HeaderList): Result<void> {
  const type = body.kind === 'text' || body.kind === 'file' ? body.contentType : undefined
  if (!type || headers.some(([name]) => name.toLowerCase() === 'content-type')) return ok(undefined)
  const why = unsendable(type)
  return why ? fail('invalid_request', `The body's Content-Type has ${why}`) : ok(undefined)
}

/**
 * Why a header set on an HTTP request cannot go as set, or undefined. Flightdeck's HTTP client (undici) writes the
 * connection's own headers itself and refuses these with words that name nothing the person typed ('invalid
 * keep-alive header'), or drops them without a word (a Connection option but close or keep-alive; a Content-Length
 * on a GET without a body): refused here, before anything is sent. `bodyLength` is the body's size when it is known
 * before sending (none, text, JSON, form), else null.
 */
export function checkFraming(headers: HeaderList, bodyLength: number | null): Result<void> {
  let lengths = 0
  for (const [name, value] of headers) {
    const why = framingRefusal(name.toLowerCase(), value.trim(), bodyLength)
    if (why) return fail('invalid_request', `Header "${name}" ${why}`)
    if (name.toLowerCase() === 'content-length' && ++lengths > 1)
      return fail('invalid_request', `Header "${name}" is set twice: ${LENGTH_FROM_BODY}`)
  }
  return ok(undefined)
}

const LENGTH_FROM_BODY = 'remove it, and Flightdeck sets Content-Length from the body'
/** The Connection options undici sends: it writes `connection: close` or `connection: keep-alive` itself. */
const CONNECTION_OPTIONS = new Set(['close', 'keep-alive'])

function framingRefusal(name: string, value: string, bodyLength: number | null): string | undefined {
  switch (name) {
    case 'keep-alive':
      return 'cannot be sent: keeping the connection alive is the HTTP client\'s to say (it sends "Connection: keep-alive" itself). Remove it; "Connection: close" asks the server to close the connection after answering'
    case 'upgrade':
      return 'cannot be sent: an HTTP request here does not switch protocols. For a WebSocket, use a WebSocket request; remove the header to send this one'
    case 'transfer-encoding':
      return 'cannot be set: Flightdeck frames the body itself (Content-Length when its size is known, chunked when not). Remove it'
    case 'connection': {
      const other = value.split(',').find((t) => !CONNECTION_OPTIONS.has(t.trim().toLowerCase()))
      if (other === undefined) return undefined
      const what = other.trim() ? `"${other.trim().slice(0, 100)}"` : 'an empty option'
      return `can say only "close" or "keep-alive" (the HTTP client writes this header itself): ${what} would not be sent. Remove it, or keep only those`
    }
    case 'content-length': {
      if (!/^\d+$/.test(value))
        return `must be a number of bytes, not "${value.slice(0, 100)}": ${LENGTH_FROM_BODY}`
      if (bodyLength !== null && Number(value) !== bodyLength) {
        const body = bodyLength === 0 ? 'the request has no body' : `the body is ${bodyLength} bytes`
        return `says ${value} bytes, but ${body}; only the body's own length can be sent: ${LENGTH_FROM_BODY}`
      }
      return undefined
    }
    default:
      return undefined
  }
}

/**
 * A CONNECT asks a proxy to open a tunnel to another host (RFC 9110 §9.3.6); undici sends it only as its proxy
 * agent's own step and refused it here in its words ('invalid onUpgrade method').
 */
export function checkMethod(method: string): Result<void> {
  if (method !== 'CONNECT') return ok(undefined)
  return fail(
    'invalid_request',
    'Method CONNECT cannot be sent: a CONNECT asks a proxy to open a tunnel, and Flightdeck does not send one as a request. Nothing was sent',
  )
}
