import { createRequire } from 'node:module'
import type { WebSocket } from 'ws'

/**
 * The `ws` client class, loaded with the first WebSocket a session opens (a WebSocket or a GraphQL-over-
 * WebSocket session), not at every engine start: most CLI runs open none. A synchronous require, so a
 * session's connect stays one synchronous step.
 */
let loaded: typeof WebSocket | null = null

export function webSocketClass(): typeof WebSocket {
  loaded ??= createRequire(import.meta.url)('ws') as typeof WebSocket
  return loaded
}

/** `WebSocket.OPEN` without loading `ws` (the readyState of an open socket, per the WebSocket standard). */
export const WS_OPEN = 1
