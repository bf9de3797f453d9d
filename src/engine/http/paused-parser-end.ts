import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

/**
 * undici 7's HTTP/1.1 parser asserts, when the server closes the connection, that nobody has paused it
 * (nodejs/undici#5360, fixed in undici 8). A response whose reader had paused it (its body store or content
 * decoder behind) when the server's FIN came threw an AssertionError from the socket's 'end' handler, out of
 * reach of any catch: the process ended. A reader that pauses the parser registers here; when the socket ends,
 * before undici's own handler, the reader is told: it resumes the parser and pauses it no more. A socket ends
 * only once everything on it has been read, so this buffers no byte that was not already in memory; the
 * reader's decoder and store still work through it at their own pace.
 *
 * Called only when a reader pauses, so a response read without pausing costs nothing here.
 */

/** A reader (an exchange, an SSE connection) that paused its connection's parser. */
export interface PausedReader {
  /** The connection has ended: resume the parser, and do not pause it again. */
  socketEnded(): void
}

/** The reader that paused each socket's parser last (the one reading it now). */
const readers = new WeakMap<Socket, PausedReader>()

export function pausedOn(socket: Socket | undefined, reader: PausedReader): void {
  // HTTP/2 has no such parser: its streams pause on their own.
  if (!socket || (socket as TLSSocket).alpnProtocol === 'h2') return
  if (!readers.has(socket)) socket.prependListener('end', endedWhilePaused)
  readers.set(socket, reader)
}

function endedWhilePaused(this: Socket): void {
  readers.get(this)?.socketEnded()
}
