import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { Agent } from 'undici'
import { resolveOptions, type RequestOptions, type RequestSpec } from '../../shared/request'
import type { AppError, Result } from '../../shared/result'
import type { SseOpenOptions } from '../../shared/stream-schemas'
import type { HarTimings, HeaderList, SseEventEvent } from '../../shared/timeline'
import { classifyError } from '../http/errors'
import { hasHeader } from '../http/http-headers'
import { prepareBody } from '../http/request-body'
import { harTimings, type ExchangeMarks } from '../http/timings'
import type { StreamLog } from '../streams/stream-log'
import {
  checkHeaderList,
  ownedConnector,
  parseStreamUrl,
  type SocketOwner,
  type StreamContext,
} from '../streams/stream-plumbing'
import {
  followRedirect,
  newRedirectTrail,
  type RedirectHop,
  type RedirectTrail,
} from '../send-rules/redirect-policy'
import { VERSION } from '../version'
import { SseAttempt, type AttemptEnd, type AttemptOwner } from './sse-attempt'
import type { ReadMode } from './sse-response-policy'
import type { SseIdState, TextKind } from './stream-decoder'

/**
 * One SSE session (or any streamed HTTP response): a request with any method, headers and body whose response
 * is read as it arrives and cut into messages, each a tick on the session's lane and an entry in its log.
 *
 * Reconnection follows the EventSource spec when it is on: a 200 `text/event-stream` response that ends, or a
 * connection that fails at the network level, is retried after the reconnection time (the server may set it
 * with `retry:`), sending `Last-Event-ID`. A response that is not 2xx fails the session, whatever came before
 * (sse-response-policy.ts); another 2xx is read to its end and the session is done. Reconnects in a row that
 * deliver nothing count as failures; past `maxRetries` the session ends with an error. A person can close it
 * at any moment.
 *
 * Last-Event-ID: the first connection sends the id the person gave (`lastEventId`, or a Last-Event-ID header
 * they set by hand); every reconnect sends the latest id the stream set instead, never both.
 */

const PREVIEW_CHARS = 80
/** Reconnects over the session's whole life, whatever else happens: a bound on the loop. */
const MAX_ATTEMPTS = 100_000
/** Why a connection answered 204 ended the session: EventSource's way for a server to stop reconnects. */
export const NO_RECONNECT_REASON = 'The server answered 204 No Content: it asks the client not to reconnect'

export interface SseSessionInit {
  sid: string
  spec: RequestSpec
  stream: SseOpenOptions
  ctx: StreamContext
  log: StreamLog
  onEnd(sid: string): void
  /**
   * The request authorized again, for a reconnect, the way the first connection was (an OAuth 2.0 token from
   * the cache or fetched anew, a digest response with the next nonce count); `refused` is called should the
   * server answer it 401. Without it, reconnects send the first request's headers.
   */
  reauthorize?: () => Promise<Result<{ spec: RequestSpec; refused?: () => void }>>
}

export class SseSession implements SocketOwner, AttemptOwner {
  readonly sid: string
  private readonly ctx: StreamContext
  private readonly log: StreamLog
  private readonly options: RequestOptions
  private readonly url: URL | null
  private readonly headers: HeaderList
  private readonly invalid: AppError | null
  private readonly agent: Agent | null
  private state: 'connecting' | 'open' | 'waiting' | 'ended' = 'connecting'
  private attempt = 0
  private failures = 0
  private retryMs: number
  private readonly decoderState: SseIdState
  private current: SseAttempt | null = null
  /** What to call should the server refuse the credentials of the current reconnect (401). */
  private refused: (() => void) | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private everOpened = false
  private firstMarks: ExchangeMarks | null = null
  /**
   * The stream's status: its first opened connection's. A later connection's status (a reconnect answered
   * 204 No Content, EventSource's "stop reconnecting") is that attempt's, told on its `stream-open`.
   */
  private streamStatus = 0
  wireBytes = 0
  bodyBytes = 0
  private queuedAt = 0

  constructor(private readonly init: SseSessionInit) {
    this.sid = init.sid
    this.ctx = init.ctx
    this.log = init.log
    this.options = resolveOptions(init.spec.options)
    this.retryMs = init.stream.retryMs
    const url = parseStreamUrl(init.spec.url, ['http', 'https'])
    const headers = checkHeaderList(init.spec.headers)
    // A Last-Event-ID set by hand resumes the stream like `lastEventId`: it is the first id, not a fixed header.
    const handSet = headers.ok ? headers.value.find(([k]) => k.toLowerCase() === 'last-event-id') : undefined
    this.decoderState = { lastEventId: init.stream.lastEventId ?? handSet?.[1] ?? '' }
    this.invalid = !url.ok ? url.error : !headers.ok ? headers.error : null
    this.url = url.ok ? url.value : null
    this.headers = headers.ok ? withStreamHeaders(headers.value) : []
    let ca: string | undefined
    if (!this.invalid && this.options.caFile) {
      try {
        ca = readFileSync(this.options.caFile, 'utf8')
      } catch (e) {
        this.invalid = {
          code: 'file',
          message: `Cannot read the CA file ${this.options.caFile}`,
          detail: e instanceof Error ? e.message : String(e),
        }
      }
    }
    this.agent = this.invalid
      ? null
      : new Agent({
          connect: ownedConnector(
            this.ctx.clock,
            {
              insecure: this.options.insecure,
              http2: this.options.http2,
              connectTimeoutMs: this.options.connectTimeoutMs,
              ...(ca ? { ca } : {}),
            },
            this,
          ),
          allowH2: this.options.http2,
          connections: 2,
          pipelining: 1,
          headersTimeout: 0,
          bodyTimeout: 0,
        })
  }

  /** Emit `queued` and make the first connection. */
  start(): void {
    const t = this.ctx.clock.now()
    this.queuedAt = t
    this.ctx.emit({
      type: 'queued',
      sid: this.sid,
      t,
      kind: 'sse',
      wall: Math.round(this.ctx.clock.origin + t),
      method: this.init.spec.method.toUpperCase(),
      url: this.url?.href ?? this.init.spec.url,
      hop: 0,
    })
    if (this.invalid || !this.url) {
      const error = this.invalid ?? { code: 'invalid_url' as const, message: 'Invalid URL' }
      this.finish({ type: 'error', error })
      return
    }
    this.connect()
  }

  get isEnded(): boolean {
    return this.state === 'ended'
  }

  get lastEventId(): string {
    return this.decoderState.lastEventId
  }

  /** Manual close. Before the first connection opened it is a cancel; after, a clean end. */
  close(): boolean {
    if (this.state === 'ended') return false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const attempt = this.current
    this.current = null
    attempt?.abort()
    if (!this.everOpened) {
      this.finish({ type: 'cancelled' })
      return true
    }
    this.ctx.emit({
      type: 'stream-closed',
      sid: this.sid,
      t: this.ctx.clock.now(),
      by: 'client',
      reason: 'Closed by you',
      willRetry: false,
    })
    this.finish({ type: 'done' })
    return true
  }

  headersSent(socket: Socket, rawHeaders: string): void {
    this.current?.attachSocket(socket, rawHeaders)
  }

  /** The request of the current hop: a reconnect starts again from the request as composed. */
  private hop: (RedirectHop & { trail: RedirectTrail }) | null = null

  private connect(): void {
    if (this.state === 'ended' || !this.url || !this.agent) return
    this.state = 'connecting'
    this.refused = null
    const reauthorize = this.attempt > 0 ? this.init.reauthorize : undefined
    if (!reauthorize) {
      this.firstHop(this.url, this.headers, this.attempt === 0 ? this.queuedAt : this.ctx.clock.now())
      return
    }
    // The credentials are asked for again (a token request or a digest probe shows on the timeline); until
    // they come, the attempt is waiting, and a close lets it go.
    const attempt = new SseAttempt(this, this.attempt, this.ctx.clock.now(), this.method)
    this.current = attempt
    reauthorize().then(
      (r) => {
        if (this.current !== attempt) return
        if (!r.ok) {
          // Like a connection that failed: retried, and counted towards giving up.
          this.attemptEnded(attempt, { kind: 'error', error: r.error })
          return
        }
        const url = parseStreamUrl(r.value.spec.url, ['http', 'https'])
        if (!url.ok) {
          this.attemptEnded(attempt, { kind: 'fatal', error: url.error })
          return
        }
        const headers = checkHeaderList(r.value.spec.headers)
        if (!headers.ok) {
          this.attemptEnded(attempt, { kind: 'fatal', error: headers.error })
          return
        }
        this.refused = r.value.refused ?? null
        this.firstHop(url.value, withStreamHeaders(headers.value), attempt.marks.queuedAt, attempt)
      },
      (e: unknown) => {
        if (this.current === attempt)
          this.attemptEnded(attempt, { kind: 'error', error: classifyError(e, '') })
      },
    )
  }

  /** The attempt's first request (`attempt`: one made already, waiting for its credentials). */
  private firstHop(url: URL, base: HeaderList, queuedAt: number, attempt?: SseAttempt): void {
    // The id goes in once: the one given for the first connection, the latest the stream set for a reconnect.
    const headers = base.filter(([k]) => k.toLowerCase() !== 'last-event-id')
    if (this.decoderState.lastEventId !== '') headers.push(['last-event-id', this.decoderState.lastEventId])
    const trail = newRedirectTrail()
    this.hop = { url, method: this.method, body: this.init.spec.body, headers, trail }
    this.dispatchHop(queuedAt, attempt)
  }

  private dispatchHop(queuedAt: number, made?: SseAttempt): void {
    const hop = this.hop
    if (!hop || !this.agent) return
    const attempt = made ?? new SseAttempt(this, this.attempt, queuedAt, hop.method)
    this.current = attempt
    prepareBody(hop.body).then(
      (body) => {
        if (this.current === attempt) attempt.dispatch(this.agent as Agent, hop.url, hop.headers, body)
      },
      (e: unknown) => {
        if (this.current === attempt)
          this.attemptEnded(attempt, { kind: 'fatal', error: classifyError(e, '') })
      },
    )
  }

  /**
   * Follow a redirect within the same connection attempt, by the rules every send follows (fetch's method
   * rewrite, credentials kept to their origin, a loop told from a long chain).
   */
  followRedirect(attempt: SseAttempt, status: number, location: string): void {
    const hop = this.hop
    if (this.current !== attempt || !hop) return
    const step = followRedirect(hop, status, location, hop.trail, this.options.maxRedirects)
    if (!step.ok) {
      this.attemptEnded(attempt, { kind: 'fatal', error: step.error })
      return
    }
    hop.trail.followed++
    this.hop = { ...step.hop, trail: hop.trail }
    this.dispatchHop(attempt.marks.queuedAt)
  }

  // ---- called by the attempt ----

  get clock(): StreamContext['clock'] {
    return this.ctx.clock
  }

  get requestOptions(): RequestOptions {
    return this.options
  }

  get method(): string {
    return this.init.spec.method.toUpperCase()
  }

  /** The idle (body) timeout: a stream may be quiet for long, so only a limit the person set applies. */
  get explicitIdleTimeout(): number {
    return this.init.spec.options.idleTimeoutMs ?? 0
  }

  get forcedMode(): SseOpenOptions['mode'] {
    return this.init.stream.mode
  }

  /** Shared with each connection's decoder, so the last event id carries across reconnects. */
  get decoderStateRef(): SseIdState {
    return this.decoderState
  }

  /** The session's log: an SSE decoder records into it directly. */
  get logRef(): StreamLog {
    return this.log
  }

  isCurrent(attempt: SseAttempt): boolean {
    return this.current === attempt
  }

  emitPhase(attempt: SseAttempt, build: () => Parameters<StreamContext['emit']>[0] | null): void {
    // Only the first connection reports separate phase events; reconnects are summed up in `stream-open`.
    if (attempt.index !== 0 || this.current !== attempt) return
    const e = build()
    if (e) this.ctx.emit(e)
  }

  refusedWith(attempt: SseAttempt, status: number): void {
    if (this.current !== attempt) return
    // The first connection's 401 is told through its response-headers event; a reconnect's here.
    if (status === 401 && attempt.index > 0) {
      const refused = this.refused
      this.refused = null
      refused?.()
    }
  }

  opened(attempt: SseAttempt, status: number, mode: ReadMode, handshake: HarTimings, note?: string): void {
    if (this.current !== attempt) return
    this.state = 'open'
    this.everOpened = true
    if (this.streamStatus === 0) this.streamStatus = status
    if (attempt.index === 0) this.firstMarks = attempt.marks
    this.ctx.emit({
      type: 'stream-open',
      sid: this.sid,
      t: this.ctx.clock.now(),
      mode,
      attempt: attempt.index,
      status,
      handshake,
      ...(note ? { note } : {}),
    })
  }

  /** One NDJSON line: logged, and a tick on the lane. */
  text(attempt: SseAttempt, kind: TextKind, data: string): void {
    if (this.current !== attempt) return
    // Every message decoded from one chunk arrived at the same moment: the chunk's time.
    const t = attempt.chunkAt
    const seq = this.log.appendText(t, 'in', kind, data)
    attempt.delivered++
    this.ctx.emit({
      type: 'sse-event',
      sid: this.sid,
      t,
      seq,
      dir: 'in',
      kind,
      size: this.log.sizeOf(seq, data),
      preview: data.length > PREVIEW_CHARS ? data.slice(0, PREVIEW_CHARS) : data,
    })
  }

  /**
   * SSE messages the decoder recorded in the log: one tick (with a count) for a run of them from one chunk.
   * The preview, type and id are the last message's, as the timeline shows for merged ticks.
   */
  messages(
    attempt: SseAttempt,
    kind: TextKind,
    seq: number,
    count: number,
    size: number,
    preview: string,
    event: string | undefined,
    id: string | undefined,
  ): void {
    if (this.current !== attempt) return
    const t = attempt.chunkAt
    attempt.delivered += count
    const text = preview
    const e: SseEventEvent = {
      type: 'sse-event',
      sid: this.sid,
      t,
      seq,
      dir: 'in',
      kind,
      size,
      preview: text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text,
    }
    if (count > 1) e.count = count
    if (event !== undefined) e.event = event
    if (id !== undefined) e.id = id
    this.ctx.emit(e)
  }

  /** One raw chunk (`chunks` mode). */
  bytes(attempt: SseAttempt, data: Buffer): void {
    if (this.current !== attempt) return
    const t = attempt.chunkAt
    const seq = this.log.append({ t, dir: 'in', kind: 'chunk', data })
    attempt.delivered++
    const preview = data.toString('utf8', 0, Math.min(data.length, PREVIEW_CHARS * 4))
    this.ctx.emit({
      type: 'sse-event',
      sid: this.sid,
      t,
      seq,
      dir: 'in',
      kind: 'chunk',
      size: data.length,
      preview: preview.length > PREVIEW_CHARS ? preview.slice(0, PREVIEW_CHARS) : preview,
    })
  }

  setRetry(ms: number): void {
    // A huge value is the server's to choose, but a lane that waits a day helps nobody: cap at an hour.
    this.retryMs = Math.min(ms, 3_600_000)
  }

  progress(t: number): void {
    this.ctx.emit({
      type: 'body-progress',
      sid: this.sid,
      t,
      wireBytes: this.wireBytes,
      bodyBytes: this.bodyBytes,
    })
  }

  attemptEnded(attempt: SseAttempt, end: AttemptEnd): void {
    if (this.current !== attempt || this.state === 'ended') return
    this.current = null
    const t = this.ctx.clock.now()
    const wasOpen = attempt.opened
    const reconnectable =
      this.init.stream.reconnect &&
      end.kind !== 'fatal' &&
      (wasOpen ? attempt.isEventStream : end.kind === 'error')
    if (attempt.delivered > 0) this.failures = 0
    else this.failures++
    const reason =
      end.kind === 'ended'
        ? wasOpen
          ? attempt.status === 204
            ? NO_RECONNECT_REASON
            : 'The server ended the stream'
          : 'The server closed the connection'
        : end.error.message
    const retry = reconnectable && this.failures <= this.init.stream.maxRetries && this.attempt < MAX_ATTEMPTS
    if (wasOpen) {
      this.ctx.emit({
        type: 'stream-closed',
        sid: this.sid,
        t,
        by: end.kind === 'ended' ? 'server' : 'network',
        reason,
        willRetry: retry,
      })
    }
    if (retry) {
      this.attempt++
      this.state = 'waiting'
      const delayMs = this.retryMs
      this.ctx.emit({
        type: 'retry',
        sid: this.sid,
        t,
        attempt: this.attempt,
        delayMs,
        reason,
        ...(this.decoderState.lastEventId !== '' ? { lastEventId: this.decoderState.lastEventId } : {}),
      })
      this.timer = setTimeout(() => {
        this.timer = null
        this.connect()
      }, delayMs)
      return
    }
    if (end.kind === 'ended') {
      this.finish({ type: 'done' })
      return
    }
    const gaveUp = reconnectable && this.failures > this.init.stream.maxRetries
    const error: AppError = gaveUp
      ? {
          ...end.error,
          message: `Gave up after ${this.failures} failed connection attempts in a row: ${end.error.message}`,
        }
      : end.error
    this.finish({ type: 'error', error })
  }

  private finish(end: { type: 'done' } | { type: 'cancelled' } | { type: 'error'; error: AppError }): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    const t = this.ctx.clock.now()
    const timings = harTimings(this.firstMarks ?? { queuedAt: this.queuedAt }, t)
    if (end.type === 'done') {
      const body = this.ctx.bodies.create('')
      body.endInMemory()
      this.ctx.emit({
        type: 'done',
        sid: this.sid,
        t,
        status: this.streamStatus,
        wireBytes: this.wireBytes,
        bodyBytes: this.bodyBytes,
        body: { id: body.id, size: 0, contentType: '', onDisk: false },
        timings,
      })
    } else if (end.type === 'cancelled') {
      this.ctx.emit({ type: 'cancelled', sid: this.sid, t, timings })
    } else {
      this.ctx.emit({ type: 'error', sid: this.sid, t, ...end.error, timings })
    }
    void this.agent?.destroy().catch(() => undefined)
    this.init.onEnd(this.sid)
  }

  dispose(): void {
    if (this.state !== 'ended') this.close()
  }
}

function withStreamHeaders(headers: HeaderList): HeaderList {
  const out: HeaderList = [...headers]
  if (!hasHeader(out, 'user-agent')) out.push(['user-agent', `Flightdeck/${VERSION}`])
  if (!hasHeader(out, 'accept')) out.push(['accept', 'text/event-stream'])
  // What EventSource sends: intermediaries must not serve a stream from a cache.
  if (!hasHeader(out, 'cache-control')) out.push(['cache-control', 'no-cache'])
  return out
}
