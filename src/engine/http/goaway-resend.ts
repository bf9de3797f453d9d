import { EngineError } from './errors'

/**
 * A request a server's HTTP/2 GOAWAY cut off before any answer. RFC 9113 §6.8: streams above the GOAWAY's
 * last-stream-id were not processed and may go again on a new connection. undici (7.x) ignores that id and fails
 * whichever request it had in flight (nginx says GOAWAY after `keepalive_requests` streams, so a long run meets
 * this now and then), and it does not let its caller read the id. So the engine sends such a request once more,
 * on a connection of its own (a pooled one may be going away too), when repeating it is harmless whatever the
 * server did with the first: an idempotent method (RFC 9110 §9.2.2), whose body the engine builds again from the
 * request. Any other method is not sent again, and its error says so.
 */

/** The methods RFC 9110 §9.2.2 makes idempotent: sending one twice has the effect of sending it once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])

/** undici's error for a request its connection's GOAWAY failed. */
export function isGoaway(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  return e?.code === 'UND_ERR_SOCKET' && typeof e.message === 'string' && e.message.includes('GOAWAY')
}

/**
 * What to do after `err` failed the request to `hop`: `answered` when a response (a final one's headers, or an
 * interim 1xx) had come, so the server had taken it; `resent` when this was already the one resend.
 * `resend`: send it once more. An EngineError: fail with these words (a GOAWAY before any answer that is not
 * sent again). Null: not a GOAWAY before an answer; fail as the error says.
 */
export function afterGoaway(
  err: unknown,
  hop: { method: string; url: URL },
  answered: boolean,
  resent: boolean,
): 'resend' | EngineError | null {
  if (!isGoaway(err) || answered) return null
  const host = hop.url.host
  const detail = err instanceof Error ? err.message : undefined
  if (resent) {
    return new EngineError(
      'reset',
      `${host} ended the HTTP/2 connection (GOAWAY) before answering, twice: the request was sent again once on a new connection and is not sent a third time`,
      detail,
    )
  }
  if (IDEMPOTENT.has(hop.method)) return 'resend'
  return new EngineError(
    'reset',
    `${host} ended the HTTP/2 connection (GOAWAY) before answering; the ${hop.method} was not sent again: it is not idempotent, and Flightdeck cannot tell whether the server processed it`,
    detail,
  )
}

/** The note on the resent request's request-sent event, so its row shows it went out twice. */
export function resentNote(method: string): string {
  return `Sent a second time, on a new connection: the server ended the first with an HTTP/2 GOAWAY before any response (a ${method} is safe to repeat)`
}
