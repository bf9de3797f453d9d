import { EngineError } from './errors'

/**
 * A request a server's HTTP/2 GOAWAY or refused stream cut off before any answer.
 *
 * A stream the server reset with REFUSED_STREAM was closed before any processing (RFC 9113 §8.7); so are the
 * streams above the last-stream-id of a graceful GOAWAY, which Node's http2 client closes with REFUSED_STREAM on a
 * shared connection (h2-graceful-goaway.ts). Such a request goes once more whatever its method.
 *
 * A GOAWAY that undici still handles itself (one with an error code, or on a connection not shared) fails
 * whichever request it had in flight, without letting its caller read the last-stream-id. So the engine sends
 * such a request once more, on a connection of its own (a pooled one may be going away too), only when repeating
 * it is harmless whatever the server did with the first: an idempotent method (RFC 9110 §9.2.2), whose body the
 * engine builds again from the request. Any other method is not sent again, and its error says so.
 */

/** The methods RFC 9110 §9.2.2 makes idempotent: sending one twice has the effect of sending it once. */
export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])

/** undici's error for a request its connection's GOAWAY failed. */
export function isGoaway(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  return e?.code === 'UND_ERR_SOCKET' && typeof e.message === 'string' && e.message.includes('GOAWAY')
}

/** A stream the server reset with REFUSED_STREAM: not processed, whatever the method. */
export function isRefusedStream(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  return (
    e?.code === 'ERR_HTTP2_STREAM_ERROR' &&
    typeof e.message === 'string' &&
    e.message.includes('REFUSED_STREAM')
  )
}

/**
 * What to do after `err` failed the request to `hop`: `answered` when a response (a final one's headers, or an
 * interim 1xx) had come, so the server had taken it; `resent` when this was already the one resend.
 * A string: send it once more, with these words as the note on its request-sent event. An EngineError: fail
 * with these words (a GOAWAY before any answer that is not sent again). Null: not a GOAWAY or refused stream
 * before an answer; fail as the error says.
 */
export function afterGoaway(
  err: unknown,
  hop: { method: string; url: URL },
  answered: boolean,
  resent: boolean,
): string | EngineError | null {
  const refused = isRefusedStream(err)
  if ((!refused && !isGoaway(err)) || answered) return null
  const host = hop.url.host
  const detail = err instanceof Error ? err.message : undefined
  if (resent && refused) {
    return new EngineError(
      'reset',
      `${host} refused the HTTP/2 stream (REFUSED_STREAM) before processing it, twice: the request was sent again once and is not sent a third time`,
      detail,
    )
  }
  if (resent) {
    return new EngineError(
      'reset',
      `${host} ended the HTTP/2 connection (GOAWAY) before answering, twice: the request was sent again once on a new connection and is not sent a third time`,
      detail,
    )
  }
  // The connection may go on (a stream refused alone) or take no new stream (after a GOAWAY): the row's connection
  // says which, so the words do not.
  if (refused)
    return `Sent a second time: the server refused the first stream before processing it (REFUSED_STREAM)`
  if (IDEMPOTENT.has(hop.method)) return resentNote(hop.method)
  return new EngineError(
    'reset',
    `${host} ended the HTTP/2 connection (GOAWAY) before answering; the ${hop.method} was not sent again: it is not idempotent, and Flightdeck cannot tell whether the server processed it`,
    detail,
  )
}

/** The note on the resent request's request-sent event, so its row shows it went out twice. */
function resentNote(method: string): string {
  return `Sent a second time, on a new connection: the server ended the first with an HTTP/2 GOAWAY before any response (a ${method} is safe to repeat)`
}
