import { subscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { HttpProtocol } from '../../shared/timeline'
import { timingOf, type ConnectionTiming } from './connector'
import { guardConnectionHeaders } from './h2-connection-headers'

/**
 * Which socket a request went out on, told by undici's `sendHeaders` diagnostics channel, and what the request
 * learns from it: its connection (new or reused), protocol and remote address.
 */

/** Handed the socket (and the header block as written) its request went out on. */
export interface SocketClaimant {
  attachSocket(socket: Socket | undefined, rawHeaders: string): void
}

export interface SocketInfo {
  reused: boolean
  connectionId: number
  protocol: HttpProtocol
  remoteAddress: string
  remotePort: number
  /** The connection's timing when this request is the first on it (it claims DNS, connect and TLS). */
  claimed: ConnectionTiming | undefined
}

// undici calls a request's onConnect and then publishes `sendHeaders` with the socket, synchronously in one
// call. The claimant whose onConnect ran last is the one the published socket belongs to.
let pendingClaim: SocketClaimant | null = null
subscribe('undici:client:sendHeaders', (message) => {
  const claimant = pendingClaim
  pendingClaim = null
  const m = message as { socket?: Socket; headers?: string }
  // Published just before undici hands an HTTP/2 request's headers to its session: guarded here, before that.
  guardConnectionHeaders(m.socket)
  claimant?.attachSocket(m.socket, typeof m.headers === 'string' ? m.headers : '')
})

/** Called from a request's onConnect: the socket undici publishes next is this claimant's. */
export function awaitSocket(claimant: SocketClaimant): void {
  pendingClaim = claimant
}

/** What a request learns from its socket; the first request on a connection claims the connection's timing. */
export function socketInfoOf(socket: Socket | undefined): SocketInfo {
  const timing = timingOf(socket)
  const tls = socket as TLSSocket | undefined
  let claimed: ConnectionTiming | undefined
  if (timing && !timing.claimed) {
    timing.claimed = true
    claimed = timing
  }
  return {
    reused: claimed === undefined,
    connectionId: timing?.id ?? 0,
    protocol: tls?.alpnProtocol === 'h2' ? 'h2' : 'http/1.1',
    remoteAddress: timing?.remoteAddress ?? socket?.remoteAddress ?? '',
    remotePort: timing?.remotePort ?? socket?.remotePort ?? 0,
    claimed,
  }
}
