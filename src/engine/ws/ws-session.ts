import type { ClientRequest, IncomingMessage } from 'node:http'
import type { ClientOptions, RawData, WebSocket } from 'ws'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import type { WsOpenOptions } from '../../shared/stream-schemas'
import { isSendableCloseCode } from '../../shared/streams'
import type { EmptySecretUse, HeaderList, StreamMessageKind } from '../../shared/timeline'
import { classifyError, MAX_RESPONSE_HEADER_BYTES } from '../http/errors'
import type { ExchangeMarks } from '../http/timings'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import { ERROR_BODY_BYTES, withBody } from '../streams/error-body'
import type { StreamLog } from '../streams/stream-log'
import { checkHeaderList, parseStreamUrl, type StreamContext } from '../streams/stream-plumbing'
import { timedConnection, upgradeAnswer, upgradeSent } from './ws-connection'
import { closedByYouWords, closeOutcome } from './ws-close-outcome'
import { describeWsError, frameQueueCut, type WsFailure } from './ws-errors'
import { messagePayload, toBuffer } from './ws-payload'
import { webSocketClass, WS_OPEN } from './ws-client'
import { WsTurnPacer, type WsFrame } from './ws-turn-pacer'
import { handshakeHeaderRecord, webSocketHandshake } from './ws-handshake-headers'
import { doublingDelay, readCaFile } from '../sessions/kernel/session-setup'

/**
 * One WebSocket session on `ws`, a transport of the session kernel (sessions/kernel): the handshake timed
 * phase by phase (DNS, connect, TLS, then the upgrade's request and 101 response) on the engine clock, every
 * frame a tick and a log entry, sends of text, JSON and binary, pings, a clean close with code and reason, and
 * optional reconnects with exponential backoff (the kernel's policy: a connection that opens clears the
 * count of failures in a row).
 *
 * Failures are data: a handshake refused, a message past `maxMessageBytes` (refused with 1009 before its
 * payload is read), invalid UTF-8 (1007), protocol errors (1002) and a connection that drops without a
 * close frame (1006) each end in one `stream-closed` and a terminal event with plain words, never a throw.
 */

const PROGRESS_EVERY_MS = 50
/** A close we started gets this long for the server's answer before the socket is dropped. */
const CLOSE_GRACE_MS = 5000

export interface WsSessionInit {
  sid: string
  url: string
  headers: KeyValue[]
  protocols: string[]
  options: WsOpenOptions
  ctx: StreamContext
  log: StreamLog
  onEnd(sid: string): void
  /** Secrets with no value here that the upgrade request used (sent empty), named on its `queued` event. */
  emptySecrets?: EmptySecretUse[]
}

export class WsSession implements SessionTransport {
  readonly sid: string
  private readonly kernel: SessionKernel
  private readonly ctx: StreamContext
  private readonly url: URL | null
  private readonly headers: HeaderList
  /** The subprotocols offered: the request's, then those its Sec-WebSocket-Protocol header lists. */
  private readonly protocols: string[]
  private invalid: AppError | null
  private ca: string | undefined
  /** The current attempt's socket, its failure (kept until it closes) and the status it was answered. */
  private socket: WebSocket | null = null
  private failure: WsFailure | null = null
  private status = 0
  private closeTimer: ReturnType<typeof setTimeout> | null = null
  /** The close frame the person asked for; the session ends once the closing handshake is over. */
  private closeFrame: { code: number; reason: string } | null = null
  private lastProgress = 0
  /** The current socket's frames, handed out a bounded number per turn of the event loop. */
  private pacer: WsTurnPacer | null = null

  constructor(private readonly init: WsSessionInit) {
    this.sid = init.sid
    this.ctx = init.ctx
    const url = parseStreamUrl(init.url, ['ws', 'wss'])
    const listed = checkHeaderList(init.headers)
    const handshake = listed.ok ? webSocketHandshake(listed.value, init.protocols) : listed
    this.invalid = !url.ok ? url.error : !handshake.ok ? handshake.error : null
    this.url = url.ok ? url.value : null
    this.headers = handshake.ok ? handshake.value.headers : []
    this.protocols = handshake.ok ? handshake.value.protocols : []
    if (!this.invalid && init.options.caFile) {
      const read = readCaFile(init.options.caFile)
      if ('error' in read) this.invalid = read.error
      else this.ca = read.ca
    }
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
    this.kernel.start({
      method: 'GET',
      url: this.url?.href ?? this.init.url,
      invalid,
      ...(this.init.emptySecrets ? { emptySecrets: this.init.emptySecrets } : {}),
    })
  }

  // ---- the transport ----

  connect(attempt: SessionAttempt): void {
    const url = this.url as URL
    this.failure = null
    this.status = 0
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt }
    attempt.marks = marks
    const opts = this.init.options
    const headers = handshakeHeaderRecord(this.headers, opts.omitDefaultHeaders)
    let request: ClientRequest | null = null
    let socket: WebSocket | null = null
    const mine = (): boolean => socket !== null && this.socket === socket
    // The upgrade request goes out as soon as the connection is up; that is "request sent" for the lane.
    const ready = (): void => {
      if (!mine()) return
      const t = this.ctx.clock.now()
      marks.sendStart = t
      marks.sendEnd = t
      attempt.phase(() => upgradeSent(this.sid, t, request))
    }
    // `ws` hands its options on to http.request, which takes maxHeaderSize (its types do not list it).
    const wsOptions: ClientOptions & { maxHeaderSize: number } = {
      headers,
      handshakeTimeout: opts.connectTimeoutMs,
      // Node's parser reads 16 KB of headers by default; an upgrade answer may carry as much as any response.
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      maxPayload: opts.maxMessageBytes,
      perMessageDeflate: opts.perMessageDeflate,
      rejectUnauthorized: !opts.insecure,
      followRedirects: false,
      autoPong: true,
      ...(this.ca ? { ca: this.ca } : {}),
      createConnection: timedConnection(
        this.sid,
        this.ctx.clock,
        url.protocol === 'wss:',
        attempt,
        marks,
        ready,
      ),
      finishRequest: (req: ClientRequest) => {
        request = req
        req.end()
      },
    }
    try {
      socket = new (webSocketClass())(url, this.protocols, wsOptions)
    } catch (e) {
      const error = classifyError(e, url.host)
      attempt.ended({ reason: error.message, error, reconnectable: true, by: 'network' })
      return
    }
    const ws = socket
    this.socket = ws
    ws.on('upgrade', (res: IncomingMessage) => {
      if (!mine()) return
      const t = this.ctx.clock.now()
      marks.firstByte = t
      marks.sendEnd ??= t
      this.status = res.statusCode ?? 101
      attempt.phase(() => upgradeAnswer(this.sid, t, res, this.status, 'Switching Protocols'))
    })
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      if (!mine()) return
      this.status = res.statusCode ?? 0
      const t = this.ctx.clock.now()
      marks.firstByte = t
      attempt.phase(() => upgradeAnswer(this.sid, t, res, this.status, ''))
      this.refused(ws, res)
    })
    ws.on('open', () => {
      if (!mine()) return
      attempt.opened({
        status: this.status || 101,
        mode: 'ws',
        marks,
        ...(ws.protocol ? { protocol: ws.protocol } : {}),
        ...(ws.extensions ? { extensions: ws.extensions } : {}),
      })
    })
    const pacer = new WsTurnPacer(ws, {
      handle: (frame) => {
        if (mine()) this.frame(attempt, frame)
      },
      cut: (queued) => {
        if (!mine()) return
        this.failure ??= frameQueueCut(queued)
        ws.terminate()
      },
    })
    this.pacer = pacer
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (mine()) pacer.push({ kind: 'message', data, isBinary })
    })
    ws.on('ping', (data: Buffer) => {
      if (mine()) pacer.push({ kind: 'ping', data })
    })
    ws.on('pong', (data: Buffer) => {
      if (mine()) pacer.push({ kind: 'pong', data })
    })
    ws.on('error', (err: Error & { code?: string }) => {
      if (!mine()) return
      this.failure ??= describeWsError(err, url.host, opts.maxMessageBytes, opts.connectTimeoutMs)
    })
    ws.on('close', (code: number, reason: Buffer) => {
      if (!mine()) return
      pacer.flush()
      this.socket = null
      this.pacer = null
      this.closed(attempt, code, reason.toString('utf8'))
    })
  }

  /** One frame the socket delivered, in its order: a message, or a ping (answered by `ws`) or pong. */
  private frame(attempt: SessionAttempt, frame: WsFrame): void {
    if (frame.kind === 'message') {
      const buf = toBuffer(frame.data)
      this.kernel.wireBytes += buf.length
      this.kernel.bodyBytes += buf.length
      this.record(attempt, 'in', frame.isBinary ? 'binary' : 'text', buf)
      return
    }
    this.record(attempt, 'in', frame.kind, frame.data)
    // `ws` answers every ping itself (autoPong); the answer is part of the conversation, so it is logged.
    if (frame.kind === 'ping') this.record(attempt, 'out', 'pong', frame.data)
  }

  /** The upgrade was refused: what the server said (bounded) becomes the error's detail. */
  private refused(ws: WebSocket, res: IncomingMessage): void {
    this.failure = {
      code: 'protocol',
      message:
        `The server answered ${this.status} ${res.statusMessage ?? ''}`.trim() +
        ' instead of switching to WebSocket (101)',
    }
    // Not a message: a refusal's body is not traffic of the session, and must not count towards (or match) a
    // run's stop condition.
    const chunks: Buffer[] = []
    let size = 0
    res.on('data', (c: Buffer) => {
      if (size < ERROR_BODY_BYTES) chunks.push(c)
      size += c.length
    })
    res.on('end', () => {
      if (this.socket === ws && this.failure)
        this.failure = withBody(this.failure, Buffer.concat(chunks), size, true)
      ws.terminate()
    })
    res.on('error', () => ws.terminate())
  }

  private record(attempt: SessionAttempt, dir: 'in' | 'out', kind: StreamMessageKind, data: Buffer): number {
    const t = this.ctx.clock.now()
    const seq = attempt.record(dir, kind, data, t)
    if (dir === 'in' && t - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = t
      this.kernel.progress(t)
    }
    return seq
  }

  /** The socket closed: how the attempt ended, for the kernel to reconnect or end the session. */
  private closed(attempt: SessionAttempt, code: number, reason: string): void {
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    // A close frame arrived (1005 means one without a code); 1006 means none did.
    if (attempt.isOpen && code !== 1006)
      attempt.record('in', 'close', Buffer.from(reason, 'utf8'), undefined, code)
    attempt.ended(
      closeOutcome({
        code,
        reason,
        wasOpen: attempt.isOpen,
        closedByYou: this.closeFrame !== null,
        failure: this.failure,
        host: this.url?.host ?? '',
      }),
    )
  }

  abort(): void {
    const socket = this.socket
    this.socket = null
    this.pacer?.stop()
    this.pacer = null
    socket?.terminate()
  }

  beginClose(attempt: SessionAttempt): boolean {
    const socket = this.socket
    const frame = this.closeFrame
    if (!socket || !frame) return false
    attempt.record('out', 'close', Buffer.from(frame.reason, 'utf8'), undefined, frame.code)
    socket.close(frame.code, frame.reason)
    this.closeTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
    return true
  }

  release(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    this.abort()
  }

  // ---- commands ----

  async send(
    kind: 'text' | 'json' | 'binary',
    data: string | undefined,
    encoding: 'utf8' | 'hex' | 'base64' | undefined,
    path: string | undefined,
  ): Promise<Result<{ seq: number; size: number }>> {
    const payload = await messagePayload(kind, data, encoding, path)
    if (!payload.ok) return payload
    const { socket, attempt } = this.openSocket()
    if (!socket || !attempt) return fail('invalid_request', 'The WebSocket is not open')
    socket.send(payload.value, { binary: kind === 'binary' })
    const seq = this.record(attempt, 'out', kind === 'binary' ? 'binary' : 'text', payload.value)
    return ok({ seq, size: payload.value.length })
  }

  ping(data: string | undefined): Result<{ seq: number }> {
    const { socket, attempt } = this.openSocket()
    if (!socket || !attempt) return fail('invalid_request', 'The WebSocket is not open')
    const payload = Buffer.from(data ?? '', 'utf8')
    if (payload.length > 125) return fail('invalid_request', 'A ping carries at most 125 bytes')
    socket.ping(payload)
    return ok({ seq: this.record(attempt, 'out', 'ping', payload) })
  }

  private openSocket(): { socket: WebSocket | null; attempt: SessionAttempt | null } {
    const socket = this.socket
    const attempt = this.kernel.attempt
    if (!this.kernel.isOpen || !socket || socket.readyState !== WS_OPEN)
      return { socket: null, attempt: null }
    return { socket, attempt }
  }

  /** Close with a code and reason (manual close). Before the socket opened, this cancels the session. */
  close(code = 1000, reason = ''): Result<{ closing: boolean }> {
    if (this.kernel.isEnded) return ok({ closing: false })
    if (!isSendableCloseCode(code)) {
      return fail('invalid_request', `A client may close with 1000 or 3000–4999, not ${code}`)
    }
    if (Buffer.byteLength(reason) > 123) return fail('invalid_request', 'A close reason is at most 123 bytes')
    if (this.closeFrame) return ok({ closing: true })
    this.closeFrame = { code, reason }
    this.kernel.close(closedByYouWords(code, reason))
    return ok({ closing: true })
  }

  /** The person's close without a code of their own (the timeline's cancel): a normal closure. */
  stop(): boolean {
    const r = this.close(1000, '')
    return r.ok && r.value.closing
  }

  dispose(): void {
    if (this.kernel.isEnded) return
    this.closeFrame ??= { code: 1001, reason: 'Flightdeck is shutting down' }
    this.kernel.dispose(closedByYouWords(this.closeFrame.code, this.closeFrame.reason))
  }
}
