import { subscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import type { buildConnector } from 'undici'
import type { HeaderList, HttpProtocol, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import { createTimedConnector, type TlsProfile } from '../http/connector'
import type { StreamLogStore } from './stream-log'

/** What every stream session needs from its engine. */
export interface StreamContext {
  clock: Clock
  emit(event: TimelineEvent): void
  logs: StreamLogStore
  /** Stream sessions end with a `done` event that names a body; theirs is an empty one (the log holds the data). */
  bodies: BodyStore
}

export { checkHeaderList, parseTargetUrl as parseStreamUrl } from '../http/request-checks'

export function hasHeader(headers: HeaderList, name: string): boolean {
  return headers.some(([k]) => k.toLowerCase() === name)
}

export function headerValue(headers: HeaderList, name: string): string {
  return headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? ''
}

export function pairRawHeaders(raw: Buffer[] | string[] | null | undefined): HeaderList {
  const out: HeaderList = []
  if (!raw) return out
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([String(raw[i]), String(raw[i + 1])])
  return out
}

/** undici's written header block: h1 has a request line first, h2 a `name: value` list. */
export function parseSentHeaderBlock(raw: string, protocol: HttpProtocol): HeaderList {
  const lines = raw.split('\r\n').filter(Boolean)
  if (protocol === 'http/1.1') lines.shift()
  const out: HeaderList = []
  for (const line of lines) {
    const i = line.indexOf(':', protocol === 'h2' && line.startsWith(':') ? 1 : 0)
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 1).trim()])
  }
  return out
}

export function headerBlockBytes(status: number, statusText: string, headers: HeaderList): number {
  let n = `HTTP/1.1 ${status} ${statusText}\r\n`.length + 2
  for (const [k, v] of headers) n += k.length + 2 + Buffer.byteLength(v) + 2
  return n
}

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
