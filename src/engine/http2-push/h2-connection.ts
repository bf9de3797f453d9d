import type { ClientHttp2Session } from 'node:http2'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { Clock } from '../clock'
import { createTimedConnector, kTiming, timingOf, type ConnectionTiming } from '../http/connector'
import { EngineError } from '../http/errors'
import type { SocketInfo } from '../http/socket-claim'

/**
 * An HTTP/2 connection of its own for one request that accepts server push: pushed streams belong to the
 * connection they were promised on, so it is not shared with undici's pool. The socket is opened by the same
 * timed connector as every other request (DNS, connect and TLS on the engine clock), then handed to Node's
 * http2 client with push enabled.
 */

/** Concurrent pushed streams the client allows (SETTINGS_MAX_CONCURRENT_STREAMS); the total is capped apart. */
const MAX_CONCURRENT_PUSHES = 16

/** How long a closing connection waits for the server to end its side before its socket is destroyed. */
export const CLOSE_GRACE_MS = 1_000

export interface H2Connection {
  session: ClientHttp2Session
  socket: TLSSocket
  timing: ConnectionTiming
}

export interface H2ConnectOptions {
  url: URL
  clock: Clock
  insecure: boolean
  ca: string | undefined
  connectTimeoutMs: number
}

/** Resolves with the connection; rejects with an error carrying the connection's timing when it fails. */
export function openH2Connection(o: H2ConnectOptions): Promise<H2Connection> {
  const connector = createTimedConnector(o.clock, {
    insecure: o.insecure,
    http2: true,
    connectTimeoutMs: o.connectTimeoutMs,
    ...(o.ca ? { ca: o.ca } : {}),
  })
  const { url } = o
  return new Promise((resolve, reject) => {
    connector(
      { hostname: url.hostname, protocol: url.protocol, port: url.port || '443' },
      (err: Error | null, socket: Socket | null) => {
        if (err || !socket) {
          reject(err ?? new Error('No socket'))
          return
        }
        const tls = socket as TLSSocket
        const timing = timingOf(socket)
        if (!timing) {
          socket.destroy()
          reject(new EngineError('internal', 'The connection carries no timing'))
          return
        }
        if (tls.alpnProtocol !== 'h2') {
          socket.destroy()
          const chosen = tls.alpnProtocol || 'none'
          const refused: EngineError & { [kTiming]?: ConnectionTiming } = new EngineError(
            'protocol',
            `${url.host} did not offer HTTP/2 (ALPN: ${chosen}): server push needs HTTP/2; turn off Accept server push to send this request over HTTP/1.1`,
          )
          // The handshake happened: the request still shows its DNS, connect and TLS.
          refused[kTiming] = timing
          reject(refused)
          return
        }
        // node:http2 (and node:tls with it) loads with the first HTTP/2 session, not with the engine.
        const session = process.getBuiltinModule('node:http2').connect(url.origin, {
          createConnection: () => tls,
          settings: { enablePush: true, maxConcurrentStreams: MAX_CONCURRENT_PUSHES },
        })
        resolve({ session, socket: tls, timing })
      },
    )
  })
}

/** The connection as its request's events show it: never reused (its DNS, connect and TLS are the request's). */
export function h2SocketInfo(conn: H2Connection): SocketInfo {
  return {
    reused: false,
    connectionId: conn.timing.id,
    protocol: 'h2',
    remoteAddress: conn.timing.remoteAddress ?? '',
    remotePort: conn.timing.remotePort ?? 0,
    claimed: undefined,
  }
}

/**
 * Closes the connection politely (GOAWAY, then the end of our side) and, if the server has not ended its side within
 * CLOSE_GRACE_MS, destroys the socket. Node's session.close() and session.destroy() leave the socket open until the
 * peer ends it (and a destroy() racing a peer that just dropped the connection sometimes never ends it at all), so a
 * server that never answers would otherwise hold the socket for the life of the process.
 */
export function closeH2Connection(conn: H2Connection): void {
  const { session, socket } = conn
  if (!session.destroyed) session.close()
  if (socket.destroyed) return
  const timer = setTimeout(() => {
    session.destroy()
    socket.destroy()
  }, CLOSE_GRACE_MS)
  timer.unref?.()
  socket.once('close', () => clearTimeout(timer))
}

/** Drops the connection at once, its socket with its session (see closeH2Connection for why both). */
export function destroyH2Connection(conn: H2Connection): void {
  conn.session.destroy()
  conn.socket.destroy()
}
