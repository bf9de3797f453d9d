import { subscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import type { buildConnector } from 'undici'
import type { TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import { createTimedConnector, type TlsProfile } from '../http/connector'
import type { StreamLogStore } from './stream-log-store'

/** What every stream session needs from its engine. */
export interface StreamContext {
  clock: Clock
  emit(event: TimelineEvent): void
  logs: StreamLogStore
  /** Stream sessions end with a `done` event that names a body; theirs is an empty one (the log holds the data). */
  bodies: BodyStore
}

export { checkHeaderList, parseTargetUrl as parseStreamUrl } from '../http/request-checks'

/** A stream session that owns the sockets its private undici agent opens. */
export interface SocketOwner {
  /** undici wrote a request's headers on one of this owner's sockets. */
  headersSent(socket: Socket, rawHeaders: string): void
}

// Each stream session has its own undici agent, so every socket it opens belongs to it alone: the wrapped
// connector records the owner, and the sendHeaders channel (published synchronously as undici writes a
// request) tells the owner which socket its request went out on.
const owners = new WeakMap<object, SocketOwner>()
subscribe('undici:client:sendHeaders', (message) => {
  const m = message as { socket?: Socket; headers?: string }
  if (!m.socket) return
  owners.get(m.socket)?.headersSent(m.socket, typeof m.headers === 'string' ? m.headers : '')
})

/** The engine's timed connector, with every socket it opens recorded as `owner`'s. */
export function ownedConnector(
  clock: Clock,
  profile: TlsProfile,
  owner: SocketOwner,
): buildConnector.connector {
  const base = createTimedConnector(clock, profile)
  return (options, callback) => {
    base(options, (...args: Parameters<buildConnector.Callback>) => {
      const socket = args[1]
      if (socket) owners.set(socket, owner)
      callback(...args)
    })
  }
}
