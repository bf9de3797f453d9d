import { readCaPemText } from '../../files/pem-file'
import type { AppError } from '../../../shared/result'

/**
 * What every socket session (WebSocket, GraphQL over WebSocket, MQTT, Socket.IO) sets up the same way before its
 * kernel starts: the reconnect wait and the extra certificate authorities.
 */

/** The wait before a reconnect: `backoffMs`, doubling with each failure in a row, at most `maxBackoffMs`. */
export function doublingDelay(o: { backoffMs: number; maxBackoffMs: number }): (failures: number) => number {
  return (failures) => Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.min(failures - 1, 30))
}

/** A CA file's PEM text, or the `file` error that ends the session before it connects, naming the file. */
export function readCaFile(path: string): { ca: string } | { error: AppError } {
  try {
    return { ca: readCaPemText(path) }
  } catch (e) {
    return {
      error: {
        code: 'file',
        message: `Cannot read the CA file ${path}`,
        detail: e instanceof Error ? e.message : String(e),
      },
    }
  }
}
