/**
 * Errors cross every boundary as data, never as thrown strings. Each code is a class of failure a user can
 * act on; `message` is one plain sentence for the timeline, `detail` the low-level cause when it helps.
 */
export const ERROR_CODES = [
  'invalid_url',
  'invalid_request',
  'dns',
  'refused',
  'reset',
  'tls_self_signed',
  'tls_expired',
  'tls_hostname',
  'tls',
  'timeout_connect',
  'timeout_headers',
  'timeout_idle',
  'timeout_total',
  'too_many_redirects',
  'redirect_loop',
  'body_too_large',
  /** A compressed response that expands far beyond its size on the wire (a decompression bomb). */
  'decompression_bomb',
  /** A stream message past the session's size limit (WebSocket 1009). */
  'message_too_large',
  /** The peer broke the stream protocol (a WebSocket protocol error, invalid UTF-8 in a text message). */
  'protocol',
  'file',
  'network',
  'bad_payload',
  'unknown_command',
  'forbidden',
  'not_found',
  'internal',
  // Collections, variables and auth.
  'conflict',
  'parse',
  'exists',
  'unknown_variable',
  'auth',
  'unsupported',
  /** An input (an import file, a pasted text) larger than Flightdeck accepts. */
  'too_large',
  /** A collection names a file outside its folder (after links are followed) that the user has not allowed;
   * `detail` is the folder that would have to be allowed. */
  'file_outside',
  /** A gRPC call ended with a status other than OK; the message is `NAME (code): what the server said`. */
  'grpc_status',
  /** A GraphQL operation failed: its errors (a subscription's `error` message, a query whose result is errors). */
  'graphql',
  /** A long-lived session gave up reconnecting: its connections kept ending (SSE: without a message). */
  'reconnect_limit',
  /** The person cancelled: a run's step cut short by Cancel run (or Ctrl+C), whatever it was waiting for. */
  'cancelled',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface AppError {
  code: ErrorCode
  message: string
  detail?: string
  /** An OAuth 2.0 sign-in the person is to make in a browser: its page, and how long it is awaited. A host
   * reads these facts, never the message's words (error-facts.ts checks them where they arrive). */
  signIn?: { url: string; withinMs: number }
  /** `unknown_variable`: the variables with no value that the message names. */
  unknown?: string[]
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail<T = never>(code: ErrorCode, message: string, detail?: string): Result<T> {
  return { ok: false, error: detail === undefined ? { code, message } : { code, message, detail } }
}
