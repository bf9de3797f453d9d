import { readFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { connect as netConnect, isIP, type Socket, type TcpNetConnectOpts } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { WebSocket, type ClientOptions, type RawData } from 'ws'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type AppError, type ErrorCode, type Result } from '../../shared/result'
import type { WsOpenOptions } from '../../shared/stream-schemas'
import { closeCodeText, isSendableCloseCode } from '../../shared/streams'
import type { HeaderList, StreamMessageKind, WsMessageEvent } from '../../shared/timeline'
import { classifyError } from '../http/errors'
import { harTimings, type ExchangeMarks } from '../http/timings'
import { ERROR_BODY_BYTES, withBody } from '../streams/error-body'
import type { StreamLog } from '../streams/stream-log'
import { headerBlockBytes } from '../http/http-headers'
import { checkHeaderList, parseStreamUrl, type StreamContext } from '../streams/stream-plumbing'
import { VERSION } from '../version'

/**
 * One WebSocket session on `ws`: the handshake timed phase by phase (DNS, connect, TLS, then the upgrade's
 * request and 101 response) on the engine clock, every frame a tick and a log entry, sends of text, JSON and
 * binary, pings, a clean close with code and reason, and optional reconnects with exponential backoff.
 *
 * Failures are data: a handshake refused, a message past `maxMessageBytes` (refused with 1009 before its
 * payload is read), invalid UTF-8 (1007), protocol errors (1002) and a connection that drops without a
 * close frame (1006) each end in one `stream-closed` and a terminal event with plain words, never a throw.
 */

const PROGRESS_EVERY_MS = 50
const PREVIEW_CHARS = 80
/** Bytes decoded for a text preview (enough for PREVIEW_CHARS characters of any script). */
const PREVIEW_BYTES = PREVIEW_CHARS * 4
/** A close we started gets this long for the server's answer before the socket is dropped. */
const CLOSE_GRACE_MS = 5000
/** Files sent as binary messages are read whole; past this they are refused. */
const MAX_FILE_BYTES = 128 * 1024 * 1024
const MAX_ATTEMPTS = 100_000

export interface WsSessionInit {
  sid: string
  url: string
  headers: KeyValue[]
  protocols: string[]
  options: WsOpenOptions
  ctx: StreamContext
  log: StreamLog
  onEnd(sid: string): void
}

interface Failure {
  code: ErrorCode
  message: string
  detail?: string
  /** The close code Flightdeck sent because of it (protocol errors). */
  closeCode?: number
}

export class WsSession {
  readonly sid: string
  private readonly ctx: StreamContext
  private readonly log: StreamLog
  private readonly url: URL | null
  private readonly headers: HeaderList
  private invalid: AppError | null
  private ca: string | undefined
  private state: 'connecting' | 'open' | 'closing' | 'waiting' | 'ended' = 'connecting'
  private socket: WebSocket | null = null
  private attempt = 0
  private failures = 0
  private everOpened = false
  private queuedAt = 0
  private marks: ExchangeMarks = { queuedAt: 0 }
  private firstMarks: ExchangeMarks | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private closeTimer: ReturnType<typeof setTimeout> | null = null
  /** Set when the person asked to close; the session ends once the closing handshake is over. */
  private closeRequested: { code: number; reason: string } | null = null
  private failure: Failure | null = null
  private status = 0
  private wireIn = 0
  private lastProgress = 0

  constructor(private readonly init: WsSessionInit) {
    this.sid = init.sid
    this.ctx = init.ctx
    this.log = init.log
    const url = parseStreamUrl(init.url, ['ws', 'wss'])
    const headers = checkHeaderList(init.headers)
    this.invalid = !url.ok ? url.error : !headers.ok ? headers.error : null
    this.url = url.ok ? url.value : null
    this.headers = headers.ok ? headers.value : []
    if (!this.invalid && init.options.caFile) {
      try {
        this.ca = readFileSync(init.options.caFile, 'utf8')
      } catch (e) {
        this.invalid = {
          code: 'file',
          message: `Cannot read the CA file ${init.options.caFile}`,
          detail: e instanceof Error ? e.message : String(e),
        }
      }
    }
  }

  get isEnded(): boolean {
    return this.state === 'ended'
  }

  start(): void {
    const t = this.ctx.clock.now()
    this.queuedAt = t
    this.ctx.emit({
      type: 'queued',
      sid: this.sid,
      t,
      kind: 'ws',
      wall: Math.round(this.ctx.clock.origin + t),
      method: 'GET',
      url: this.url?.href ?? this.init.url,
      hop: 0,
    })
    if (this.invalid || !this.url) {
      this.finish({ type: 'error', error: this.invalid ?? { code: 'invalid_url', message: 'Invalid URL' } })
      return
    }
    this.connect()
  }

  private now(): number {
    return this.ctx.clock.now()
  }

  private connect(): void {
    if (this.state === 'ended' || !this.url) return
    this.state = 'connecting'
    this.failure = null
    this.status = 0
    const first = this.attempt === 0
    this.marks = { queuedAt: first ? this.queuedAt : this.now() }
    const opts = this.init.options
    const headers: Record<string, string> = {}
    for (const [k, v] of this.headers) {
      const key = k.toLowerCase()
      headers[key] = headers[key] === undefined ? v : `${headers[key]}, ${v}`
    }
    headers['user-agent'] ??= `Flightdeck/${VERSION}`
    let request: ClientRequest | null = null
    const wsOptions: ClientOptions = {
      headers,
      handshakeTimeout: opts.connectTimeoutMs,
      maxPayload: opts.maxMessageBytes,
      perMessageDeflate: opts.perMessageDeflate,
      rejectUnauthorized: !opts.insecure,
      followRedirects: false,
      autoPong: true,
      ...(this.ca ? { ca: this.ca } : {}),
      createConnection: this.timedConnection(first),
      finishRequest: (req: ClientRequest) => {
        request = req
        req.end()
      },
    }
    let socket: WebSocket
    try {
      socket = new WebSocket(this.url, this.init.protocols, wsOptions)
    } catch (e) {
      this.attemptFailed({ ...classifyError(e, this.url.host) })
      return
    }
    this.socket = socket
    const mine = (): boolean => this.socket === socket

    socket.on('upgrade', (res: IncomingMessage) => {
      if (!mine()) return
      const t = this.now()
      this.marks.firstByte = t
      this.marks.sendEnd ??= t
      this.status = res.statusCode ?? 101
      if (first) {
        const list = rawHeaderList(res.rawHeaders)
        this.ctx.emit({
          type: 'response-headers',
          sid: this.sid,
          t,
          status: this.status,
          statusText: res.statusMessage ?? 'Switching Protocols',
          httpVersion: res.httpVersion,
          headers: list,
          headersBytes: headerBlockBytes(this.status, res.statusMessage ?? '', list),
        })
      }
    })
    socket.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      if (!mine()) return
      this.status = res.statusCode ?? 0
      const t = this.now()
      this.marks.firstByte = t
      if (first) {
        const list = rawHeaderList(res.rawHeaders)
        this.ctx.emit({
          type: 'response-headers',
          sid: this.sid,
          t,
          status: this.status,
          statusText: res.statusMessage ?? '',
          httpVersion: res.httpVersion,
          headers: list,
          headersBytes: headerBlockBytes(this.status, res.statusMessage ?? '', list),
        })
      }
      this.failure = {
        code: 'protocol',
        message:
          `The server answered ${this.status} ${res.statusMessage ?? ''}`.trim() +
          ' instead of switching to WebSocket (101)',
      }
      // What the server said (bounded) is the error's detail, not a message: a refusal's body is not traffic
      // of the session, and must not count towards (or match) a run's stop condition.
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        if (size < ERROR_BODY_BYTES) chunks.push(c)
        size += c.length
      })
      res.on('end', () => {
        if (mine() && this.failure) this.failure = withBody(this.failure, Buffer.concat(chunks), size, true)
        socket.terminate()
      })
      res.on('error', () => socket.terminate())
    })
    socket.on('open', () => {
      if (!mine()) return
      this.state = 'open'
      this.everOpened = true
      this.failures = 0
      if (first) this.firstMarks = this.marks
      const t = this.now()
      this.ctx.emit({
        type: 'stream-open',
        sid: this.sid,
        t,
        mode: 'ws',
        attempt: this.attempt,
        status: this.status || 101,
        handshake: harTimings(this.marks, t),
        ...(socket.protocol ? { protocol: socket.protocol } : {}),
        ...(socket.extensions ? { extensions: socket.extensions } : {}),
      })
    })
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!mine()) return
      const buf = toBuffer(data)
      this.wireIn += buf.length
      this.record('in', isBinary ? 'binary' : 'text', buf)
    })
    socket.on('ping', (data: Buffer) => {
      if (!mine()) return
      this.record('in', 'ping', data)
      // `ws` answers every ping itself (autoPong); the answer is part of the conversation, so it is logged.
      this.record('out', 'pong', data)
    })
    socket.on('pong', (data: Buffer) => {
      if (mine()) this.record('in', 'pong', data)
    })
    socket.on('error', (err: Error & { code?: string }) => {
      if (!mine()) return
      this.failure ??= this.describeError(err)
    })
    socket.on('close', (code: number, reason: Buffer) => {
      if (!mine()) return
      this.socket = null
      this.onClosed(code, reason.toString('utf8'))
    })
    // The upgrade request goes out as soon as the connection is up; that is "request sent" for the lane.
    const sent = (): void => {
      if (!mine()) return
      const t = this.now()
      this.marks.sendStart = t
      this.marks.sendEnd = t
      if (!first) return
      const req = request as ClientRequest | null
      const list: HeaderList = []
      if (req)
        for (const name of req.getRawHeaderNames()) list.push([name, String(req.getHeader(name) ?? '')])
      const raw = socketOf(req)
      this.ctx.emit({
        type: 'request-sent',
        sid: this.sid,
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
      })
    }
    this.onReady = sent
  }

  /** Called once the TCP (and TLS) connection of the current attempt is up. */
  private onReady: (() => void) | null = null

  /**
   * `ws` opens its connection through this: the same DNS / connect / TLS measurements as the HTTP engine's
   * connector, each on the engine clock, reported as phase events for the first connection.
   */
  private timedConnection(first: boolean): ClientOptions['createConnection'] {
    const secure = this.url?.protocol === 'wss:'
    const make = (options: Record<string, unknown>): Socket => {
      const clock = this.ctx.clock
      const m = this.marks
      const host = String(options['host'] ?? '')
      const ip = isIP(host) !== 0
      const start = clock.now()
      let dnsDone = ip
      if (!ip) m.dnsStart = start
      else m.connectStart = start
      const socket: Socket | TLSSocket = secure
        ? tlsConnect({
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
        if (first && !err && this.attempt === 0) {
          this.ctx.emit({
            type: 'dns',
            sid: this.sid,
            start: m.dnsStart ?? t,
            t,
            host,
            address,
            family: typeof family === 'number' ? family : family === 'IPv6' ? 6 : 4,
          })
        }
      })
      socket.once('connect', () => {
        const t = clock.now()
        if (!dnsDone) m.connectStart ??= t
        m.connectEnd = t
        if (secure) m.tlsStart = t
        if (first) {
          this.ctx.emit({
            type: 'connect',
            sid: this.sid,
            start: m.connectStart ?? t,
            t,
            remoteAddress: socket.remoteAddress ?? '',
            remotePort: socket.remotePort ?? 0,
          })
        }
        if (!secure) this.onReady?.()
      })
      if (secure) {
        const tls = socket as TLSSocket
        tls.once('secureConnect', () => {
          const t = clock.now()
          m.tlsEnd = t
          if (first) {
            this.ctx.emit({
              type: 'tls',
              sid: this.sid,
              start: m.tlsStart ?? t,
              t,
              version: tls.getProtocol() ?? '',
              cipher: tls.getCipher()?.name ?? '',
              alpn: tls.alpnProtocol || 'http/1.1',
              authorized: tls.authorized,
              ...(tls.authorizationError ? { authorizationError: String(tls.authorizationError) } : {}),
            })
          }
          this.onReady?.()
        })
      }
      return socket
    }
    // `ws` calls this with the request's options object (host, port, TLS settings); net's overloads do not
    // describe that one-argument form, hence the cast.
    return make as unknown as ClientOptions['createConnection']
  }

  private describeError(err: Error & { code?: string }): Failure {
    const code = err.code ?? ''
    const where = this.url?.host ?? ''
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') {
      return {
        code: 'message_too_large',
        message: `The server sent a message larger than the limit of ${formatLimit(this.init.options.maxMessageBytes)}; Flightdeck refused it and closed with ${closeCodeText(1009)}`,
        detail: err.message,
        closeCode: 1009,
      }
    }
    if (code === 'WS_ERR_INVALID_UTF8') {
      return {
        code: 'protocol',
        message: `The server sent a text message that is not valid UTF-8; Flightdeck closed with ${closeCodeText(1007)}`,
        detail: err.message,
        closeCode: 1007,
      }
    }
    if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') {
      return {
        code: 'protocol',
        message: `The server sent a message in too many fragments`,
        detail: err.message,
        closeCode: 1008,
      }
    }
    if (code.startsWith('WS_ERR_')) {
      return {
        code: 'protocol',
        message: `The server broke the WebSocket protocol (${err.message}); Flightdeck closed with ${closeCodeText(1002)}`,
        detail: err.message,
        closeCode: 1002,
      }
    }
    if (/handshake has timed out/i.test(err.message)) {
      return {
        code: 'timeout_connect',
        message: `Timed out opening the WebSocket to ${where}`,
        detail: err.message,
      }
    }
    if (/subprotocol|Sec-WebSocket|extension/i.test(err.message)) {
      return {
        code: 'protocol',
        message: `The WebSocket handshake failed: ${err.message}`,
        detail: err.message,
      }
    }
    return classifyError(err, where)
  }

  private record(dir: 'in' | 'out', kind: StreamMessageKind, data: Buffer, code?: number): number {
    const t = this.ctx.clock.now()
    const seq = this.log.append({ t, dir, kind, data, code })
    // Runs for every message: one small string and one event object, nothing else allocated here.
    const preview =
      kind === 'binary'
        ? hexPreview(data)
        : data.toString('utf8', 0, data.length < PREVIEW_BYTES ? data.length : PREVIEW_BYTES)
    const event: WsMessageEvent = {
      type: 'ws-message',
      sid: this.sid,
      t,
      seq,
      dir,
      kind,
      size: data.length,
      preview: preview.length > PREVIEW_CHARS ? preview.slice(0, PREVIEW_CHARS) : preview,
    }
    if (code !== undefined) event.code = code
    this.ctx.emit(event)
    if (dir === 'in' && t - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = t
      this.ctx.emit({
        type: 'body-progress',
        sid: this.sid,
        t,
        wireBytes: this.wireIn,
        bodyBytes: this.wireIn,
      })
    }
    return seq
  }

  // ---- commands ----

  async send(
    kind: 'text' | 'json' | 'binary',
    data: string | undefined,
    encoding: 'utf8' | 'hex' | 'base64' | undefined,
    path: string | undefined,
  ): Promise<Result<{ seq: number; size: number }>> {
    let payload: Buffer
    if (kind === 'binary' && path !== undefined) {
      try {
        const info = await stat(path)
        if (!info.isFile()) return fail('file', `${path} is not a file`)
        if (info.size > MAX_FILE_BYTES)
          return fail('file', `${path} is larger than ${formatLimit(MAX_FILE_BYTES)}`)
        payload = await readFile(path)
      } catch (e) {
        return fail('file', `Cannot read ${path}`, e instanceof Error ? e.message : String(e))
      }
    } else {
      const text = data ?? ''
      if (kind === 'json') {
        try {
          JSON.parse(text)
        } catch (e) {
          return fail('invalid_request', `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
      const decoded =
        kind === 'binary' ? decodeBinary(text, encoding ?? 'hex') : ok(Buffer.from(text, 'utf8'))
      if (!decoded.ok) return decoded
      payload = decoded.value
    }
    const socket = this.socket
    if (this.state !== 'open' || !socket || socket.readyState !== WebSocket.OPEN) {
      return fail('invalid_request', 'The WebSocket is not open')
    }
    socket.send(payload, { binary: kind === 'binary' })
    const seq = this.record('out', kind === 'binary' ? 'binary' : 'text', payload)
    return ok({ seq, size: payload.length })
  }

  ping(data: string | undefined): Result<{ seq: number }> {
    const socket = this.socket
    if (this.state !== 'open' || !socket || socket.readyState !== WebSocket.OPEN) {
      return fail('invalid_request', 'The WebSocket is not open')
    }
    const payload = Buffer.from(data ?? '', 'utf8')
    if (payload.length > 125) return fail('invalid_request', 'A ping carries at most 125 bytes')
    socket.ping(payload)
    return ok({ seq: this.record('out', 'ping', payload) })
  }

  /** Close with a code and reason (manual close). Before the socket opened, this cancels the session. */
  close(code = 1000, reason = ''): Result<{ closing: boolean }> {
    if (this.state === 'ended') return ok({ closing: false })
    if (!isSendableCloseCode(code)) {
      return fail('invalid_request', `A client may close with 1000 or 3000–4999, not ${code}`)
    }
    if (Buffer.byteLength(reason) > 123) return fail('invalid_request', 'A close reason is at most 123 bytes')
    if (this.closeRequested) return ok({ closing: true })
    this.closeRequested = { code, reason }
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const socket = this.socket
    if (this.state === 'waiting' || !socket) {
      this.endByClient(undefined)
      return ok({ closing: true })
    }
    if (this.state === 'connecting') {
      this.socket = null
      socket.terminate()
      if (this.everOpened) this.endByClient(undefined)
      else this.finish({ type: 'cancelled' })
      return ok({ closing: true })
    }
    this.state = 'closing'
    this.record('out', 'close', Buffer.from(reason, 'utf8'), code)
    socket.close(code, reason)
    this.closeTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
    return ok({ closing: true })
  }

  private endByClient(code: number | undefined): void {
    const req = this.closeRequested
    this.ctx.emit({
      type: 'stream-closed',
      sid: this.sid,
      t: this.now(),
      by: 'client',
      ...(code !== undefined ? { code } : {}),
      reason: req
        ? `Closed by you with ${closeCodeText(req.code)}${req.reason ? `: ${req.reason}` : ''}`
        : 'Closed by you',
      willRetry: false,
    })
    this.finish({ type: 'done' })
  }

  private onClosed(code: number, reason: string): void {
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    if (this.state === 'ended') return
    const wasOpen = this.state === 'open' || this.state === 'closing'
    // A close frame arrived (1005 means one without a code); 1006 means none did.
    if (wasOpen && code !== 1006) this.record('in', 'close', Buffer.from(reason, 'utf8'), code)
    if (this.closeRequested) {
      this.endByClient(code)
      return
    }
    const failure = this.failure
    if (!wasOpen) {
      this.attemptFailed(
        failure ?? {
          code: 'network',
          message: `The WebSocket handshake with ${this.url?.host ?? ''} failed`,
        },
      )
      return
    }
    let by: 'server' | 'network' | 'client' = code === 1006 ? 'network' : 'server'
    let words: string
    let terminal: Failure | null = null
    if (failure?.closeCode !== undefined) {
      by = 'client'
      words = failure.message
      terminal = failure
    } else if (code === 1006) {
      words = `The connection dropped without a close frame (${closeCodeText(1006)})`
      terminal = { code: 'reset', message: words, ...(failure ? { detail: failure.message } : {}) }
    } else {
      words = `The server closed with ${closeCodeText(code)}${reason ? `: ${reason}` : ''}`
      terminal = serverCloseFailure(code, words)
    }
    // Protocol errors Flightdeck detected would repeat on a reconnect; everything else may be retried.
    const retry = this.mayRetry() && failure?.closeCode === undefined
    this.ctx.emit({
      type: 'stream-closed',
      sid: this.sid,
      t: this.now(),
      by,
      code: failure?.closeCode ?? code,
      reason: words,
      willRetry: retry,
    })
    if (retry) {
      this.scheduleRetry(words)
      return
    }
    if (terminal) this.finish({ type: 'error', error: stripClose(terminal) })
    else this.finish({ type: 'done' })
  }

  private mayRetry(): boolean {
    return (
      this.init.options.reconnect &&
      this.failures < this.init.options.maxRetries &&
      this.attempt < MAX_ATTEMPTS
    )
  }

  private attemptFailed(failure: Failure): void {
    if (this.state === 'ended') return
    this.socket = null
    if (this.mayRetry()) {
      this.scheduleRetry(failure.message)
      return
    }
    const gaveUp = this.init.options.reconnect && this.attempt > 0
    this.finish({
      type: 'error',
      error: stripClose(
        gaveUp
          ? {
              ...failure,
              message: `Gave up after ${this.failures + 1} failed connection attempts in a row: ${failure.message}`,
            }
          : failure,
      ),
    })
  }

  private scheduleRetry(reason: string): void {
    this.failures++
    this.attempt++
    this.state = 'waiting'
    const o = this.init.options
    const delayMs = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.min(this.failures - 1, 30))
    this.ctx.emit({ type: 'retry', sid: this.sid, t: this.now(), attempt: this.attempt, delayMs, reason })
    this.timer = setTimeout(() => {
      this.timer = null
      this.connect()
    }, delayMs)
  }

  private finish(end: { type: 'done' } | { type: 'cancelled' } | { type: 'error'; error: AppError }): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    if (this.timer) clearTimeout(this.timer)
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.timer = null
    this.closeTimer = null
    const socket = this.socket
    this.socket = null
    socket?.terminate()
    const t = this.now()
    const timings = harTimings(this.firstMarks ?? this.marks, t)
    if (end.type === 'done') {
      const body = this.ctx.bodies.create('')
      body.endInMemory()
      this.ctx.emit({
        type: 'done',
        sid: this.sid,
        t,
        status: this.status || 101,
        wireBytes: this.wireIn,
        bodyBytes: this.wireIn,
        body: { id: body.id, size: 0, contentType: '', onDisk: false },
        timings,
      })
    } else if (end.type === 'cancelled') {
      this.ctx.emit({ type: 'cancelled', sid: this.sid, t, timings })
    } else {
      this.ctx.emit({ type: 'error', sid: this.sid, t, ...end.error, timings })
    }
    this.init.onEnd(this.sid)
  }

  dispose(): void {
    if (this.state === 'ended') return
    this.closeRequested ??= { code: 1001, reason: 'Flightdeck is shutting down' }
    this.socket?.terminate()
    this.socket = null
    if (this.everOpened) this.endByClient(undefined)
    else this.finish({ type: 'cancelled' })
  }
}

/** A close the server chose: normal ones end the session as done, the rest as an error in plain words. */
function serverCloseFailure(code: number, words: string): Failure | null {
  if (code === 1000 || code === 1001 || code === 1005 || code === 1012 || code >= 3000) return null
  if (code === 1009) return { code: 'message_too_large', message: words }
  if (code === 1002 || code === 1003 || code === 1007 || code === 1008 || code === 1010) {
    return { code: 'protocol', message: words }
  }
  return { code: 'network', message: words }
}

function stripClose(f: Failure): AppError {
  return f.detail === undefined
    ? { code: f.code, message: f.message }
    : { code: f.code, message: f.message, detail: f.detail }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function rawHeaderList(raw: string[]): HeaderList {
  const out: HeaderList = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? ''])
  return out
}

function socketOf(req: ClientRequest | null): Socket | null {
  return req?.socket ?? null
}

function hexPreview(data: Buffer): string {
  const n = Math.min(data.length, 24)
  let out = ''
  for (let i = 0; i < n; i++) out += (i ? ' ' : '') + (data[i] ?? 0).toString(16).padStart(2, '0')
  return data.length > n ? `${out} …` : out
}

function formatLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`
  return `${bytes} bytes`
}

/** Hex (whitespace and `0x` allowed) or base64 text to bytes, refusing anything that is not. */
export function decodeBinary(text: string, encoding: 'utf8' | 'hex' | 'base64'): Result<Buffer> {
  if (encoding === 'utf8') return ok(Buffer.from(text, 'utf8'))
  if (encoding === 'hex') {
    const clean = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '')
    if (!/^[0-9a-fA-F]*$/.test(clean)) return fail('invalid_request', 'Not hex: use the digits 0-9 and a-f')
    if (clean.length % 2 !== 0) return fail('invalid_request', 'Hex needs an even number of digits')
    return ok(Buffer.from(clean, 'hex'))
  }
  const clean = text.replace(/\s/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    return fail('invalid_request', 'Not base64')
  }
  return ok(Buffer.from(clean, 'base64'))
}
