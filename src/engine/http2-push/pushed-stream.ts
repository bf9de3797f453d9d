import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2'
import type { RequestOptions } from '../../shared/request'
import { serverTimingOf } from '../../shared/server-timing'
import type { HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import type { ResponseBodyWriter } from '../http/unkept-body'
import { EngineError, classifyError } from '../http/errors'
import { ResponseBody } from '../http/response-body'
import { harTimings, type ExchangeMarks } from '../http/timings'
import { h2BlockBytes, h2ReceivedList, h2Value } from './h2-headers'

/**
 * One stream the server pushed (PUSH_PROMISE) with a request: a session of its own, on the timeline as a child
 * of that request (`initiator`, with the promised request headers). Nothing is sent for it, so its phases run
 * from the promise: waiting until the pushed response's headers, then content download until its end. Its body
 * goes through the same decoders, limits and body store as any response.
 */

const PROGRESS_EVERY_MS = 50

export interface PushedStreamInit {
  sid: string
  parentSid: string
  stream: ClientHttp2Stream
  promised: IncomingHttpHeaders
  options: RequestOptions
  clock: Clock
  bodies: BodyStore
  connectionId: number
  remoteAddress: string
  remotePort: number
  emit: (e: TimelineEvent) => void
  /** Called once, when the pushed stream has ended however it ended. */
  ended: (sid: string) => void
}

export class PushedStream {
  private state: 'open' | 'finished' = 'open'
  private readonly marks: ExchangeMarks
  private readonly body: ResponseBody
  private readonly path: string
  private readonly host: string
  /** The promised URL (its origin is the request's: the push set refuses any other). */
  readonly url: string
  private wireBytes = 0
  private status = 0
  private responseHeaders: HeaderList = []
  private trailers: HeaderList = []
  private lastProgress = 0
  private gotEnd = false

  constructor(private readonly init: PushedStreamInit) {
    const { stream, promised, clock } = init
    const t = clock.now()
    this.marks = { queuedAt: t, sendStart: t, sendEnd: t }
    this.path = h2Value(promised, ':path') || '/'
    this.host = h2Value(promised, ':authority')
    this.body = new ResponseBody(init.bodies, init.options, {
      resume: () => stream.resume(),
      abort: (err) => this.fail(err),
      decoderFailed: (err) => this.fail(err),
      finished: () => this.state === 'finished',
      wireBytes: () => this.wireBytes,
    })
    const promisedList = h2ReceivedList(promised, true)
    const scheme = h2Value(promised, ':scheme') || 'https'
    this.url = `${scheme}://${this.host}${this.path}`
    init.emit({
      type: 'queued',
      sid: init.sid,
      t,
      kind: 'http',
      wall: Math.round(clock.origin + t),
      method: h2Value(promised, ':method') || 'GET',
      url: this.url,
      hop: 0,
      initiator: init.parentSid,
      promised: promisedList,
    })
    init.emit({
      type: 'request-sent',
      sid: init.sid,
      start: t,
      t,
      reused: true,
      connectionId: init.connectionId,
      protocol: 'h2',
      remoteAddress: init.remoteAddress,
      remotePort: init.remotePort,
      headers: promisedList,
      headersBytes: 0,
      bodyBytes: 0,
      note: 'Pushed by the server (PUSH_PROMISE): these are the request headers it promised; nothing was sent',
    })
    stream.on('push', (headers: IncomingHttpHeaders & IncomingHttpStatusHeader) => this.onHeaders(headers))
    stream.on('data', (chunk: Buffer) => this.onData(chunk))
    stream.on('trailers', (headers: IncomingHttpHeaders) => {
      this.trailers = h2ReceivedList(headers, false)
    })
    stream.on('end', () => this.onEnd())
    stream.on('error', (err: Error) => this.fail(err))
    stream.on('close', () => {
      if (this.state === 'finished' || this.gotEnd) return
      this.fail(
        new EngineError(
          'reset',
          `${this.host} reset the pushed stream ${this.path} (RST_STREAM code ${stream.rstCode ?? 0}) before it ended`,
        ),
      )
    })
    const idle = init.options.idleTimeoutMs
    stream.setTimeout(idle, () =>
      this.fail(
        new EngineError(
          'timeout_idle',
          `The pushed stream ${this.path} stalled (idle timeout of ${idle} ms)`,
        ),
      ),
    )
  }

  get sid(): string {
    return this.init.sid
  }

  get finished(): boolean {
    return this.state === 'finished'
  }

  /** The user cancelled it: RST_STREAM (CANCEL), and the row ends cancelled. False when it had ended. */
  cancel(): boolean {
    if (this.state === 'finished') return false
    this.state = 'finished'
    this.reset()
    const partial = this.body.discard()
    const endAt = this.init.clock.now()
    this.init.emit({
      type: 'cancelled',
      sid: this.init.sid,
      t: endAt,
      timings: harTimings(this.marks, endAt),
      ...(partial > 0 ? { partialBodyBytes: partial } : {}),
    })
    this.init.ended(this.init.sid)
    return true
  }

  /** Stop it with an error (a limit of its request was reached): RST_STREAM (CANCEL), and the row says why. */
  stop(error: EngineError): void {
    this.fail(error)
  }

  private reset(): void {
    const { stream } = this.init
    if (!stream.closed && !stream.destroyed)
      stream.close(process.getBuiltinModule('node:http2').constants.NGHTTP2_CANCEL)
  }

  private onHeaders(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    if (this.state === 'finished') return
    const t = this.init.clock.now()
    this.marks.firstByte = t
    this.lastProgress = t
    this.status = Number(headers[':status'] ?? 0)
    const list = h2ReceivedList(headers, false)
    this.responseHeaders = list
    this.init.emit({
      type: 'response-headers',
      sid: this.init.sid,
      t,
      status: this.status,
      statusText: '',
      httpVersion: '2',
      headers: list,
      headersBytes: h2BlockBytes(list),
    })
    this.body.open(list)
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'finished') return
    this.wireBytes += chunk.length
    const t = this.init.clock.now()
    if (t - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = t
      this.init.emit({
        type: 'body-progress',
        sid: this.init.sid,
        t,
        wireBytes: this.wireBytes,
        bodyBytes: this.body.size,
      })
    }
    if (!this.body.write(chunk)) this.init.stream.pause()
  }

  private onEnd(): void {
    if (this.state === 'finished') return
    this.gotEnd = true
    const endAt = this.init.clock.now()
    this.body.end(() => this.complete(endAt))
  }

  private complete(endAt: number): void {
    if (this.state === 'finished') return
    const writer = this.body.finish()
    if (writer.endInMemory()) {
      this.done(endAt, writer)
      return
    }
    writer.end().then(
      () => this.done(endAt, writer),
      (e: unknown) =>
        this.fail(
          new EngineError(
            'file',
            'Could not store the pushed body on disk',
            e instanceof Error ? e.message : String(e),
          ),
        ),
    )
  }

  private done(endAt: number, writer: ResponseBodyWriter): void {
    if (this.state === 'finished') return
    this.state = 'finished'
    this.marks.firstByte ??= endAt
    const serverTiming = serverTimingOf(this.responseHeaders, this.trailers)
    this.init.emit({
      type: 'done',
      sid: this.init.sid,
      t: endAt,
      status: this.status,
      wireBytes: this.wireBytes,
      bodyBytes: writer.size,
      body: { id: writer.id, size: writer.size, contentType: writer.contentType, onDisk: writer.onDisk },
      timings: harTimings(this.marks, endAt),
      ...(serverTiming ? { serverTiming } : {}),
    })
    this.init.ended(this.init.sid)
  }

  private fail(err: unknown): void {
    if (this.state === 'finished') return
    this.state = 'finished'
    this.reset()
    const partial = this.body.discard()
    const endAt = this.init.clock.now()
    this.init.emit({
      type: 'error',
      sid: this.init.sid,
      t: endAt,
      ...classifyError(err, this.host),
      timings: harTimings(this.marks, endAt),
      ...(partial > 0 ? { partialBodyBytes: partial } : {}),
    })
    this.init.ended(this.init.sid)
  }
}
