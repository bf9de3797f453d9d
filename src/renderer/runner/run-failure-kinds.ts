import type { StepResultSummary } from '../../shared/run-schemas'

/**
 * A run's failed requests by what went wrong, as a person tells them apart: the engine's stats count every step
 * that ended in an error as one, but a token endpoint refusing sent no request at all, and a script that threw
 * did not stop the request from being answered. Each result's error code and status say which it was.
 */
export interface FailureKinds {
  /** Sent, and no response came: the connection, TLS or the wait failed (a transport error, no status). */
  unanswered: number
  /** Not sent: the request's auth failed first (an OAuth 2.0 token request refused or not answered). */
  auth: number
  /** Not sent: the request could not be made (a variable without a value, an invalid URL, a file not read). */
  notSent: number
  /** Answered, then ended in an error (its body cut off or too large, a GraphQL or gRPC error). */
  afterResponse: number
  /** A pre-request or test script stopped on an error (the request itself may have been answered). */
  scripts: number
}

export const NO_FAILURES: FailureKinds = { unanswered: 0, auth: 0, notSent: 0, afterResponse: 0, scripts: 0 }

/** Error codes of a request sent that got no answer: the network, TLS, a timeout or the peer broke off. */
const TRANSPORT_CODES: ReadonlySet<string> = new Set([
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
  'decompression_bomb',
  'message_too_large',
  'protocol',
  'network',
  'reconnect_limit',
])

/** `before` with `results` counted in; the same object when none of them failed in a way counted here. */
export function addFailureKinds(before: FailureKinds, results: readonly StepResultSummary[]): FailureKinds {
  let next = before
  const bump = (kind: keyof FailureKinds): void => {
    if (next === before) next = { ...before }
    next[kind]++
  }
  for (const r of results) {
    if (r.scripts?.pre?.failure || r.scripts?.post?.failure) bump('scripts')
    const code = r.error?.code
    // Cancel run's steps are said apart already (RunView.cancelled).
    if (code === undefined || code === 'cancelled') continue
    if (r.status !== undefined) bump('afterResponse')
    else if (code === 'auth') bump('auth')
    else if (TRANSPORT_CODES.has(code)) bump('unanswered')
    else bump('notSent')
  }
  return next
}
