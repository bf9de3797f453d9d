import type { ClientRequest, IncomingMessage } from 'node:http'
import type { RawData, WebSocket } from 'ws'
import { operationLabel, paramsObject } from '../../shared/graphql'
import type { AppError } from '../../shared/result'
import type { HeaderList } from '../../shared/timeline'
import { classifyError } from '../http/errors'
import type { ExchangeMarks } from '../http/timings'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import { checkHeaderList, parseStreamUrl } from '../streams/stream-plumbing'
import { checkHandshakeHeaders, handshakeHeaderRecord } from '../ws/ws-handshake-headers'
import { timedConnection, upgradeAnswer, upgradeSent } from '../ws/ws-connection'
import { describeWsError, type WsFailure } from '../ws/ws-errors'
import { toBuffer } from '../ws/ws-payload'
import { BAD_MESSAGE, closeReport, reactionEnd, type AttemptOutcome } from './graphql-ws-close'
import { ackTimedOut, noSubprotocol, refusedUpgrade, upgradeOptions } from './graphql-ws-handshake'
import type { GraphqlWsSessionInit } from './graphql-ws-session-init'
import { protocolFor, type Reaction, type WsProtocol } from './ws-protocols'
import { webSocketClass, WS_OPEN } from '../ws/ws-client'
import { doublingDelay, readCaFile } from '../sessions/kernel/session-setup'
import { resultHasErrors, ResultTally } from './graphql-result'

export type { GraphqlWsSessionInit } from './graphql-ws-session-init'

/**
 * A GraphQL operation (a subscription, mostly) over a WebSocket: a transport of the session kernel. The upgrade
 * offers the subprotocols asked for and the conversation follows the one the server accepted
 * (ws-protocols.ts): connection_init with the connection params, the ack, the operation, then each result a
 * tick and a log entry named by its message type (`next`, `data`, `complete`…) and the operation id, so the
 * message log's search finds them. Keep-alives (`ka`, ping, pong) are logged as pings: on the lane, quiet.
 *
 * It ends when the server completes the operation (done), sends its `error` (an error with the GraphQL
 * errors), breaks the protocol (a protocol error naming what came, the socket closed with 4400 as
 * graphql-ws does), or closes; a dropped connection reconnects when asked (the kernel's backoff) and subscribes
 * again. A mutation is never re-sent on its own. Stop sends the protocol's stop for the operation, then
 * closes the socket normally.
 */

const PROGRESS_EVERY_MS = 50
const CLOSE_GRACE_MS = 2000
/** The id of the session's operation (one operation per connection). */
const OP_ID = '1'
const FORBIDDEN = 4403

export class GraphqlWsSession implements SessionTransport {
  readonly sid: string
  private readonly kernel: SessionKernel
  private readonly url: URL | null
  private readonly headers: HeaderList
  private readonly invalid: AppError | null
  private readonly ca: string | undefined
  private socket: WebSocket | null = null
  private protocol: WsProtocol | null = null
  /** How the current attempt ends, once known (the socket's close then reports it). */
  private outcome: AttemptOutcome | null = null
  private failure: WsFailure | null = null
  private status = 0
  private ackTimer: ReturnType<typeof setTimeout> | null = null
  private closeTimer: ReturnType<typeof setTimeout> | null = null
  private lastProgress = 0
  /** Its results, for the `graphql` event that marks the row when some carried errors. */
  private readonly tally = new ResultTally()

  constructor(private readonly init: GraphqlWsSessionInit) {
    this.sid = init.sid
    const url = parseStreamUrl(init.url, ['ws', 'wss'])
    const listed = checkHeaderList(init.headers)
    const headers = listed.ok ? checkHandshakeHeaders(listed.value, 'graphql-ws') : listed
    const read = init.options.caFile ? readCaFile(init.options.caFile) : null
    this.invalid = !url.ok
      ? url.error
      : !headers.ok
        ? headers.error
        : read && 'error' in read
          ? read.error
          : null
    this.ca = read && 'ca' in read ? read.ca : undefined
    this.url = url.ok ? url.value : null
    this.headers = listed.ok && headers.ok ? listed.value : []
    const o = init.options
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'ws',
        tick: 'ws-message',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: {
          // A mutation is not idempotent: it is never sent again without the person asking.
          enabled: o.reconnect && init.operation.type !== 'mutation' && !init.mux,
          maxRetries: o.maxRetries,
          resetOn: 'message',
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
    this.kernel.start({
      method: 'GET',
      url: this.url?.href ?? this.init.url,
      invalid,
      name: this.init.mux?.label ?? operationLabel(this.init.operation),
      graphql: this.init.operation.type,
    })
  }

  connect(attempt: SessionAttempt): void {
    const url = this.url as URL
    this.failure = null
    this.outcome = null
    this.protocol = null
    this.status = 0
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt }
    attempt.marks = marks
    const opts = this.init.options
    // As a WebSocket's: Flightdeck's User-Agent unless one is typed or omitDefaultHeaders leaves it out.
    const headers = handshakeHeaderRecord(this.headers, opts.omitDefaultHeaders)
    let request: ClientRequest | null = null
    let socket: WebSocket | null = null
    const mine = (): boolean => socket !== null && this.socket === socket
    const clock = this.init.ctx.clock
    const ready = (): void => {
      if (!mine()) return
      const t = clock.now()
      marks.sendStart = t
      marks.sendEnd = t
      attempt.phase(() => upgradeSent(this.sid, t, request))
    }
    const wsOptions = upgradeOptions({
      options: opts,
      headers,
      ca: this.ca,
      createConnection: timedConnection(this.sid, clock, url.protocol === 'wss:', attempt, marks, ready),
      finishRequest: (req: ClientRequest) => {
        request = req
        req.end()
      },
    })
    try {
      socket = new (webSocketClass())(url, this.init.protocols, wsOptions)
    } catch (e) {
      const error = classifyError(e, url.host)
      attempt.ended({ reason: error.message, error, reconnectable: true, by: 'network' })
      return
    }
    const ws = socket
    this.socket = ws
    ws.on('upgrade', (res: IncomingMessage) => {
      if (!mine()) return
      const t = clock.now()
      marks.firstByte = t
      marks.sendEnd ??= t
      this.status = res.statusCode ?? 101
      attempt.phase(() => upgradeAnswer(this.sid, t, res, this.status, 'Switching Protocols'))
    })
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      if (!mine()) return
      this.status = res.statusCode ?? 0
      const t = clock.now()
      marks.firstByte = t
      attempt.phase(() => upgradeAnswer(this.sid, t, res, this.status, ''))
      if (this.status === 401) this.init.onUnauthorized?.()
      this.failure = refusedUpgrade(this.status, res.statusMessage)
      res.resume()
      res.on('end', () => ws.terminate())
      res.on('error', () => ws.terminate())
    })
    ws.on('open', () => {
      if (!mine()) return
      const protocol = protocolFor(ws.protocol)
      attempt.opened({
        status: this.status || 101,
        mode: 'ws',
        marks,
        ...(ws.protocol ? { protocol: ws.protocol } : {}),
      })
      if (!protocol) {
        this.end(ws, BAD_MESSAGE, noSubprotocol(this.init.protocols))
        return
      }
      this.protocol = protocol
      this.send(attempt, ws, protocol.init(this.init.connectionParams), 'connection_init')
      this.ackTimer = setTimeout(() => {
        if (!mine() || protocol.acknowledged) return
        this.end(ws, 4408, ackTimedOut(opts.ackTimeoutMs))
      }, opts.ackTimeoutMs)
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!mine()) return
      const buf = toBuffer(data)
      this.kernel.wireBytes += buf.length
      this.kernel.bodyBytes += buf.length
      this.receive(attempt, ws, buf, isBinary)
    })
    ws.on('ping', (data: Buffer) => {
      if (!mine()) return
      attempt.record('in', 'ping', data)
      attempt.record('out', 'pong', data)
    })
    ws.on('error', (err: Error & { code?: string }) => {
      if (!mine()) return
      this.failure ??= describeWsError(err, url.host, opts.maxMessageBytes, opts.connectTimeoutMs)
    })
    ws.on('close', (code: number, reason: Buffer) => {
      if (!mine()) return
      this.socket = null
      this.closed(attempt, code, reason.toString('utf8'))
    })
  }

  private send(attempt: SessionAttempt, ws: WebSocket, text: string, type: string, id?: string): void {
    ws.send(text)
    attempt.record('out', 'text', text, undefined, undefined, { event: type, ...(id ? { id } : {}) })
  }

  private receive(attempt: SessionAttempt, ws: WebSocket, buf: Buffer, isBinary: boolean): void {
    const protocol = this.protocol
    const t = this.init.ctx.clock.now()
    if (!protocol || this.outcome) {
      attempt.record('in', isBinary ? 'binary' : 'text', buf, t)
      return
    }
    const text = buf.toString('utf8')
    const r: Reaction = isBinary
      ? {
          kind: 'violation',
          type: undefined,
          message: 'The server sent a binary message; GraphQL speaks text',
        }
      : protocol.receive(text)
    const mux = this.init.mux
    if (mux && (r.kind === 'next' || r.kind === 'error' || r.kind === 'complete')) {
      // An operation's own message: on its lane, not the connection's.
      this.paceProgress(t)
      mux.deliver(r, text, t)
      return
    }
    if (r.kind === 'next') this.tally.add(r.payload)
    const named = {
      event: r.type ?? 'invalid',
      ...('id' in r ? { id: r.id } : {}),
      ...(r.kind === 'next' && resultHasErrors(r.payload) ? { errors: 1 } : {}),
    }
    if (r.kind === 'keepalive') attempt.record('in', r.ping ? 'ping' : 'pong', buf, t, undefined, named)
    // Text goes to the log as the string already decoded (written as UTF-8 without another copy or decode).
    else attempt.record('in', isBinary ? 'binary' : 'text', isBinary ? buf : text, t, undefined, named)
    this.paceProgress(t)
    switch (r.kind) {
      case 'ack':
        this.clearAckTimer()
        if (mux) mux.ready(protocol, (frame) => ws.send(frame))
        else
          this.send(
            attempt,
            ws,
            protocol.subscribe(OP_ID, paramsObject(this.init.params)),
            'subscribe',
            OP_ID,
          )
        return
      case 'keepalive':
        if (r.reply) this.send(attempt, ws, r.reply, 'pong')
        return
      case 'next':
      case 'stale':
        return
      default: {
        if (r.kind === 'refused') this.init.onUnauthorized?.()
        const end = reactionEnd(r, this.init.operation)
        this.end(ws, end.code, end.outcome)
      }
    }
  }

  private paceProgress(t: number): void {
    if (t - this.lastProgress < PROGRESS_EVERY_MS) return
    this.lastProgress = t
    this.kernel.progress(t)
  }

  /** The attempt's outcome is known: close the socket (its close event then reports the outcome). */
  private end(ws: WebSocket, code: number, outcome: AttemptOutcome): void {
    this.clearAckTimer()
    this.outcome ??= outcome
    ws.close(code, outcome.by === 'client' && code !== 1000 ? 'Flightdeck: protocol error' : '')
    this.graceTimer(ws)
  }

  private graceTimer(ws: WebSocket): void {
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS)
  }

  private closed(attempt: SessionAttempt, code: number, reason: string): void {
    this.clearAckTimer()
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    if (attempt.isOpen && code !== 1006)
      attempt.record('in', 'close', Buffer.from(reason, 'utf8'), undefined, code)
    // graphql-ws's servers refuse a connection's credentials (their onConnect) by closing with 4403 Forbidden.
    if (code === FORBIDDEN && !this.outcome) this.init.onUnauthorized?.()
    const report = closeReport({
      code,
      reason,
      opened: attempt.isOpen,
      outcome: this.outcome,
      failure: this.failure,
      host: this.url?.host ?? '',
      operation: this.init.operation.type,
    })
    // The operations over a shared connection end with it, before its own lane does.
    this.init.mux?.ended(report, this.kernel.state === 'closing')
    attempt.ended(report)
  }

  private clearAckTimer(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer)
    this.ackTimer = null
  }

  abort(): void {
    this.clearAckTimer()
    const socket = this.socket
    this.socket = null
    socket?.terminate()
  }

  beginClose(attempt: SessionAttempt): boolean {
    const socket = this.socket
    if (!socket || socket.readyState !== WS_OPEN) return false
    this.clearAckTimer()
    const protocol = this.protocol
    if (this.init.mux) this.init.mux.stopAll()
    else if (protocol?.acknowledged) this.send(attempt, socket, protocol.stop(OP_ID), 'stop', OP_ID)
    attempt.record('out', 'close', Buffer.alloc(0), undefined, 1000)
    socket.close(1000)
    this.graceTimer(socket)
    return true
  }

  release(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    this.abort()
    const marked = this.init.mux ? null : this.tally.event(this.sid, this.kernel.now(), this.init.operation)
    if (marked) this.init.ctx.emit(marked)
    // Ended without a close report (closed before it opened, or disposed): its operations end as closed by you.
    this.init.mux?.ended(null, true)
  }

  stop(): boolean {
    return this.close('Stopped by you')
  }

  /** Close with these words on the lane (a shared connection whose last operation ended). */
  close(words: string): boolean {
    if (this.kernel.isEnded) return false
    return this.kernel.close(words)
  }

  dispose(): void {
    this.kernel.dispose('Flightdeck is shutting down')
  }
}
