import type { AppError } from '../../shared/result'
import { classifyError } from '../http/errors'

/** What socket.io-client's `connect_error` carries beyond the message. */
export type ConnectError = Error & { type?: string; description?: unknown; data?: unknown }

/**
 * What a failed connect means, in words: a namespace's middleware that refused (`next(new Error(…))`, no
 * transport type: the server said no, never retried, its `data` as the detail), a timeout, or the network.
 */
export function connectFailure(
  err: ConnectError,
  namespace: string,
  host: string,
  open?: { timeoutMs: number; path: string },
): { failure: AppError; byServer: boolean } {
  const timeout = /timeout/i.test(err.message)
  const byServer = err.type !== 'TransportError' && !timeout
  if (byServer)
    return {
      byServer,
      failure: {
        code: 'auth',
        message: `The server refused the connection to namespace ${namespace}: ${err.message}`,
        ...(err.data !== undefined ? { detail: JSON.stringify(err.data) } : {}),
      },
    }
  // A certificate the connection did not trust is said as for every other session: engine.io's own words
  // ("xhr poll error", "websocket error") hid it (the poll's or the socket's error is the description).
  const tls = timeout ? null : tlsFailure(err.description, host)
  if (tls) return { byServer, failure: tls }
  return {
    byServer,
    failure: {
      code: timeout ? 'timeout_connect' : 'network',
      // A timeout is the Engine.IO handshake not answered in time, often by a server that accepted the
      // connection: "could not connect" would blame the network.
      message:
        timeout && open
          ? `Timed out opening Socket.IO at ${host}: no handshake answer on ${open.path} within ${open.timeoutMs % 1000 === 0 ? `${open.timeoutMs / 1000} s` : `${open.timeoutMs} ms`} (is it a Socket.IO server, on that path?)`
          : `Could not connect to ${host}: ${err.message}`,
      ...(err.description !== undefined ? { detail: describe(err.description) } : {}),
    },
  }
}

function describe(d: unknown): string {
  if (d instanceof Error) return d.message
  if (typeof d === 'object' && d !== null && 'message' in d)
    return String((d as { message: unknown }).message)
  return String(d)
}

/** The TLS failure a transport error's description carries (the poll's Error, or a WebSocket ErrorEvent's). */
function tlsFailure(d: unknown, host: string): AppError | null {
  const cause =
    d instanceof Error
      ? d
      : typeof d === 'object' && d !== null && 'error' in d && d.error instanceof Error
        ? d.error
        : null
  if (!cause) return null
  const failure = classifyError(cause, host)
  return failure.code === 'tls' ? failure : null
}
