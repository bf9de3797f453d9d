import type { Socket } from 'node:net'
import type { AppError, ErrorCode } from '../../shared/result'
import type { HeaderList } from '../../shared/timeline'
import { timingOf } from './connector'

/**
 * The most response-header bytes read from one response (what Chrome reads; curl reads 100 KB). Node's parser
 * default, 16 KB, refused real gateways' answers (a big Set-Cookie, a long CSP).
 */
export const MAX_RESPONSE_HEADER_BYTES = 256 * 1024

/** The most header fields (pseudo-headers included) Node's HTTP/2 client takes in one header block. */
export const MAX_H2_HEADER_FIELDS = 128

/** An error the engine raises itself, already classified. */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message)
  }
}

interface NodeishError {
  code?: unknown
  message?: unknown
  cause?: unknown
  hostname?: unknown
  address?: unknown
  port?: unknown
  name?: unknown
  path?: unknown
}

function codeOf(e: NodeishError): string {
  return typeof e.code === 'string' ? e.code : ''
}

const TLS_SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN'])
const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
])

/**
 * Turn whatever Node, undici or the engine threw into a code a user can act on and one plain sentence.
 * `where` names the target (`host:port`) so messages say what failed.
 */
export function classifyError(error: unknown, where: string): AppError {
  if (error instanceof EngineError) {
    return error.detail === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, detail: error.detail }
  }
  const e: NodeishError =
    error && typeof error === 'object' ? (error as NodeishError) : { message: String(error) }
  // undici wraps socket errors; the cause carries the system code.
  const cause = e.cause && typeof e.cause === 'object' ? (e.cause as NodeishError) : undefined
  const code = codeOf(e) || (cause ? codeOf(cause) : '')
  const detail = [code, typeof e.message === 'string' ? e.message : ''].filter(Boolean).join(': ')
  const make = (c: ErrorCode, message: string): AppError => ({ code: c, message, detail })
  const text = typeof e.message === 'string' ? e.message : ''

  if (code === 'UND_ERR_SOCKET' && text.includes('GOAWAY')) {
    return make('reset', `${where} ended the HTTP/2 connection (GOAWAY) before the response was complete`)
  }
  if (code === 'UND_ERR_SOCKET' && text === 'bad response') {
    // undici stops at a response nobody asked for: an interim 100 Continue (it never sends Expect), or bytes
    // after the end of the previous response on the connection.
    return make(
      'protocol',
      `${where} sent a response Flightdeck cannot read: an unrequested 100 Continue, or bytes past the end of the previous response`,
    )
  }
  // Node's own parser (WebSocket upgrades, SSE): headers past its maxHeaderSize are no malformed response.
  if (code === 'HPE_HEADER_OVERFLOW') return make('protocol', headersTooLarge(where))
  if (e.name === 'HTTPParserError' || code.startsWith('HPE_')) {
    return make('protocol', `${where} sent a malformed HTTP response${text ? ` (${text})` : ''}`)
  }
  if (code === 'UND_ERR_NOT_SUPPORTED' && /expect/i.test(text)) {
    return make(
      'invalid_request',
      'The Expect header (100-continue) is not supported: remove it and the body is sent at once',
    )
  }
  if (code.includes('ALERT_CERTIFICATE_REQUIRED')) {
    return make('tls', `${where} requires a client certificate (mutual TLS), and none was presented`)
  }

  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return make('dns', `Could not resolve host ${hostOnly(where)}`)
    case 'ECONNREFUSED':
      return make('refused', `Connection refused by ${where}`)
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'ERR_HTTP2_STREAM_ERROR':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_GOAWAY_SESSION':
      return make('reset', `Connection reset by ${where} before the response was complete`)
    case 'FD_CONNECT_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return make('timeout_connect', `Timed out connecting to ${where}`)
    case 'UND_ERR_HEADERS_OVERFLOW':
      return make('protocol', headersTooLarge(where))
    case 'UND_ERR_HEADERS_TIMEOUT':
      return make('timeout_headers', `Timed out waiting for response headers from ${where}`)
    case 'UND_ERR_BODY_TIMEOUT':
      return make('timeout_idle', `The response body from ${where} stalled (idle timeout)`)
    case 'CERT_HAS_EXPIRED':
      return make('tls_expired', `The TLS certificate of ${where} has expired`)
    case 'CERT_NOT_YET_VALID':
      return make('tls_expired', `The TLS certificate of ${where} is not valid yet`)
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return make('tls_hostname', `The TLS certificate of ${where} is not valid for host ${hostOnly(where)}`)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return make('network', `Host ${where} is unreachable`)
    case 'ENOENT':
    case 'EACCES':
    case 'EISDIR': {
      // Name the file the person typed, in words, rather than the system call that failed.
      const path = typeof e.path === 'string' ? e.path : null
      if (path === null)
        return make(
          'file',
          `Cannot read a file for the request body: ${typeof e.message === 'string' ? e.message : code}`,
        )
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : 'is a folder, not a file'
      return make('file', `The body file ${path} ${why}; nothing was sent`)
    }
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return make(
        'invalid_request',
        `The request is malformed: ${typeof e.message === 'string' ? e.message : code}`,
      )
    default:
      break
  }
  if (TLS_SELF_SIGNED.has(code)) {
    return make('tls_self_signed', `The TLS certificate of ${where} is self-signed and not trusted`)
  }
  if (TLS_UNTRUSTED.has(code)) {
    return make('tls', `The TLS certificate of ${where} is not signed by a trusted authority`)
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return make('tls', `TLS handshake with ${where} failed`)
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    // Ours, not the server's: a Content-Length set on the request that its body (a file, read as it goes) belied.
    return make(
      'invalid_request',
      "The request body's size did not match the Content-Length header set on it: remove the header, and Flightdeck sets Content-Length from the body",
    )
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return make('reset', `The body from ${where} did not match its Content-Length`)
  }
  if (code.startsWith('Z_') || code.includes('BROTLI') || code.startsWith('ERR__ERROR')) {
    return make('protocol', `The response body from ${where} could not be decompressed (${text || code})`)
  }
  return make(
    'network',
    `Request to ${where} failed${typeof e.message === 'string' && e.message ? `: ${e.message}` : ''}`,
  )
}

/**
 * undici refused the request itself (InvalidArgumentError, NotSupportedError: a header it will not send, such as
 * Expect): nothing was sent, and the same request would be refused the same way again, so it is no reason to retry.
 */
export function isRequestRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED'
}

function hostOnly(where: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(where)
  return m?.[1] ?? where
}

/** What an exchange knows when it fails, to tell a more telling cause than undici's. */
export interface FailureContext {
  socket: Socket | undefined
  /** The response's status, 0 before its headers. */
  status: number
  /** Whether the body was being decoded (then its wire size says little). */
  decoding: boolean
  /** The response's Content-Length, NaN without one. */
  declaredLength: number
  wireBytes: number
  host: string
  /** The request's own header fields, to tell our headers refused from the response's. */
  requestHeaders?: HeaderList | undefined
}

/** A more telling cause than what undici reports, where the exchange knows one; else `err` itself. */
export function explainFailure(err: unknown, c: FailureContext): unknown {
  if (err instanceof EngineError) return err
  const socketError = timingOf(c.socket)?.socketError as (Error & { code?: unknown }) | undefined
  if (socketError && typeof socketError.code === 'string' && socketError.code.includes('ALERT'))
    return socketError
  const code = (err as { code?: unknown } | null)?.code
  const ours = h2RequestHeadersFailure(err, c.status, c.host, c.requestHeaders)
  if (ours) return ours
  const tooMany = h2HeaderFieldsFailure(err, c.status, c.host)
  if (tooMany) return tooMany
  const head = invalidHeadFailure(err, c.status, c.host)
  if (head) return head
  const declared = c.declaredLength
  if (
    c.status > 0 &&
    !c.decoding &&
    Number.isFinite(declared) &&
    c.wireBytes < declared &&
    (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') &&
    !String((err as Error).message).includes('GOAWAY')
  ) {
    return new EngineError(
      'reset',
      `${c.host} closed the connection after ${c.wireBytes} of the ${declared} bytes its Content-Length announced`,
      err instanceof Error ? err.message : undefined,
    )
  }
  return err
}

/**
 * undici reports a response head that llhttp refuses (a control character in a header, `Content-Length: 2, 3`)
 * as a Content-Length mismatch once it has read a Content-Length, and drops llhttp's reason. Before the response's
 * headers (status 0) no body was read, so the head itself was not valid HTTP/1.1: that error, else null.
 */
export function invalidHeadFailure(err: unknown, status: number, host: string): EngineError | null {
  if (status !== 0 || (err as { code?: unknown } | null)?.code !== 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')
    return null
  return new EngineError(
    'protocol',
    `${host} sent a malformed HTTP response: its status line or headers are not valid HTTP/1.1 (such as a control character in a header, or a Content-Length that is not one number), so it was not read; undici does not say which part`,
    err instanceof Error ? err.message : undefined,
  )
}

function headersTooLarge(where: string): string {
  return `The response headers from ${where} are larger than ${MAX_RESPONSE_HEADER_BYTES / 1024} KB, the most Flightdeck reads (as browsers do)`
}

/**
 * An HTTP/2 stream ended before its response for the size of headers, ours or the server's, in words; else null.
 * For an exchange that reads the stream itself (a request sent with Accept server push).
 */
export function h2HeadersFailure(
  err: unknown,
  status: number,
  host: string,
  requestHeaders: HeaderList,
): EngineError | null {
  return (
    h2RequestHeadersFailure(err, status, host, requestHeaders) ?? h2HeaderFieldsFailure(err, status, host)
  )
}

/**
 * An HTTP/2 stream reset before its response's headers (`status` 0) for their size, in words; else null. With
 * ENHANCE_YOUR_CALM it is ours (more fields than Node's client takes); with FRAME_SIZE_ERROR the server's (a
 * Node server will not send a header block over its 64 KB `maxSendHeaderBlockLength`).
 */
export function h2HeaderFieldsFailure(err: unknown, status: number, host: string): EngineError | null {
  const code = (err as { code?: unknown } | null)?.code
  if (status !== 0 || code !== 'ERR_HTTP2_STREAM_ERROR') return null
  const text = String(err)
  const detail = (err as Error).message
  if (/ENHANCE_YOUR_CALM/.test(text)) return new EngineError('protocol', h2HeadersTooMany(host), detail)
  if (/FRAME_SIZE_ERROR/.test(text)) {
    return new EngineError(
      'protocol',
      `${host} reset the HTTP/2 stream (FRAME_SIZE_ERROR) before sending the response headers: most often its header block was larger than the server itself will send (a Node server sends at most 64 KB)`,
      detail,
    )
  }
  return null
}

/**
 * Node's HTTP/2 client resets a stream whose header block has more than 128 fields (undici gives no way to raise
 * it); it cannot say how many came. A server may send the same reset to say "slow down", so that reading is named.
 */
function h2HeadersTooMany(where: string): string {
  return `The response headers from ${where} have more fields than Flightdeck reads over HTTP/2 (${MAX_H2_HEADER_FIELDS}, Node's limit), so the stream was ended (ENHANCE_YOUR_CALM) before they were read. Over HTTP/1.1 up to ${MAX_RESPONSE_HEADER_BYTES / 1024} KB of headers are read: turn HTTP/2 off for this request. (A server that sends ENHANCE_YOUR_CALM itself is asking for fewer requests.)`
}

/** The most bytes Node's HTTP/2 client sends in one header block (`maxSendHeaderBlockLength`, undici keeps it). */
const MAX_H2_SENT_HEADER_BLOCK = 64 * 1024
/** Pseudo-headers every HTTP/2 request carries besides its own fields (:method, :path, :scheme, :authority). */
const H2_REQUEST_PSEUDO_FIELDS = 4

/**
 * An HTTP/2 stream that ended before its response because of the request's own headers, in words; else null.
 * Node's client will not send a header block over 64 KB (undici reports it as `"frameError" received - type 1`,
 * HEADERS); a server that reads fewer fields than we sent (a Node server reads 128) resets the stream with
 * ENHANCE_YOUR_CALM, which would otherwise read as too many response headers.
 */
function h2RequestHeadersFailure(
  err: unknown,
  status: number,
  host: string,
  request: HeaderList | undefined,
): EngineError | null {
  if (status !== 0 || !request) return null
  const detail = err instanceof Error ? err.message : String(err)
  const fields = request.length
  const bytes = request.reduce((n, [name, value]) => n + name.length + value.length, 0)
  const size = `${fields} fields, ${bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`}`
  if (/"frameError" received - type (1|9),/.test(detail)) {
    return new EngineError(
      'protocol',
      `This request's headers (${size}) were not sent: over HTTP/2 they make a header block larger than Flightdeck sends (${MAX_H2_SENT_HEADER_BLOCK / 1024} KB, Node's limit). Send fewer or smaller headers, or turn HTTP/2 off for this request.`,
      detail,
    )
  }
  const code = (err as { code?: unknown } | null)?.code
  if (
    code === 'ERR_HTTP2_STREAM_ERROR' &&
    /ENHANCE_YOUR_CALM/.test(String(err)) &&
    fields + H2_REQUEST_PSEUDO_FIELDS > MAX_H2_HEADER_FIELDS
  ) {
    return new EngineError(
      'protocol',
      `${host} refused this request's headers (${size}) before answering: it ended the HTTP/2 stream (ENHANCE_YOUR_CALM), most often because they are more fields than it reads (a Node server reads ${MAX_H2_HEADER_FIELDS}, pseudo-headers included). Send fewer headers, or turn HTTP/2 off for this request.`,
      detail,
    )
  }
  return null
}
