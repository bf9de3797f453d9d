import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2'
import type { RequestBody, RequestOptions } from '../../shared/request'
import type { HeaderList, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import type { ResponseBodyWriter } from '../http/unkept-body'
import { connectionPhases, timingOf } from '../http/connector'
import { EngineError, classifyError, h2HeadersFailure } from '../http/errors'
import type { ExchangeOutcome } from '../http/exchange'
import {
  cancelledEvent,
  doneEvent,
  endFailedAttempt,
  errorEvent,
  progressEvent,
  requestSentEvent,
  storeFailed,
} from '../http/exchange-events'
import { InformationalResponses } from '../http/informational'
import { prepareBody, wireHeaders, type PreparedBody } from '../http/request-body'
import { ResponseBody } from '../http/response-body'
import { harTimings, type ExchangeMarks } from '../http/timings'
import {
  closeH2Connection,
  destroyH2Connection,
  h2SocketInfo,
  openH2Connection,
  type H2Connection,
} from './h2-connection'
import { h2BlockBytes, h2HeaderList, h2Interim, h2ReceivedList, h2RequestHeaders } from './h2-headers'
import { PushSet, type PushOwner } from './push-set'

/**
 * One hop of a request sent with "Accept server push": over Node's http2 client on a connection of its own,
 * with push enabled. It reports the same phases and events as the undici exchange (exchange.ts), and every
 * stream the server pushes with it becomes a child session (pushed-stream.ts). The hop hands its outcome to the
 * engine only once its own body and every accepted push have ended, so the request settles with its pushes;
 * the wait is bounded (MAX_PUSHES_PER_REQUEST accepted, the rest refused and counted; pushes still open
 * PUSH_WAIT_AFTER_PARENT_MS after the request's end are stopped, each saying so).
 */

export { MAX_PUSHES_PER_REQUEST, PUSH_WAIT_AFTER_PARENT_MS, type PushOwner } from './push-set'
const PROGRESS_EVERY_MS = 50

export interface PushExchangeInit {
  sid: string
  method: string
  url: URL
  headers: HeaderList
  body: RequestBody
  options: RequestOptions
  ca: string | undefined
  clock: Clock
  owner: PushOwner
  context: unknown
  bodies: BodyStore
  queuedAt: number
  isRedirect?: ((status: number, headers: HeaderList) => boolean) | undefined
}

export class PushExchange {
  private readonly marks: ExchangeMarks
  private state: 'waiting' | 'active' | 'finished' = 'waiting'
  private conn: H2Connection | null = null
  private req: ClientHttp2Stream | null = null
  private readonly body: ResponseBody
  private informational: InformationalResponses | null = null
  private readonly pushes: PushSet
  /** The :authority the request went out with (a Host header may set it). */
  private authority: string
  private status = 0
  private responseHeaders: HeaderList = []
  private trailers: HeaderList = []
  private redirecting = false
  private wireBytes = 0
  private lastProgress = 0
  private gotEnd = false
  private headersTimer: ReturnType<typeof setTimeout> | null = null
  /** The hop's own outcome, kept until its pushes have ended; then handed to the engine, once. */
  private outcome: ExchangeOutcome | null = null
  private reported = false

  constructor(private readonly init: PushExchangeInit) {
    this.marks = { queuedAt: init.queuedAt }
    this.authority = init.url.host
    this.body = new ResponseBody(init.bodies, init.options, {
      resume: () => this.req?.resume(),
      abort: (err) => this.fail(err),
      decoderFailed: (err) => this.fail(err),
      finished: () => this.state === 'finished',
      wireBytes: () => this.wireBytes,
    })
    this.pushes = new PushSet({
      parentSid: init.sid,
      owner: init.owner,
      context: init.context,
      options: init.options,
      clock: init.clock,
      bodies: init.bodies,
      authority: () => this.authority,
    })
  }

  get sid(): string {
    return this.init.sid
  }

  private now(): number {
    return this.init.clock.now()
  }

  private emit(event: TimelineEvent): void {
    this.init.owner.exchangeEvent(this.init.context, event)
  }

  /** Start the hop. Called by the scheduler once a slot is free. */
  run(): void {
    if (this.state !== 'waiting') return
    this.state = 'active'
    const { url, options, ca, clock } = this.init
    // The body first (a file that cannot be read fails before anything connects), then the connection.
    prepareBody(this.init.body)
      .then(async (prepared) => {
        if (this.state === 'finished') return
        const conn = await openH2Connection({
          url,
          clock,
          insecure: options.insecure,
          ca,
          connectTimeoutMs: options.connectTimeoutMs,
        })
        this.start(conn, prepared)
      })
      .catch((e: unknown) => this.fail(e))
  }

  /** The user cancelled the request: it ends cancelled (RST_STREAM), and so does every push still open. */
  cancel(): void {
    this.pushes.cancelAll()
    if (this.state === 'finished') return
    this.state = 'finished'
    this.resetRequest()
    this.informational?.finish()
    const partial = this.body.discard()
    const endAt = this.now()
    const timings = harTimings(this.marks, endAt)
    this.emit(cancelledEvent(this.init.sid, endAt, timings, partial))
    this.ended({ kind: 'cancelled', timings })
  }

  /** A limit of the whole request (its total timeout): the hop and its pushes stop, each saying why. */
  stopWith(error: EngineError): void {
    this.pushes.stopAll(error)
    this.fail(error)
  }

  private start(conn: H2Connection, prepared: PreparedBody): void {
    if (this.state === 'finished') {
      destroyH2Connection(conn)
      return
    }
    this.conn = conn
    conn.timing.claimed = true
    for (const e of connectionPhases(this.init.sid, conn.timing, this.marks)) this.emit(e)
    const { session } = conn
    session.on('error', (e: Error) => this.fail(e))
    // A request that failed or was cancelled takes no more pushes.
    session.on('stream', (stream: ClientHttp2Stream, promised: IncomingHttpHeaders) =>
      this.pushes.promise(
        stream,
        promised,
        this.conn,
        this.state === 'finished' && this.outcome?.kind !== 'response',
      ),
    )
    const { method, url } = this.init
    const wire = wireHeaders(this.init.headers, prepared, this.init.options.omitDefaultHeaders)
    const { headers, dropped } = h2RequestHeaders(method, url, wire.headers)
    this.authority = String(headers[':authority'] ?? url.host)
    const body = prepared.body
    if (body !== null && prepared.length !== null && headers['content-length'] === undefined)
      headers['content-length'] = String(prepared.length)
    this.marks.sendStart = this.now()
    let req: ClientHttp2Stream
    try {
      req = session.request(headers, { endStream: body === null })
    } catch (e) {
      this.fail(e)
      return
    }
    this.req = req
    const notes = [wire.note, dropped.length > 0 ? `Left out what HTTP/2 forbids: ${dropped.join(', ')}` : '']
    const note = notes.filter(Boolean).join('; ')
    const sentList = h2HeaderList(headers, true)
    const info = h2SocketInfo(conn)
    const sent = (): void => {
      if (this.state === 'finished' || this.marks.sendEnd !== undefined) return
      const t = (this.marks.sendEnd = this.now())
      const { sid } = this.init
      const headersBytes = h2BlockBytes(sentList)
      const bodyBytes = prepared.length ?? 0
      const start = this.marks.sendStart ?? t
      this.emit(requestSentEvent(sid, start, t, info, sentList, headersBytes, bodyBytes, note || undefined))
      this.armHeadersTimeout()
    }
    req.on('headers', (h: IncomingHttpHeaders & IncomingHttpStatusHeader) => this.onInterim(h))
    req.on('response', (h: IncomingHttpHeaders & IncomingHttpStatusHeader) => this.onResponse(h))
    req.on('data', (chunk: Buffer) => this.onData(chunk))
    req.on('trailers', (h: IncomingHttpHeaders) => {
      this.trailers = h2ReceivedList(h, false)
    })
    req.on('end', () => this.onEnd())
    req.on('error', (e: Error) => this.fail(e))
    req.on('close', () => {
      if (this.state === 'finished' || this.gotEnd) return
      this.fail(
        new EngineError(
          'reset',
          `${url.host} reset the stream (RST_STREAM code ${req.rstCode ?? 0}) before the response was complete`,
        ),
      )
    })
    if (body === null) sent()
    else {
      req.once('finish', sent)
      if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body)
      else {
        // A file that fails while it is read fails the request (an unhandled stream error would end the process).
        body.on('error', (e: Error) => this.fail(e))
        body.pipe(req)
      }
    }
  }

  private armHeadersTimeout(): void {
    const ms = this.init.options.headersTimeoutMs
    if (ms <= 0) return
    this.headersTimer = setTimeout(() => {
      this.headersTimer = null
      if (this.status === 0)
        this.fail(
          new EngineError(
            'timeout_headers',
            `Timed out waiting for response headers from ${this.init.url.host}`,
          ),
        )
    }, ms)
    this.headersTimer.unref?.()
  }

  private onInterim(h: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    const status = Number(h[':status'] ?? 0)
    if (this.state === 'finished' || status >= 200 || status < 100) return
    if (!this.informational) {
      this.informational = new InformationalResponses({
        sid: this.init.sid,
        now: () => this.now(),
        emit: (e) => this.emit(e),
        // The hop's own headers timer covers the final response.
        headersTimeoutMs: 0,
        sentAt: this.marks.sendEnd ?? this.now(),
        onTimeout: () => undefined,
        protocol: 'h2',
      })
    }
    const { reason, raw } = h2Interim(h, status)
    this.informational.add(status, reason, raw)
  }

  private onResponse(h: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    if (this.state === 'finished') return
    this.informational?.finish()
    if (this.headersTimer) clearTimeout(this.headersTimer)
    this.headersTimer = null
    const t = this.now()
    this.marks.sendEnd ??= t
    this.marks.firstByte = t
    this.lastProgress = t
    this.status = Number(h[':status'] ?? 0)
    const list = h2ReceivedList(h, false)
    this.responseHeaders = list
    this.emit({
      type: 'response-headers',
      sid: this.init.sid,
      t,
      status: this.status,
      statusText: '',
      httpVersion: '2',
      headers: list,
      headersBytes: h2BlockBytes(list),
    })
    this.redirecting = this.init.isRedirect?.(this.status, list) ?? false
    const idle = this.init.options.idleTimeoutMs
    this.req?.setTimeout(idle, () =>
      this.fail(
        new EngineError(
          'timeout_idle',
          `The response body from ${this.init.url.host} stalled (idle timeout)`,
        ),
      ),
    )
    this.body.open(list)
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'finished') return
    this.wireBytes += chunk.length
    const t = this.now()
    if (t - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = t
      this.emit(progressEvent(this.init.sid, t, this.wireBytes, this.body.size))
    }
    if (!this.body.write(chunk)) this.req?.pause()
  }

  private onEnd(): void {
    if (this.state === 'finished') return
    this.gotEnd = true
    const endAt = this.now()
    this.body.end(() => this.finishResponse(endAt))
  }

  private finishResponse(endAt: number): void {
    if (this.state === 'finished') return
    const writer = this.body.finish()
    if (writer.endInMemory()) {
      this.completeResponse(endAt, writer)
      return
    }
    writer.end().then(
      () => this.completeResponse(endAt, writer),
      (e: unknown) => this.fail(storeFailed(e)),
    )
  }

  private completeResponse(endAt: number, writer: ResponseBodyWriter): void {
    if (this.state === 'finished') return
    this.state = 'finished'
    this.marks.endAt = endAt
    const timings = harTimings(this.marks, endAt)
    if (!this.redirecting) {
      const { sid } = this.init
      const { status, wireBytes, responseHeaders, trailers } = this
      const done = doneEvent(sid, endAt, status, wireBytes, writer, timings, responseHeaders, trailers)
      this.emit({ ...done, pushes: this.pushes.count() })
    }
    this.ended({
      kind: 'response',
      status: this.status,
      headers: this.responseHeaders,
      timings,
      redirect: this.redirecting,
      endAt,
    })
  }

  /** The hop itself has ended: report once its pushes have too (a bounded wait, see PushSet). */
  private ended(outcome: ExchangeOutcome): void {
    if (this.outcome) return
    this.outcome = outcome
    if (this.headersTimer) clearTimeout(this.headersTimer)
    this.headersTimer = null
    this.pushes.drain(() => this.report())
  }

  private report(): void {
    if (this.reported || !this.outcome) return
    this.reported = true
    if (this.conn) closeH2Connection(this.conn)
    this.init.owner.exchangeOutcome(this.init.context, this.outcome)
  }

  private resetRequest(): void {
    const req = this.req
    if (req && !req.closed && !req.destroyed)
      req.close(process.getBuiltinModule('node:http2').constants.NGHTTP2_CANCEL)
  }

  private fail(failure: unknown): void {
    if (this.state === 'finished') return
    this.state = 'finished'
    this.resetRequest()
    this.informational?.finish()
    const partial = this.body.discard()
    const endAt = this.now()
    const timing = timingOf(failure)
    if (timing && !timing.claimed) {
      endFailedAttempt(timing, endAt)
      for (const e of connectionPhases(this.init.sid, timing, this.marks)) this.emit(e)
    }
    const timings = harTimings(this.marks, endAt)
    const { host } = this.init.url
    const explained = h2HeadersFailure(failure, this.status, host, this.init.headers) ?? failure
    const error = classifyError(explained, host)
    this.emit(errorEvent(this.init.sid, endAt, error, timings, partial))
    // Its pushes ride on the same connection: they stop with it, each saying why.
    this.pushes.stopAll(
      new EngineError('network', `Stopped with its request, which failed: ${error.message}`),
    )
    this.ended({ kind: 'error', error, timings })
  }
}
