import type { AppError } from '../../shared/result'

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
  return {
    byServer,
    failure: {
      code: timeout ? 'timeout_connect' : 'network',
      message: `Could not connect to ${host}: ${err.message}`,
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
