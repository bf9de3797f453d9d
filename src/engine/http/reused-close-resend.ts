import { EngineError } from './errors'
import { IDEMPOTENT, isGoaway } from './goaway-resend'

/**
 * A request written to a kept-alive HTTP/1.1 connection that the server closed before any byte of an answer.
 *
 * A server may close an idle kept-alive connection whenever it likes (RFC 9112 §9.6), without having said
 * `Connection: close`: its keep-alive timeout fires as the client reuses the connection, or it closes after every
 * answer and the close reaches the client after its next request was written. undici checks an idle connection
 * one event-loop turn before writing to it, which sees a close already on its way, not one that comes later.
 * As browsers and curl do, such a request goes once more on a new connection when repeating it is harmless
 * whatever the server did with the first (an idempotent method, RFC 9110 §9.2.2; the engine builds its body again
 * from the request); any other method is not sent again, and its error says so. A request on a new connection,
 * or one that had any byte of an answer, fails as it is.
 */

/** What an attempt knows of its connection when it failed. */
export interface FailedAttempt {
  /** Sent on a connection an earlier request had used. */
  reused: boolean
  protocol: string
  /** Any byte came back on the connection after this request was written (a 1xx counts). */
  heardBack: boolean
  /** This was already the one resend. */
  resent: boolean
}

/**
 * The connection went away under the request: the server's FIN (undici: 'other side closed' or 'closed'), its
 * reset, or a write to a connection already gone. Not a GOAWAY, not an answer undici could not read.
 */
function connectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE') return true
  return e?.code === 'UND_ERR_SOCKET' && (e.message === 'other side closed' || e.message === 'closed')
}

/**
 * What to do after `err` failed `hop`'s attempt: a string, send it once more with these words as the note on its
 * request-sent event; an EngineError, fail with these words; null, not such a close: fail as the error says.
 */
export function afterReusedClose(
  err: unknown,
  hop: { method: string; url: URL },
  attempt: FailedAttempt,
): string | EngineError | null {
  if (!attempt.reused || attempt.protocol !== 'http/1.1' || attempt.heardBack || attempt.resent) return null
  if (!connectionLost(err) || isGoaway(err)) return null
  if (IDEMPOTENT.has(hop.method)) {
    return `Sent a second time, on a new connection: the server closed the kept-alive connection it was sent on, before any response (a ${hop.method} is safe to repeat)`
  }
  return new EngineError(
    'reset',
    `${hop.url.host} closed the kept-alive connection this request was sent on, before any response; the ${hop.method} was not sent again: it is not idempotent, and Flightdeck cannot tell whether the server processed it`,
    err instanceof Error ? err.message : undefined,
  )
}

/**
 * A resend's body files are not as the first attempt read them (rewritten, appended to, replaced): sending it
 * again would not repeat the request, so it fails instead, whichever cut the first attempt off.
 */
export function bodyChangedBeforeResend(hop: { method: string; url: URL }): EngineError {
  return new EngineError(
    'file',
    `The ${hop.method} to ${hop.url.host} was cut off before any response and was not sent again: its body file changed after the first attempt read it, so a second read would not send the same bytes`,
  )
}
