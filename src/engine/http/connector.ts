import { lookup } from 'node:dns'
import { isIP, connect as netConnect, type Socket } from 'node:net'
import type * as NodeTls from 'node:tls'
import type { SecureContext, TLSSocket } from 'node:tls'
import type { buildConnector } from 'undici'
import type { ConnectEvent, DnsEvent, TlsEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import { caContext } from './ca-contexts'
import type { ExchangeMarks } from './timings'

/**
 * A connector for undici that measures what undici does not: DNS, TCP connect and TLS, each on the engine
 * clock. The measurements ride on the socket (and on the error, when connecting fails), and the request that
 * first uses a socket claims them; a request on a reused socket claims nothing, as DevTools shows it.
 */

export interface ConnectionTiming {
  id: number
  host: string
  dnsStart?: number
  dnsEnd?: number
  address?: string
  family?: number
  connectStart?: number
  connectEnd?: number
  tlsStart?: number
  tlsEnd?: number
  remoteAddress?: string
  remotePort?: number
  tlsVersion?: string
  cipher?: string
  alpn?: string
  authorized?: boolean
  authorizationError?: string
  /** The first error the socket raised after connecting (a TLS alert is more telling than undici's "other side
   * closed", which is all a request sees of it). */
  socketError?: Error
  /** Set once a request has claimed these timings; later requests on the socket are "reused". */
  claimed: boolean
}

export const kTiming = Symbol('flightdeck.connectionTiming')

type Timed = { [kTiming]?: ConnectionTiming }

export function timingOf(target: unknown): ConnectionTiming | undefined {
  if (target && typeof target === 'object') return (target as Timed)[kTiming]
  return undefined
}

export interface TlsProfile {
  insecure: boolean
  ca?: string
  http2: boolean
  connectTimeoutMs: number
}

let nextConnectionId = 1

/** A number for a connection opened outside undici (a gRPC channel), from the same count as HTTP's. */
export function takeConnectionId(): number {
  return nextConnectionId++
}

export function createTimedConnector(clock: Clock, profile: TlsProfile): buildConnector.connector {
  // One secure context for the profile's connections: given `ca`, tls.connect would parse the whole CA file again
  // for each (~0.1 s for a system's 144 certificates at load; 11 connections a second, 120 with it shared); and
  // one for every profile with the same CA content (ca-contexts.ts).
  let secureContext: SecureContext | undefined
  const contextOf = (tls: typeof NodeTls): SecureContext | undefined =>
    profile.ca ? (secureContext ??= caContext(tls, profile.ca)) : undefined
  return (options, callback) => {
    const timing: ConnectionTiming = { id: nextConnectionId++, host: options.hostname, claimed: false }
    const isTls = options.protocol === 'https:'
    const port = Number(options.port) || (isTls ? 443 : 80)
    let settled = false
    let socket: Socket | TLSSocket | null = null

    const finish = (err: Error | null, s: Socket | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) {
        ;(err as Error & Timed)[kTiming] = timing
        socket?.destroy()
        callback(err, null)
      } else if (s) {
        ;(s as Socket & Timed)[kTiming] = timing
        s.on('error', (e) => {
          timing.socketError ??= e
        })
        callback(null, s)
      }
    }

    const timer = setTimeout(() => {
      const err = new Error(`Connect timeout after ${profile.connectTimeoutMs} ms`) as Error & {
        code: string
      }
      err.code = 'FD_CONNECT_TIMEOUT'
      finish(err, null)
    }, profile.connectTimeoutMs)

    const open = (address: string): void => {
      timing.connectStart = clock.now()
      // Where the connection is going; a refused or timed-out connect still names the address and port tried.
      timing.remoteAddress = address
      timing.remotePort = port
      if (isTls) {
        const servername = options.servername ?? (isIP(options.hostname) ? undefined : options.hostname)
        // node:tls loads on the first https connection: a start that makes none does not pay for it.
        const tlsModule = process.getBuiltinModule('node:tls')
        const context = contextOf(tlsModule)
        const tls = tlsModule.connect({
          host: address,
          port,
          ...(servername ? { servername } : {}),
          ALPNProtocols: profile.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
          rejectUnauthorized: !profile.insecure,
          ...(context ? { secureContext: context } : {}),
        })
        socket = tls
        tls.once('connect', () => {
          timing.connectEnd = clock.now()
          timing.tlsStart = timing.connectEnd
        })
        tls.once('secureConnect', () => {
          timing.tlsEnd = clock.now()
          timing.connectEnd ??= timing.tlsEnd
          timing.tlsStart ??= timing.connectEnd
          timing.remoteAddress = tls.remoteAddress ?? address
          timing.remotePort = tls.remotePort ?? port
          timing.tlsVersion = tls.getProtocol() ?? ''
          timing.cipher = tls.getCipher()?.name ?? ''
          timing.alpn = tls.alpnProtocol || 'http/1.1'
          timing.authorized = tls.authorized
          if (tls.authorizationError) timing.authorizationError = String(tls.authorizationError)
          finish(null, tls)
        })
        tls.once('error', (e) => finish(e, null))
      } else {
        const tcp = netConnect({ host: address, port })
        socket = tcp
        tcp.once('connect', () => {
          timing.connectEnd = clock.now()
          timing.remoteAddress = tcp.remoteAddress ?? address
          timing.remotePort = tcp.remotePort ?? port
          finish(null, tcp)
        })
        tcp.once('error', (e) => finish(e, null))
      }
      socket.setNoDelay(true)
    }

    const host = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname
    if (isIP(host)) {
      timing.address = host
      timing.family = isIP(host)
      open(host)
      return
    }
    timing.dnsStart = clock.now()
    lookup(host, (err, address, family) => {
      timing.dnsEnd = clock.now()
      if (settled) return
      if (err) {
        finish(err, null)
        return
      }
      timing.address = address
      timing.family = family
      open(address)
    })
  }
}

/**
 * What a connection's measurements say about the request that claimed it: its DNS, connect and TLS marks are
 * set, and one event per phase that happened is returned for the caller to emit (HTTP exchanges and SSE
 * sessions alike).
 */
export function connectionPhases(
  sid: string,
  timing: ConnectionTiming,
  m: ExchangeMarks,
): (DnsEvent | ConnectEvent | TlsEvent)[] {
  const out: (DnsEvent | ConnectEvent | TlsEvent)[] = []
  if (timing.dnsStart !== undefined && timing.dnsEnd !== undefined) {
    m.dnsStart = timing.dnsStart
    m.dnsEnd = timing.dnsEnd
    out.push({
      type: 'dns',
      sid,
      start: timing.dnsStart,
      t: timing.dnsEnd,
      host: timing.host,
      address: timing.address ?? '',
      family: timing.family ?? 0,
    })
  }
  if (timing.connectStart !== undefined && timing.connectEnd !== undefined) {
    m.connectStart = timing.connectStart
    m.connectEnd = timing.connectEnd
    out.push({
      type: 'connect',
      sid,
      start: timing.connectStart,
      t: timing.connectEnd,
      remoteAddress: timing.remoteAddress ?? timing.address ?? '',
      remotePort: timing.remotePort ?? 0,
    })
  }
  if (timing.tlsStart !== undefined && timing.tlsEnd !== undefined) {
    m.tlsStart = timing.tlsStart
    m.tlsEnd = timing.tlsEnd
    out.push({
      type: 'tls',
      sid,
      start: timing.tlsStart,
      t: timing.tlsEnd,
      version: timing.tlsVersion ?? '',
      cipher: timing.cipher ?? '',
      alpn: timing.alpn ?? '',
      authorized: timing.authorized ?? false,
      ...(timing.authorizationError ? { authorizationError: timing.authorizationError } : {}),
    })
  }
  return out
}
