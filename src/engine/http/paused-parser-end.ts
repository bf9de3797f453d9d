import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

/**
 * undici 7's HTTP/1.1 parser asserts, when the server closes the connection, that nobody has paused it
 * (nodejs/undici#5360, fixed in undici 8). A response whose reader had paused it (its body store or content
 * decoder behind) when the server's FIN came threw an AssertionError from the socket's 'end' handler, out of
 * reach of any catch: the process ended. A reader that pauses the parser hands undici's resume here; when the
 * socket ends, before undici's own handler, the parser is resumed. A socket ends only once everything on it has
 * been read, so resuming lets the parser finish the message and buffers no byte that was not already in memory;
 * the reader's own back-pressure still holds its decoder and store.
 *
 * Called only when a reader pauses, so a response read without pausing costs nothing here.
 */

/** Each socket's parser resume (undici's, bound to the socket's parser: the same for every request on it). */
const resumes = new WeakMap<Socket, () => void>()

export function pausedOn(socket: Socket | undefined, resume: (() => void) | null): void {
  if (!socket || !resume || resumes.has(socket)) return
  // HTTP/2 has no such parser: its streams pause on their own.
  if ((socket as TLSSocket).alpnProtocol === 'h2') return
  resumes.set(socket, resume)
  socket.prependListener('end', resumeOnEnd)
}

function resumeOnEnd(this: Socket): void {
  resumes.get(this)?.()
}
