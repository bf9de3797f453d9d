import type { Socket } from 'node:net'
import type { Dispatcher } from 'undici'
import type { HeaderList, TimelineEvent } from '../../shared/timeline'
import { dispatchOn } from './agent-pool'
import { noteAnswered } from './reusing-pool'
import type { ResponseBodyWriter } from './unkept-body'
import { connectionPhases } from './connector'
import { pairHeaders, trailerList } from './http-headers'
import { InformationalResponses, informationalFlood } from './informational'
import { pausedOn, type PausedReader } from './paused-parser-end'
import { PhaseTimeouts } from './phase-timeouts'
import { EngineError, explainFailure } from './errors'
import { afterGoaway } from './goaway-resend'
import { afterReusedClose, bodyChangedBeforeResend } from './reused-close-resend'
import { interimTimeout, progressEvent, storeFailed, responseHeadersEvent } from './exchange-events'
import { reportCancelled, reportFailure, reportResponse } from './exchange-endings'
import type { ExchangeInit } from './exchange-types'
import { prepareBody, prepareBodySync, wireHeaders, type PreparedBody } from './request-body'
import { newMarks, type ExchangeMarks } from './timings'
import { ResponseBody, type ResponseBodyOwner } from './response-body'
import { SentRequest, type SentShort } from './sent-request'
import { awaitSocket, type SocketClaimant } from './socket-claim'
import { dispatchOptions } from './wire-request'

export type { ExchangeInit, ExchangeOutcome, ExchangeOwner } from './exchange-types'

/**
 * One HTTP exchange (one hop): dispatch through undici, measure every phase, decode and store the body, and
 * report it all as timeline events. Redirect and cookie policy live in the engine; this class only runs the
 * hop and hands back what came of it.
 */

const PROGRESS_EVERY_MS = 50
/** Shared by the responses that had no trailers (most): only read. */
const NO_TRAILERS: HeaderList = []

/**
 * The last URL whose host was read, and its host: URL's `host` getter makes a new string at each read, and a run's
 * requests (and most bursts) all go to one URL object, their plan's.
 */
let lastHostUrl: URL | null = null
let lastHost = ''

function hostOf(url: URL): string {
  if (url !== lastHostUrl) {
    lastHost = url.host
    lastHostUrl = url
  }
  return lastHost
}

export class Exchange implements Dispatcher.DispatchHandler, ResponseBodyOwner, SocketClaimant, PausedReader {
  readonly marks: ExchangeMarks
  private state: 'waiting' | 'preparing' | 'active' | 'finished' = 'waiting'
  private abortFn: ((err?: Error) => void) | null = null
  /** Why the exchange is being stopped from our side: the user cancelled, or a limit (total timeout) hit. */
  private stopping: { kind: 'cancel' } | { kind: 'error'; error: EngineError } | null = null

  /** What this attempt put on the wire, and where. */
  private sent = new SentRequest()
  private status = 0
  private responseHeaders: HeaderList = []
  private trailers: HeaderList = NO_TRAILERS
  private redirecting = false
  private wireCount = 0
  /** When the wire's last byte came (the body may still be decoding). */
  private completeAt = 0
  private readonly body: ResponseBody
  /** When progress was last reported; starts at the response headers, so a body that arrives within
   * PROGRESS_EVERY_MS of them reports only `done` (its progress would say nothing new). */
  private lastProgress = 0
  private resumeFn: (() => void) | null = null
  /** The connection ended while the response was paused: everything is in hand, the parser is not paused again. */
  private socketDone = false
  /** When the response message being parsed began (a 1xx's, then the final one's): the final one's is TTFB. */
  private messageStartAt: number | undefined
  /** Interim (1xx) responses, once one came. */
  private informational: InformationalResponses | null = null
  /** The headers and idle timeouts (undici's own fire up to a second late). */
  private readonly timeouts: PhaseTimeouts
  /** Why it was sent a second time (goaway-resend.ts: a GOAWAY or a refused stream cut the first off); never a third. */
  private resentNote: string | null = null
  /** The first attempt's body files as they were (PreparedBody.filesStamp): a resend must read the same. */
  private firstFilesStamp: string | undefined

  constructor(private readonly init: ExchangeInit) {
    this.marks = newMarks(init.queuedAt)
    // The exchange is the body's owner itself: no closures made per request for it.
    this.body = new ResponseBody(init.bodies, init.options, this, !init.lean)
    const { clock, url, options } = init
    this.timeouts = new PhaseTimeouts(
      this,
      clock,
      hostOf(url),
      options.headersTimeoutMs,
      options.idleTimeoutMs,
    )
  }

  get sid(): string {
    return this.init.sid
  }

  private emit(event: TimelineEvent | null): void {
    if (event) this.init.owner.exchangeEvent(this.init.context, event)
  }

  /** Re-reads state after an await (TypeScript narrows it across the await otherwise). */
  private isFinished(): boolean {
    return this.state === 'finished'
  }

  private now(): number {
    return this.init.clock.now()
  }

  /** Start the hop. Called by the scheduler once a slot is free. */
  run(): void {
    if (this.state !== 'waiting') return
    this.state = 'preparing'
    // Most requests have no body or a string one: dispatch those synchronously, without a promise hop.
    const immediate = prepareBodySync(this.init.body)
    if (immediate) {
      this.dispatch(immediate)
      return
    }
    prepareBody(this.init.body).then(
      (prepared) => this.dispatch(prepared),
      (e: unknown) => this.fail(e),
    )
  }

  private dispatch(prepared: PreparedBody): void {
    if (this.state !== 'preparing') return
    if (this.resentNote === null) this.firstFilesStamp = prepared.filesStamp
    else if (prepared.filesStamp !== this.firstFilesStamp)
      return this.fail(bodyChangedBeforeResend(this.init))
    this.state = 'active'
    const { headers, note } = wireHeaders(this.init.headers, prepared, this.init.options.omitDefaultHeaders)
    this.sent.note = this.resentNote ? [note, this.resentNote].filter(Boolean).join('; ') : note
    this.sent.resent = this.resentNote !== null
    if (prepared.length !== null && prepared.body !== null) this.sent.bodyBytes = prepared.length
    try {
      dispatchOn(
        this.init.agent,
        dispatchOptions(this.init, headers, prepared),
        this,
        this.resentNote !== null,
      )
    } catch (e) {
      this.fail(e)
    }
  }

  /** The user cancelled: end as `cancelled` at once, wherever the exchange is. */
  cancel(): void {
    if (this.state === 'finished' || this.stopping) return
    this.stopping = { kind: 'cancel' }
    if (this.abortFn) this.abortFn(new EngineError('internal', 'Cancelled by the user'))
    else this.finishCancelled()
  }

  /** Stop with an error (e.g. the total timeout), wherever the exchange is. */
  stopWith(error: EngineError): void {
    if (this.state === 'finished' || this.stopping) return
    this.stopping = { kind: 'error', error }
    if (this.abortFn) this.abortFn(error)
    else this.fail(error)
  }

  /** Called through the sendHeaders channel with the socket this exchange was written to. */
  attachSocket(socket: Socket | undefined, rawHeaders: string): void {
    // The first request on a connection claims its DNS, connect and TLS phases.
    const { claimed } = this.sent.attach(socket, rawHeaders)
    if (claimed) for (const e of connectionPhases(this.init.sid, claimed, this.marks)) this.emit(e)
  }

  // ---- undici's dispatch handler interface. The exchange is its own handler: undici calls these as
  // methods, so nothing is allocated per request for them. ----

  onConnect(abort: (err?: Error) => void): void {
    if (this.state === 'finished') {
      // Cancelled while connecting: the connection is up now, so let go of the request.
      abort(new EngineError('internal', 'Cancelled'))
      return
    }
    this.abortFn = abort
    this.timeouts.sending((this.marks.sendStart = this.now()))
    // The socket undici publishes next (sendHeaders) is this request's.
    awaitSocket(this)
  }

  /** A piece of the request body went out: an upload that goes on is not a stall. */
  onBodySent(chunk: unknown): void {
    this.sent.wrote(chunk)
    this.timeouts.moved(this.now())
  }

  onRequestSent(): void {
    if (this.state === 'finished') return
    const t = (this.marks.sendEnd = this.now())
    this.timeouts.requestSent(t)
    const start = this.marks.sendStart ?? t
    this.emit(
      this.init.lean
        ? this.sent.sentUnseen(this.init.sid, start, t)
        : this.sent.event(this.init.sid, start, t),
    )
  }

  /** The attempt ended, or was answered, before undici said its body was all written: its event says how far. */
  private sentSoFar(why: SentShort): void {
    // Most attempts were told sent before anything else (their event made): no clock read for nothing.
    if (!this.sent.unreported()) return
    const t = this.now()
    this.emit(this.sent.eventSoFar(this.init.sid, this.marks.sendStart ?? t, t, why))
  }

  onResponseStarted(): void {
    this.messageStartAt = this.now()
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.state === 'finished') return false
    this.sentSoFar('answered')
    if (statusCode < 200) {
      // An interim response (103 Early Hints, 102 Processing): a marker, not the response. The exchange keeps
      // waiting; undici reads on to the final response by itself.
      this.interim(statusCode, rawHeaders, statusText ?? '')
      return true
    }
    this.informational?.finish()
    const t = this.now()
    // Waiting ends at the final response, not at the first interim one.
    this.marks.firstByte ??= this.messageStartAt ?? t
    this.marks.sendEnd ??= this.marks.firstByte
    this.lastProgress = t
    this.resumeFn = resume
    this.status = statusCode
    const headers = pairHeaders(rawHeaders, this.sent.info?.protocol)
    this.responseHeaders = headers
    if (this.init.lean) this.init.owner.exchangeHeaders?.(this.init.context, headers)
    else
      this.emit(responseHeadersEvent(this.init.sid, t, statusCode, statusText ?? '', this.sent.info, headers))
    this.redirecting = this.init.isRedirect?.(statusCode, headers) ?? false
    this.timeouts.headers(t)
    return this.timeouts.reading(this.body.open(headers))
  }

  onData(chunk: Buffer): boolean {
    if (this.state === 'finished') return false
    this.wireCount += chunk.length
    const t = this.now()
    if (t - this.lastProgress >= PROGRESS_EVERY_MS && !this.init.lean) {
      this.lastProgress = t
      this.emit(progressEvent(this.init.sid, t, this.wireCount, this.body.size))
    }
    this.timeouts.moved(t)
    if (this.body.write(chunk) || this.socketDone) return true
    this.timeouts.pause()
    pausedOn(this.sent.socket, this)
    return false
  }

  /** The connection ended while the response was paused (paused-parser-end.ts): read the rest as it is. */
  socketEnded(): void {
    this.socketDone = true
    this.resumeFn?.()
  }

  onComplete(trailers?: unknown): void {
    if (this.state === 'finished') return
    // Its connection settles now: the pool need not look through all of them for it (reusing-pool.ts).
    noteAnswered(this.sent.socket)
    if (trailers !== undefined && trailers !== null) this.trailers = trailerList(trailers)
    this.completeAt = this.now()
    this.timeouts.stop()
    // Without decoders the body ends here; with them, `bodyEnded` is called once they have let out the rest.
    if (this.body.end()) this.finishResponse(this.completeAt)
  }

  onError(err: Error): void {
    const stopping = this.stopping
    if (stopping?.kind === 'cancel') this.finishCancelled()
    else if (stopping) this.fail(stopping.error)
    else this.failOrResend(err)
  }

  /**
   * A GOAWAY, or the server closing the kept-alive connection it was written to, cut the request off before any
   * answer: once more when that is safe, else an error saying why not.
   */
  private failOrResend(err: Error): void {
    const next = this.state === 'finished' ? null : this.resendAfter(err)
    if (typeof next !== 'string') return this.fail(next ?? err)
    this.sentSoFar('cut')
    this.resentNote = next
    this.state = 'waiting'
    this.abortFn = null
    this.sent = new SentRequest()
    this.messageStartAt = undefined
    // The second attempt's sending is the one measured; the first's time counts as blocked.
    this.marks.sendStart = this.marks.sendEnd = this.marks.firstByte = undefined
    // Out of undici's GOAWAY handler first: it is still settling the connection that failed.
    setImmediate(() => this.run())
  }

  /** The note to send the request again with, the error that says why it is not, or null (not such a cut). */
  private resendAfter(err: Error): string | EngineError | null {
    const answered = this.status > 0 || this.informational !== null
    const resent = this.resentNote !== null
    const info = this.sent.info
    return (
      afterGoaway(err, this.init, answered, resent) ??
      afterReusedClose(err, this.init, {
        reused: info?.reused ?? false,
        protocol: info?.protocol ?? '',
        heardBack: answered || this.sent.heardBack(),
        resent,
      })
    )
  }

  private interim(status: number, raw: Buffer[], statusText: string): void {
    this.timeouts.interim()
    if (!this.informational) {
      const { options, url } = this.init
      this.informational = new InformationalResponses({
        sid: this.init.sid,
        now: () => this.now(),
        emit: (e) => this.emit(e),
        headersTimeoutMs: options.headersTimeoutMs,
        sentAt: this.marks.sendEnd ?? this.marks.sendStart ?? this.now(),
        onTimeout: (count) => this.stopWith(interimTimeout(url.host, count, options.headersTimeoutMs)),
        onLimit: (count) => this.stopWith(informationalFlood(url.host, count)),
        ...(this.init.informationalLimit ? { limit: this.init.informationalLimit } : {}),
        protocol: this.sent.info?.protocol ?? 'http/1.1',
      })
    }
    this.informational.add(status, statusText, raw)
  }

  // ---- ResponseBodyOwner: what the response body tells its exchange. ----

  resume(): void {
    this.timeouts.resume()
    this.resumeFn?.()
  }

  abort(err: Error): void {
    if (this.abortFn) this.abortFn(err)
    else this.fail(err)
  }

  /**
   * A decoder failed or hit the bomb guard. This can happen after undici has delivered the last byte (the
   * decoder is still working through it), when aborting undici no longer reaches `onError`: fail here first.
   */
  decoderFailed(err: Error): void {
    const abort = this.abortFn
    this.fail(err)
    abort?.(err)
  }

  finished(): boolean {
    return this.state === 'finished'
  }

  wireBytes(): number {
    return this.wireCount
  }

  bodyEnded(): void {
    this.finishResponse(this.completeAt)
  }

  private finishResponse(endAt: number): void {
    if (this.state === 'finished') return
    const writer = this.body.finish()
    // A body held in memory is complete at once; one on disk waits for its writes to land.
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
    if (this.isFinished()) return
    this.state = 'finished'
    this.timeouts.stop()
    reportResponse(this.init, this.marks, endAt, writer, {
      status: this.status,
      headers: this.responseHeaders,
      trailers: this.trailers,
      wireBytes: this.wireCount,
      redirecting: this.redirecting,
    })
  }

  private fail(failure: unknown): void {
    if (this.state === 'finished') return
    const err = explainFailure(failure, {
      socket: this.sent.socket,
      status: this.status,
      decoding: this.body.decoding,
      declaredLength: this.body.declaredLength,
      wireBytes: this.wireCount,
      host: this.init.url.host,
      requestHeaders: this.init.headers,
    })
    const partial = this.stopShort('cut')
    reportFailure(this.init, this.marks, this.now(), err, partial)
  }

  private finishCancelled(): void {
    if (this.state === 'finished') return
    const partial = this.stopShort('cancelled')
    reportCancelled(this.init, this.marks, this.now(), partial)
  }

  /** Ended short (`why`): what was sent is told, nothing is timed any more; returns the partial body's bytes. */
  private stopShort(why: SentShort): number {
    this.sentSoFar(why)
    this.state = 'finished'
    this.timeouts.stop()
    this.informational?.finish()
    return this.body.discard()
  }
}
