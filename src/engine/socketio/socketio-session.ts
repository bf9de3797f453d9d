import { Manager, type Socket } from 'socket.io-client'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import {
  disconnectWords,
  type SocketIoArg,
  type SocketIoDelivery,
  type SocketIoOptions,
} from '../../shared/socketio'
import type { HeaderList } from '../../shared/timeline'
import type { ExchangeMarks } from '../http/timings'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import type { PluggedSessionInit } from '../streams/stream-engine'
import { checkHeaderList, parseStreamUrl } from '../streams/stream-plumbing'
import { checkHandshakeHeaders, handshakeHeaderRecord } from '../ws/ws-handshake-headers'
import { argsJson, encodeArgs } from './socketio-args'
import { isPollTooLarge, socketIoTransports } from './socketio-polling'
import { connectFailure, type ConnectError } from './socketio-failures'
import { answerAck, takeAnswerFunction, type AckAnswers } from './socketio-acks'
import { isClientV2Notice, probeSocketIoV2, V2_WORDS } from './socketio-version'
import { doublingDelay, readCaFile } from '../sessions/kernel/session-setup'

/**
 * One Socket.IO connection (client v4) to one namespace, a transport of the session kernel. Each attempt is a
 * fresh Manager with its own reconnects off (the kernel's policy reconnects). The Engine.IO handshake is the
 * handshake's answer (its sid, upgrades and ping settings as headers), the namespace's CONNECT opens the session,
 * and the upgrade from long-polling to WebSocket is a `control` entry named `upgrade` among the messages.
 *
 * Events are log entries named by the event, their arguments a JSON array as the data (binary arguments as
 * `{"$binary": base64}`). An emit that asks for an ack gets its answer as a `control` entry named `ack`,
 * paired with the emit (its seq and the round trip); no answer within the ack timeout says so the same way.
 */

const PROGRESS_EVERY_MS = 50

export interface SocketIoSessionInit extends PluggedSessionInit {
  url: string
  namespace: string
  path: string
  auth: Record<string, unknown> | null
  headers: KeyValue[]
  query: KeyValue[]
  options: SocketIoOptions
  listen: string[]
  /** Answers to the server's ack requests (parsed when the session opened). */
  acks: AckAnswers
  /** The server refused the connection (its middleware, or a 401/403 handshake): a token used is dropped. */
  onUnauthorized?: () => void
}

export class SocketIoSession implements SessionTransport {
  readonly sid: string
  private readonly kernel: SessionKernel
  private readonly url: URL | null
  private readonly headers: HeaderList
  private invalid: AppError | null
  private ca: string | undefined
  private manager: Manager | null = null
  private socket: Socket | null = null
  private lastProgress = 0
  private nextAck = 1
  private readonly listen: Set<string> | null

  constructor(private readonly init: SocketIoSessionInit) {
    this.sid = init.sid
    const url = parseStreamUrl(init.url, ['http', 'https', 'ws', 'wss'])
    const listed = checkHeaderList(init.headers)
    const headers = listed.ok ? checkHandshakeHeaders(listed.value, 'socketio') : listed
    this.url = url.ok ? url.value : null
    this.headers = listed.ok && headers.ok ? listed.value : []
    this.invalid = !url.ok ? url.error : !headers.ok ? headers.error : null
    this.listen = init.listen.length > 0 ? new Set(init.listen) : null
    if (!this.invalid && !init.namespace.startsWith('/'))
      this.invalid = {
        code: 'invalid_request',
        message: `A namespace starts with "/": ${init.namespace.slice(0, 100)}`,
      }
    if (!this.invalid && init.options.caFile) {
      const read = readCaFile(init.options.caFile)
      if ('error' in read) this.invalid = read.error
      else this.ca = read.ca
    }
    const o = init.options
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'socketio',
        tick: 'sse-event',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: {
          enabled: o.reconnect,
          maxRetries: o.maxRetries,
          resetOn: 'open',
          delayMs: doublingDelay(o),
        },
      },
      this,
    )
  }

  get isEnded(): boolean {
    return this.kernel.isEnded
  }

  start(): void {
    const invalid =
      this.invalid ?? (this.url ? null : { code: 'invalid_url' as const, message: 'Invalid URL' })
    const shown = this.url
      ? `${this.url.href.replace(/\/$/, '')}${this.init.namespace === '/' ? '' : this.init.namespace}`
      : this.init.url
    this.kernel.start({ method: 'CONNECT', url: shown, invalid })
  }

  // ---- the transport ----

  connect(attempt: SessionAttempt): void {
    const url = this.url as URL
    const o = this.init.options
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt }
    attempt.marks = marks
    const extraHeaders = handshakeHeaderRecord(this.headers, o.omitDefaultHeaders)
    const query: Record<string, string> = {}
    for (const q of this.init.query) if (q.enabled && q.name) query[q.name] = q.value
    // The client connects to the URL's origin only: its query goes with the handshake (a given one wins).
    for (const [k, v] of url.searchParams) query[k] ??= v
    const origin = `${url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol}//${url.host}`
    const manager = new Manager(origin, {
      path: this.init.path,
      transports: socketIoTransports(o.transports === 'websocket'),
      upgrade: o.transports !== 'websocket',
      reconnection: false,
      autoConnect: false,
      timeout: o.connectTimeoutMs,
      extraHeaders,
      query,
      rejectUnauthorized: !o.insecure,
      ...(this.ca ? { ca: this.ca } : {}),
    })
    const socket = manager.socket(this.init.namespace, this.init.auth ? { auth: this.init.auth } : {})
    this.manager = manager
    this.socket = socket
    const mine = (): boolean => this.socket === socket
    let done = false
    const end = (fn: () => void): void => {
      if (!mine() || done) return
      done = true
      this.socket = null
      this.manager = null
      fn()
    }
    const sentAt = this.init.ctx.clock.now()
    marks.sendStart = sentAt
    marks.sendEnd = sentAt
    attempt.phase(() => ({
      type: 'request-sent',
      sid: this.sid,
      start: sentAt,
      t: sentAt,
      reused: false,
      connectionId: 0,
      protocol: 'http/1.1',
      remoteAddress: url.hostname,
      remotePort: Number(url.port) || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80),
      headers: [
        ['Transport', o.transports === 'websocket' ? 'websocket' : 'polling (upgrade to websocket)'],
        ['Path', this.init.path],
        ['Namespace', this.init.namespace],
        ...(this.init.auth ? ([['Auth', JSON.stringify(this.init.auth)]] as HeaderList) : []),
        ...this.headers,
      ],
      headersBytes: 0,
      bodyBytes: 0,
    }))
    socket.on('connect', () => {
      if (!mine()) return
      const transport = manager.engine.transport.name
      attempt.opened({
        status: transport === 'websocket' ? 101 : 200,
        mode: 'socketio',
        marks,
        note: `namespace ${this.init.namespace} connected over ${transport}, socket id ${socket.id ?? ''}`,
      })
    })
    let handshook = false
    socket.on('connect_error', (err: ConnectError) => {
      if (!mine()) return
      if (isClientV2Notice(err.message)) {
        end(() => this.endV2(manager, attempt))
        return
      }
      // A v2 server's polling handshake does not parse ("server error"): read it by hand to say so.
      if (!handshook && err.message === 'server error') {
        const target = { origin, path: this.init.path, headers: extraHeaders, insecure: o.insecure }
        void probeSocketIoV2(this.ca ? { ...target, ca: this.ca } : target).then((v2) => {
          if (v2) end(() => this.endV2(manager, attempt))
          else failed(err)
        })
        return
      }
      failed(err)
    })
    const failed = (err: ConnectError): void => {
      if (!mine()) return
      const { failure, byServer } = connectFailure(err, this.init.namespace, url.host, {
        timeoutMs: o.connectTimeoutMs,
        path: this.init.path,
      })
      if (byServer || err.description === 401 || err.description === 403) this.init.onUnauthorized?.()
      end(() => {
        manager.engine?.close()
        attempt.ended({ reason: failure.message, error: failure, reconnectable: !byServer, by: 'network' })
      })
    }
    socket.on('disconnect', (reason: string, details?: unknown) => {
      end(() => {
        manager.engine?.close()
        // A poll past its limit says so, rather than "transport error".
        const said = details instanceof Error ? details.message : ''
        this.disconnected(attempt, isPollTooLarge(said) ? said : reason)
      })
    })
    socket.onAny((event: string, ...args: unknown[]) => {
      if (!mine()) return
      const answerFn = takeAnswerFunction(args)
      if (this.listen && !this.listen.has(event)) {
        // Not recorded, but a set answer is what the person asked for: it still goes back.
        if (answerFn) answerAck(this.init.acks, event, answerFn)
        return
      }
      const { text, binary, bytes } = argsJson(args)
      this.kernel.wireBytes += bytes
      this.kernel.bodyBytes += bytes
      // The common event (no bytes, no ack asked) skips building its id.
      const id =
        binary || answerFn
          ? JSON.stringify({ ...(binary ? { binary } : {}), ...(answerFn ? { ackAsked: true } : {}) })
          : '{}'
      const seq = this.record(attempt, 'in', 'text', text, event, id)
      if (!answerFn) return
      const r = answerAck(this.init.acks, event, answerFn, seq)
      this.record(attempt, r.dir, 'control', r.data, 'ack', r.id)
    })
    socket.connect()
    const engine = manager.engine
    engine.on('handshake', (h) => {
      if (!mine()) return
      handshook = true
      const t = this.init.ctx.clock.now()
      marks.firstByte = t
      attempt.phase(() => ({
        type: 'response-headers',
        sid: this.sid,
        t,
        status: engine.transport.name === 'websocket' ? 101 : 200,
        statusText: `Engine.IO handshake over ${engine.transport.name}`,
        httpVersion: '1.1',
        headers: [
          ['Engine.IO-Sid', h.sid],
          ['Upgrades', h.upgrades.join(', ') || '(none)'],
          ['Ping-Interval', `${h.pingInterval} ms`],
          ['Ping-Timeout', `${h.pingTimeout} ms`],
          ['Max-Payload', `${h.maxPayload} bytes`],
        ],
        headersBytes: 0,
      }))
    })
    engine.on('upgrade', (transport) => {
      // Often before the namespace's CONNECT: recorded all the same, as the first entry.
      if (!mine()) return
      this.record(attempt, 'in', 'control', `Upgraded from polling to ${transport.name}`, 'upgrade', '{}')
    })
    engine.on('upgradeError', (err) => {
      if (!mine()) return
      this.record(
        attempt,
        'in',
        'control',
        `The upgrade to WebSocket failed: ${err.message}; staying on polling`,
        'upgrade',
        '{}',
      )
    })
  }

  /** A v2 server: the session fails in words, and is never retried (the answer would not change). */
  private endV2(manager: Manager, attempt: SessionAttempt): void {
    manager.engine?.close()
    const error: AppError = { code: 'unsupported', message: V2_WORDS }
    attempt.ended({ reason: V2_WORDS, error, reconnectable: false, by: 'network' })
  }

  private disconnected(attempt: SessionAttempt, reason: string): void {
    const words = disconnectWords(reason)
    if (reason === 'io client disconnect') {
      attempt.ended({ reason: '', reconnectable: false, by: 'client' })
      return
    }
    const byServer = reason === 'io server disconnect'
    // A server's own disconnect is its decision: the session ends without an error, and is not reconnected.
    attempt.ended({
      reason: words,
      ...(byServer ? {} : { error: { code: 'reset' as const, message: words } }),
      reconnectable: !byServer,
      by: byServer ? 'server' : 'network',
    })
  }

  private record(
    attempt: SessionAttempt,
    dir: 'in' | 'out',
    kind: 'text' | 'control',
    data: string,
    event: string,
    id: string,
  ): number {
    const t = this.init.ctx.clock.now()
    const seq = attempt.record(dir, kind, data, t, undefined, { event, id })
    if (dir === 'in' && t - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = t
      this.kernel.progress(t)
    }
    return seq
  }

  abort(): void {
    const manager = this.manager
    const socket = this.socket
    this.socket = null
    this.manager = null
    socket?.disconnect()
    manager?.engine?.close()
  }

  release(): void {
    this.abort()
  }

  // ---- commands ----

  emit(event: string, args: SocketIoArg[], ack: boolean): Result<{ seq: number }> {
    const socket = this.socket
    const attempt = this.kernel.attempt
    if (!this.kernel.isOpen || !socket?.connected || !attempt)
      return fail('invalid_request', 'The Socket.IO connection is not open')
    const encoded = encodeArgs(args)
    if (!encoded.ok) return encoded
    const values = encoded.value
    const { text, binary } = argsJson(values)
    const d: SocketIoDelivery = {}
    if (binary) d.binary = binary
    if (!ack) {
      socket.emit(event, ...values)
      return ok({ seq: this.record(attempt, 'out', 'text', text, event, JSON.stringify(d)) })
    }
    const n = this.nextAck++
    d.ack = n
    const seq = this.record(attempt, 'out', 'text', text, event, JSON.stringify(d))
    const sentAt = this.init.ctx.clock.now()
    socket
      .timeout(this.init.options.ackTimeoutMs)
      .emit(event, ...values, (err: Error | null, ...answer: unknown[]) => {
        if (this.socket !== socket) return
        const rttMs = Math.round((this.init.ctx.clock.now() - sentAt) * 1000) / 1000
        const reply: SocketIoDelivery = { ack: n, emitSeq: seq, rttMs }
        if (err) {
          reply.timedOut = true
          const words = `No ack for ${event} (#${n}) within ${this.init.options.ackTimeoutMs} ms`
          this.record(attempt, 'in', 'control', words, 'ack', JSON.stringify(reply))
          return
        }
        const a = argsJson(answer)
        if (a.binary) reply.binary = a.binary
        this.record(attempt, 'in', 'control', a.text, 'ack', JSON.stringify(reply))
      })
    return ok({ seq })
  }

  stop(): boolean {
    return this.kernel.close('Closed by you (io client disconnect)')
  }

  dispose(): void {
    if (this.kernel.isEnded) return
    this.kernel.dispose('Closed by you (Flightdeck is shutting down)')
  }
}
