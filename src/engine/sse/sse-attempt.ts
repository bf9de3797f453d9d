import type { Socket } from 'node:net'
import type { Agent, Dispatcher } from 'undici'
import type { HeaderList } from '../../shared/timeline'
import { connectionPhases, type ConnectionTiming } from '../http/connector'
import { EngineError, classifyError, invalidHeadFailure, isRequestRefusal } from '../http/errors'
import { responseHeadersEvent } from '../http/exchange-events'
import { headerValue, pairHeaders } from '../http/http-headers'
import { pausedOn, type PausedReader } from '../http/paused-parser-end'
import { PhaseTimeouts } from '../http/phase-timeouts'
import { InformationalResponses, informationalFlood } from '../http/informational'
import { wireHeaders, type PreparedBody } from '../http/request-body'
import { SentRequest } from '../http/sent-request'
import type { ExchangeMarks } from '../http/timings'
import { REDIRECT_STATUSES } from '../send-rules/redirect-policy'
import type { AttemptEnd } from './sse-attempt-end'
import type { AttemptOwner } from './sse-attempt-owner'
import { RefusalBody } from './sse-refusal'
import { headersTimeoutError } from './sse-headers-timeout'
import { responsePolicy, streamCoding, type ReadMode } from './sse-response-policy'
import { createStreamDecoder, type StreamDecoder } from './stream-decoder'
import { StreamInflater } from './stream-inflater'

/** Longest line or event the parser buffers before it gives up on the stream (bytes). */
const MAX_EVENT_BYTES = 32 * 1024 * 1024
const PROGRESS_EVERY_MS = 50

/**
 * One connection of a session: an undici dispatch handler that times the exchange and decodes the body. A
 * response that is not a stream (not 2xx) is not decoded into messages: its body, bounded in size and time,
 * becomes the detail of the error the attempt ends with.
 */
export class SseAttempt implements Dispatcher.DispatchHandler, PausedReader {
  readonly marks: ExchangeMarks
  /** Engine time of the chunk being decoded (every message in it arrived then). */
  chunkAt = 0
  opened = false
  isEventStream = false
  /** The final response's status (after redirects); 0 until it came. */
  status = 0
  private abortFn: ((err?: Error) => void) | null = null
  private aborted = false
  /** What went on the wire, and on which connection (its request-sent event, as a send's). */
  private readonly sent = new SentRequest()
  /** The connection ended while the stream was paused: everything is in hand, the parser is not paused again. */
  private socketDone = false
  private decoder: StreamDecoder | null = null
  private inflater: StreamInflater | null = null
  private lastProgress = 0
  private resumeFn: (() => void) | null = null
  private host = ''
  /** undici delivered the whole response (an abort no longer reaches onError). */
  private complete = false
  private ended = false
  /** Set when the response is a redirect to follow: the request is let go and the session follows it. */
  private redirect: { status: number; location: string } | null = null
  /** A limit the decoder or the bomb guard hit: the attempt ends with this error and is not retried. */
  private fatal: EngineError | null = null
  /** A response that failed the connection (not 2xx): its error, and its body as it comes, bounded. */
  private failing: RefusalBody | null = null
  /** The headers and idle timeouts, timed here: undici's own fire up to a second late. */
  private timeouts: PhaseTimeouts | null = null
  /** Within agent.dispatch: an error told now refused the request before anything was sent. */
  private dispatching = false

  constructor(
    private readonly session: AttemptOwner,
    readonly index: number,
    queuedAt: number,
    private readonly method: string,
  ) {
    this.marks = { queuedAt }
  }

  private now(): number {
    return this.session.clock.now()
  }

  dispatch(agent: Agent, url: URL, headers: HeaderList, prepared: PreparedBody): void {
    if (this.aborted) return
    this.host = url.host
    const idleMs = this.session.explicitIdleTimeout
    const headersMs = this.session.headersTimeout.ms
    this.timeouts = new PhaseTimeouts(this, this.session.clock, url.host, headersMs, idleMs)
    if (prepared.length !== null && prepared.body !== null) this.sent.bodyBytes = prepared.length
    // The body's own Content-Type unless one is set, as a send's; its note (a multipart type swapped) is the request view's.
    const wire = wireHeaders(headers, prepared, this.session.requestOptions.omitDefaultHeaders)
    this.sent.note = wire.note
    this.dispatching = true
    try {
      agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: this.method,
          headers: wire.headers,
          body: prepared.body,
          // Both phases are timed by `timeouts`: undici's own timers fire up to a second late.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        this,
      )
    } catch (e) {
      this.end({ kind: 'fatal', error: classifyError(e, this.host) })
    } finally {
      this.dispatching = false
    }
  }

  abort(): void {
    this.aborted = true
    this.timeouts?.stop()
    this.stopDecoding()
    this.abortFn?.(new EngineError('internal', 'Closed'))
  }

  attachSocket(socket: Socket, rawHeaders: string): void {
    if (this.sent.info) return
    const { claimed } = this.sent.attach(socket, rawHeaders)
    if (claimed) this.claim(claimed)
  }

  private claim(timing: ConnectionTiming): void {
    for (const e of connectionPhases(this.session.sid, timing, this.marks))
      this.session.emitPhase(this, () => e)
  }

  // ---- undici's dispatch handler ----

  onConnect(abort: (err?: Error) => void): void {
    if (this.aborted) {
      abort(new EngineError('internal', 'Closed'))
      return
    }
    this.abortFn = abort
    this.marks.sendStart = this.now()
    this.timeouts?.sending(this.marks.sendStart)
  }

  /** A piece of the request body went out: an upload that goes on is not a stall. */
  onBodySent(): void {
    this.timeouts?.moved(this.now())
  }

  onRequestSent(): void {
    if (this.aborted) return
    this.marks.sendEnd = this.now()
    this.timeouts?.requestSent(this.marks.sendEnd)
    this.session.emitPhase(this, () => {
      const end = this.marks.sendEnd as number
      return this.sent.event(this.session.sid, this.marks.sendStart ?? end, end)
    })
  }

  onResponseStarted(): void {
    this.marks.firstByte ??= this.now()
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.aborted) return false
    const t = this.now()
    this.marks.firstByte ??= t
    this.marks.sendEnd ??= this.marks.firstByte
    // An interim response (103 Early Hints): a marker, not the stream's answer; its headers timeout runs on.
    if (status < 200) return this.interim(status, rawHeaders, statusText ?? '')
    this.informational?.finish()
    this.timeouts?.headers(t)
    this.lastProgress = t
    this.resumeFn = resume
    const headers = pairHeaders(rawHeaders, this.sent.info?.protocol)
    this.session.emitPhase(this, () =>
      responseHeadersEvent(this.session.sid, t, status, statusText ?? '', this.sent.info, headers),
    )
    const location = headerValue(headers, 'location')
    if (REDIRECT_STATUSES.has(status) && location !== '' && this.session.requestOptions.followRedirects) {
      this.redirect = { status, location }
      this.abortFn?.(new EngineError('internal', 'Following a redirect'))
      return false
    }
    const encoding = streamCoding(headerValue(headers, 'content-encoding'))
    if (encoding instanceof EngineError) {
      this.fatal = encoding
      this.abortFn?.(this.fatal)
      return false
    }
    this.status = status
    const policy = responsePolicy(
      status,
      statusText ?? '',
      headerValue(headers, 'content-type'),
      this.session.forcedMode,
    )
    if (policy.kind === 'fail') {
      this.session.refusedWith(this, status)
      this.failing = new RefusalBody(policy.error, () => this.failNow(false))
    } else {
      this.isEventStream = policy.eventStream
      this.decoder = this.makeDecoder(policy.mode)
    }
    if (encoding) this.inflate(encoding)
    if (policy.kind === 'read') {
      this.opened = true
      this.session.opened(this, status, policy.mode, t, policy.note)
    }
    return true
  }

  /** Reported as a send's are (informational.ts): the first few with their headers, then a count, bounded. */
  private interim(status: number, raw: Buffer[], statusText: string): true {
    this.informational ??= new InformationalResponses({
      sid: this.session.sid,
      now: () => this.now(),
      emit: (e) => this.session.emitPhase(this, () => e),
      // The attempt's own headers timeout, running since the request was sent, ends a flood of them, as does
      // their count reaching the limit: a server that sent that many means never to answer, so no reconnect.
      headersTimeoutMs: 0,
      sentAt: 0,
      onTimeout: () => undefined,
      onLimit: (count) => {
        this.fatal = informationalFlood(this.host, count)
        this.abortFn?.(this.fatal)
      },
      ...(this.session.informationalLimit ? { limit: this.session.informationalLimit } : {}),
      ...(this.sent.info ? { protocol: this.sent.info.protocol } : {}),
    })
    this.informational.add(status, statusText, raw)
    return true
  }

  private makeDecoder(mode: ReadMode): StreamDecoder {
    return createStreamDecoder(
      mode,
      {
        text: (kind, data) => this.session.text(this, kind, data),
        messages: (kind, seq, count, size, preview, event, id) =>
          this.session.messages(this, kind, seq, count, size, preview, event, id),
        bytes: (chunk) => this.session.bytes(this, chunk),
        retry: (ms) => this.session.setRetry(ms),
        fatal: (message) => this.failDecoding(new EngineError('message_too_large', message)),
      },
      this.session.decoderStateRef,
      MAX_EVENT_BYTES,
      this.session.logRef,
    )
  }

  /** Undo the content coding, every decoded byte checked by the decompression-bomb guard. */
  private inflate(encoding: string): void {
    const sink = {
      data: (chunk: Buffer): void => {
        this.chunkAt = this.now()
        this.take(chunk)
      },
      drain: (): void => {
        this.timeouts?.resume()
        this.resumeFn?.()
      },
      fail: (e: Error): void => this.failDecoding(e),
    }
    this.inflater = new StreamInflater(encoding, sink, () => this.session.isCurrent(this) && !this.fatal)
  }

  /** Decoded body bytes: messages of a stream, or the failed response's detail. */
  private take(chunk: Buffer): void {
    if (this.failing) {
      if (this.failing.add(chunk)) this.failNow(false)
      return
    }
    this.session.countBytes(0, chunk.length)
    this.decoder?.push(chunk, this.chunkAt)
  }

  onData(chunk: Buffer): boolean {
    if (this.aborted || this.ended) return false
    const t = this.now()
    this.chunkAt = t
    this.timeouts?.moved(t)
    this.session.countBytes(chunk.length, 0)
    if (t - this.lastProgress >= PROGRESS_EVERY_MS && this.opened) {
      this.lastProgress = t
      this.session.progress(t)
    }
    if (this.inflater) {
      if (this.inflater.write(chunk) || this.socketDone) return true
      this.timeouts?.pause()
      pausedOn(this.sent.socket, this)
      return false
    }
    // A connection the session has let go records nothing more.
    if (this.session.isCurrent(this)) this.take(chunk)
    return true
  }

  /** The connection ended while the stream was paused (paused-parser-end.ts): read the rest as it is. */
  socketEnded(): void {
    this.socketDone = true
    this.resumeFn?.()
  }

  onComplete(): void {
    if (this.aborted || this.ended) return
    this.complete = true
    this.timeouts?.stop()
    const endDecoding = (): void => {
      if (this.ended) return
      if (this.failing) {
        this.failNow(true)
        return
      }
      this.chunkAt = this.now()
      this.decoder?.end()
      this.end({ kind: 'ended' })
    }
    if (this.inflater) this.inflater.end(endDecoding)
    else endDecoding()
  }

  onError(err: Error): void {
    this.timeouts?.stop()
    if (this.redirect) {
      this.session.followRedirect(this, this.redirect.status, this.redirect.location)
      return
    }
    if (this.ended || (this.aborted && !this.fatal)) return
    this.stopDecoding()
    if (this.fatal) {
      this.end({ kind: 'fatal', error: classifyError(this.fatal, this.host) })
      return
    }
    // A failed response whose body broke off still fails with its status, and what came of the body.
    if (this.failing) {
      this.failNow(false)
      return
    }
    // A request undici refused before sending (a header it will not send) would be refused the same way on every
    // reconnect, and the connection pool it was refused by waits for a drain that never comes: fail for good.
    if (this.dispatching || isRequestRefusal(err)) {
      this.end({ kind: 'fatal', error: classifyError(err, this.host) })
      return
    }
    const head = invalidHeadFailure(err, this.status, this.host)
    this.end({ kind: 'error', error: classifyError(head ?? err, this.host) })
  }

  /**
   * A decoder failed or hit a limit. This can happen after undici has delivered the last byte (the decoder is
   * still working through it), when aborting undici no longer reaches `onError`: end here in that case.
   */
  private failDecoding(err: Error): void {
    if (this.ended || this.fatal) return
    // A refused response stays a refusal (its status) even when its body cannot be decoded.
    if (this.failing) {
      this.failNow(false)
      return
    }
    this.fatal = err instanceof EngineError ? err : new EngineError('network', err.message)
    this.stopDecoding()
    if (this.complete || !this.abortFn)
      this.end({ kind: 'fatal', error: classifyError(this.fatal, this.host) })
    else this.abortFn(this.fatal)
  }

  /** End a failed response's attempt with its error and what came of its body. */
  private failNow(complete: boolean): void {
    const failing = this.failing
    if (!failing || this.ended) return
    this.end({ kind: 'fatal', error: failing.errorWithBody(complete) })
    this.stopDecoding()
    if (!this.complete) this.abortFn?.(new EngineError('internal', 'Failed response read'))
  }

  private stopDecoding(): void {
    this.failing?.stop()
    this.inflater?.destroy()
  }

  /** Interim (1xx) responses, once one came. */
  private informational: InformationalResponses | null = null

  /** A timeout ran out: the attempt fails as undici's own timeout failed it (the session may reconnect). */
  stopWith(error: EngineError): void {
    const timeout = this.session.headersTimeout
    const interim = this.informational?.count ?? 0
    this.abortFn?.(error.code === 'timeout_headers' ? headersTimeoutError(error, timeout, interim) : error)
  }

  private end(end: AttemptEnd): void {
    if (this.ended) return
    this.ended = true
    this.timeouts?.stop()
    this.informational?.finish()
    this.failing?.stop()
    this.session.attemptEnded(this, end)
  }
}
