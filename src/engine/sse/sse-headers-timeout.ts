import { STREAM_HEADERS_TIMEOUT_MS } from '../../shared/constants'
import type { RequestSpec } from '../../shared/request'
import { EngineError } from '../http/errors'

/**
 * How long a stream waits for its response headers when its request sets no headers timeout. A stream's body
 * may run for ever, but its status line is due at once: event-stream servers answer before their first event
 * (a WebSocket upgrade unanswered within the connect timeout, 10 s, fails the same way). An exchange's 300 s
 * default is for a server computing one answer; a stream waiting that long, then reconnecting, looked open for
 * half an hour. The request's own `headersTimeoutMs` still applies as set.
 */
export { STREAM_HEADERS_TIMEOUT_MS }

export interface StreamHeadersTimeout {
  ms: number
  /** The request set it (else the stream's default applies). */
  explicit: boolean
}

export function streamHeadersTimeout(spec: RequestSpec): StreamHeadersTimeout {
  const set = spec.options.headersTimeoutMs
  return set === undefined ? { ms: STREAM_HEADERS_TIMEOUT_MS, explicit: false } : { ms: set, explicit: true }
}

/**
 * The headers timeout fired: undici's words, then what was waited for and which limit ended it. After `interim`
 * (1xx) responses it says they came and no final one did, as a send's words do: "no status line" was untrue.
 */
export function headersTimeoutError(
  error: EngineError,
  timeout: StreamHeadersTimeout,
  interim = 0,
): EngineError {
  const limit = timeout.explicit
    ? `the request's headers timeout`
    : `a stream's default headers timeout; headersTimeoutMs in the request's options or flightdeck sse --headers-timeout sets another`
  const waited =
    interim > 0
      ? `${interim} interim (1xx) ${interim === 1 ? 'response' : 'responses'} but no final one`
      : 'no status line'
  return new EngineError(
    error.code,
    `${error.message}: ${waited} within ${wholeTime(timeout.ms)} (${limit})`,
    error.detail,
  )
}

function wholeTime(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
