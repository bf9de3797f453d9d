import type { AppError } from '../../shared/result'

/**
 * A stream whose handshake the server refused (an SSE response that is not 2xx, a WebSocket upgrade answered
 * 401) fails with what the server said as the error's detail, never as messages of the stream: a 404 page is
 * not an event, and must not count towards (or match) a run's stop condition.
 */

/** Most bytes of a refusal's body kept as the error's detail; the rest is counted and said. */
export const ERROR_BODY_BYTES = 16 * 1024
/** How long a refusal's body is waited for before the session fails with what came. */
export const ERROR_BODY_WAIT_MS = 5000

/** `error` with what came of the body (`body`: its first bytes; `total`: all of them), cut loudly. */
export function withBody(error: AppError, body: Buffer, total: number, complete: boolean): AppError {
  if (total === 0) return error
  const text = body.subarray(0, ERROR_BODY_BYTES).toString('utf8')
  const cut =
    total > ERROR_BODY_BYTES
      ? `\n… (the first ${ERROR_BODY_BYTES} of ${total}${complete ? '' : '+'} bytes)`
      : complete
        ? ''
        : '\n… (the server had not finished the body)'
  return { ...error, detail: `${text}${cut}` }
}
