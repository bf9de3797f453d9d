import type { ClientRequest, IncomingMessage } from 'node:http'
import { connect as netConnect, isIP, type Socket, type TcpNetConnectOpts } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { ClientOptions } from 'ws'
import type { HeaderList, ResponseHeadersEvent, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { ExchangeMarks } from '../http/timings'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { byteStringText, headerBlockBytes } from '../http/http-headers'

/**
 * How a WebSocket attempt's handshake is timed: `ws` opens its connection through `timedConnection`, which
 * takes the same DNS / connect / TLS measurements as the HTTP engine's connector on the engine clock (phase
 * events for the first connection), and calls `ready` once the connection is up (the upgrade request goes
 * out then: "request sent" for the lane).
 */
export function timedConnection(
  sid: string,
  clock: Clock,
  secure: boolean,
  attempt: SessionAttempt,
  marks: ExchangeMarks,
  ready: () => void,
): ClientOptions['createConnection'] {
  const phase = (e: TimelineEvent): void => attempt.phase(() => e)
  const make = (options: Record<string, unknown>): Socket => {
    const m = marks
    const host = String(options['host'] ?? '')
    const ip = isIP(host) !== 0
    const start = clock.now()
    let dnsDone = ip
    if (!ip) m.dnsStart = start
    else m.connectStart = start
    const socket: Socket | TLSSocket = secure
      ? // node:tls loads on the first wss connection, not with the engine.
        process.getBuiltinModule('node:tls').connect({
          ...options,
          path: undefined,
          servername: ip ? '' : host,
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ ...options, path: undefined } as unknown as TcpNetConnectOpts)
    socket.once('lookup', (err: Error | null, address: string, family: number | string | null) => {
      const t = clock.now()
      m.dnsEnd = t
      m.connectStart = t
      dnsDone = true
      if (err) return
      phase({
        type: 'dns',
        sid,
        start: m.dnsStart ?? t,
        t,
        host,
        address,
        family: typeof family === 'number' ? family : family === 'IPv6' ? 6 : 4,
      })
    })
    socket.once('connect', () => {
      const t = clock.now()
      if (!dnsDone) m.connectStart ??= t
      m.connectEnd = t
      if (secure) m.tlsStart = t
      phase({
        type: 'connect',
        sid,
        start: m.connectStart ?? t,
        t,
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
      })
      if (!secure) ready()
    })
    if (secure) {
      const tls = socket as TLSSocket
      tls.once('secureConnect', () => {
        const t = clock.now()
        m.tlsEnd = t
        phase({
          type: 'tls',
          sid,
          start: m.tlsStart ?? t,
          t,
          version: tls.getProtocol() ?? '',
          cipher: tls.getCipher()?.name ?? '',
          alpn: tls.alpnProtocol || 'http/1.1',
          authorized: tls.authorized,
          ...(tls.authorizationError ? { authorizationError: String(tls.authorizationError) } : {}),
        })
        ready()
      })
    }
    return socket
  }
  // `ws` calls this with the request's options object (host, port, TLS settings); net's overloads do not
  // describe that one-argument form, hence the cast.
  return make as unknown as ClientOptions['createConnection']
}

/** The upgrade request as it went out: the first connection's `request-sent`. */
export function upgradeSent(sid: string, t: number, req: ClientRequest | null): TimelineEvent {
  const list: HeaderList = []
  if (req) for (const name of req.getRawHeaderNames()) list.push([name, String(req.getHeader(name) ?? '')])
  const raw: Socket | null = req?.socket ?? null
  return {
    type: 'request-sent',
    sid,
    start: t,
    t,
    reused: false,
    connectionId: 0,
    protocol: 'http/1.1',
    remoteAddress: raw?.remoteAddress ?? '',
    remotePort: raw?.remotePort ?? 0,
    headers: list,
    headersBytes: list.reduce((n, [k, v]) => n + k.length + 4 + Buffer.byteLength(v), 0),
    bodyBytes: 0,
  }
}

/** The server's answer to the upgrade (101, or a refusal): the first connection's `response-headers`. */
export function upgradeAnswer(
  sid: string,
  t: number,
  res: IncomingMessage,
  status: number,
  fallbackText: string,
): ResponseHeadersEvent {
  const list: HeaderList = []
  const raw = res.rawHeaders
  // Node's http gives each value as the Latin-1 string of its bytes: a UTF-8 `café` is read as UTF-8.
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] ?? '', byteStringText(raw[i + 1] ?? '')])
  return {
    type: 'response-headers',
    sid,
    t,
    status,
    statusText: res.statusMessage ?? fallbackText,
    httpVersion: res.httpVersion,
    headers: list,
    headersBytes: headerBlockBytes(status, res.statusMessage ?? '', list),
  }
}
