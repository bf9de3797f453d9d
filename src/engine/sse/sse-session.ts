import type { Socket } from 'node:net'
import type { Agent } from 'undici'
import { resolveOptions, type RequestOptions } from '../../shared/request'
import type { AppError } from '../../shared/result'
import type { SseOpenOptions } from '../../shared/stream-schemas'
import type { HeaderList } from '../../shared/timeline'
import { classifyError } from '../http/errors'
import { prepareBody } from '../http/request-body'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import type { StreamLog } from '../streams/stream-log'
import { parseStreamUrl, type SocketOwner, type StreamContext } from '../streams/stream-plumbing'
import {
  followRedirect,
  newRedirectTrail,
  type RedirectHop,
  type RedirectTrail,
} from '../send-rules/redirect-policy'
import { SseAttempt } from './sse-attempt'
import { endedReport, type AttemptEnd } from './sse-attempt-end'
import type { AttemptOwner } from './sse-attempt-owner'
import { streamHeadersTimeout, type StreamHeadersTimeout } from './sse-headers-timeout'
import { checkStreamHeaders, composeStreamRequest, withStreamHeaders } from './sse-request'
import type { ReadMode } from './sse-response-policy'
import type { SseIdState, TextKind } from './stream-decoder'

/**
 * One SSE session (or any streamed HTTP response), a transport of the session kernel (sessions/kernel): a
 * request with any method, headers and body whose response is read as it arrives and cut into messages, each
 * a tick on the session's lane and an entry in its log.
 *
 * Reconnection follows the EventSource spec when it is on: a 200 `text/event-stream` response that ends, or a
 * connection that fails at the network level, is retried after the reconnection time (the server may set it
 * with `retry:`), sending `Last-Event-ID`. A response that is not 2xx fails the session, whatever came before
 * (sse-response-policy.ts); another 2xx is read to its end and the session is done. Reconnects in a row that
 * deliver nothing count as failures (the kernel's policy, reset by a message); past `maxRetries` the session
 * ends with an error, never done, even when each stream ended cleanly (`reconnect_limit`, "Gave up after N
 * connection attempts in a row that brought no message"). A person can close it at any moment.
 *
 * Last-Event-ID: the first connection sends the id the person gave (`lastEventId`, or a Last-Event-ID header
 * they set by hand); every reconnect sends the latest id the stream set instead, never both.
 *
 * One kernel attempt is one connection attempt; its redirects are hops within it, each an SseAttempt (the
 * undici handler, sse-attempt.ts), of which only the current one reports.
 */

/** A huge `retry:` is the server's to choose, but a lane that waits a day helps nobody. */
const MAX_RETRY_MS = 3_600_000

import type { SseSessionInit } from './sse-session-init'

export type { SseSessionInit, SseWatch } from './sse-session-init'

export class SseSession implements SessionTransport, SocketOwner, AttemptOwner {
  readonly sid: string
  private readonly kernel: SessionKernel
  private readonly ctx: StreamContext
  private readonly options: RequestOptions
  private readonly url: URL | null
  private readonly headers: HeaderList
  private readonly invalid: AppError | null
  private readonly agent: Agent | null
  private retryMs: number
  private readonly decoderState: SseIdState
  /** The kernel's attempt, and the hop of it (the request after redirects) that reports. */
  private handle: SessionAttempt | null = null
  private current: SseAttempt | null = null
  /** The request of the current hop: a reconnect starts again from the request as composed. */
  private hop: (RedirectHop & { trail: RedirectTrail }) | null = null
  /** The request's own credential headers (an API-key auth's), kept to its origin on a redirect. */
  private credentialHeaders: readonly string[]
  /** What to call should the server refuse the credentials of the current reconnect (401). */
  private refused: (() => void) | null = null

  constructor(private readonly init: SseSessionInit) {
    this.sid = init.sid
    this.ctx = init.ctx
    this.options = resolveOptions(init.spec.options)
    this.credentialHeaders = init.spec.credentialHeaders ?? []
    this.retryMs = init.stream.retryMs
    const request = composeStreamRequest(init.spec, this.options, init.ctx.clock, this)
    this.url = request.url
    this.headers = request.headers
    this.invalid = request.invalid
    this.agent = request.agent
    this.decoderState = { lastEventId: init.stream.lastEventId ?? request.handSetEventId ?? '' }
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'sse',
        tick: 'sse-event',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: {
          enabled: init.stream.reconnect,
          maxRetries: init.stream.maxRetries,
          resetOn: 'message',
          delayMs: () => this.retryMs,
        },
      },
      this,
    )
  }

  /** Emit `queued` and make the first connection. */
  start(): void {
    const invalid =
      this.invalid ?? (this.url ? null : { code: 'invalid_url' as const, message: 'Invalid URL' })
    this.kernel.start({
      method: this.method,
      url: this.url?.href ?? this.init.spec.url,
      invalid,
      ...(this.init.name ? { name: this.init.name } : {}),
      ...(this.init.emptySecrets ? { emptySecrets: this.init.emptySecrets } : {}),
    })
  }

  get isEnded(): boolean {
    return this.kernel.isEnded
  }

  get lastEventId(): string {
    return this.decoderState.lastEventId
  }

  /** Manual close. Before the first connection opened it is a cancel; after, a clean end. */
  close(words?: string): boolean {
    return this.kernel.close(words)
  }

  /** End the session now with `error` (the protocol on top of the stream failed). */
  fail(error: AppError): void {
    this.kernel.fail(error)
  }

  /** The person's close, as the engine asks it of every session. */
  stop(): boolean {
    return this.close()
  }

  dispose(): void {
    this.kernel.dispose()
  }

  headersSent(socket: Socket, rawHeaders: string): void {
    this.current?.attachSocket(socket, rawHeaders)
  }

  // ---- the transport ----

  connect(handle: SessionAttempt): void {
    if (!this.url || !this.agent) return
    this.handle = handle
    this.refused = null
    const reauthorize = handle.index > 0 ? this.init.reauthorize : undefined
    if (!reauthorize) {
      this.firstHop(this.url, this.headers, handle.queuedAt)
      return
    }
    // The credentials are asked for again (a token request or a digest probe shows on the timeline); until
    // they come, the attempt is waiting, and a close lets it go.
    const attempt = new SseAttempt(this, handle.index, handle.queuedAt, this.method)
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
        const headers = checkStreamHeaders(r.value.spec)
        if (!headers.ok) {
          this.attemptEnded(attempt, { kind: 'fatal', error: headers.error })
          return
        }
        this.refused = r.value.refused ?? null
        this.credentialHeaders = r.value.spec.credentialHeaders ?? []
        const omit = r.value.spec.options.omitDefaultHeaders
        this.firstHop(url.value, withStreamHeaders(headers.value, omit), attempt.marks.queuedAt, attempt)
      },
      (e: unknown) => {
        if (this.current === attempt)
          this.attemptEnded(attempt, { kind: 'error', error: classifyError(e, '') })
      },
    )
  }

  abort(): void {
    const attempt = this.current
    this.current = null
    attempt?.abort()
  }

  release(): void {
    void this.agent?.destroy().catch(() => undefined)
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
    const handle = this.handle
    if (!hop || !handle || !this.agent) return
    const attempt = made ?? new SseAttempt(this, handle.index, queuedAt, hop.method)
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
    const { maxRedirects } = this.options
    const step = followRedirect(hop, status, location, hop.trail, maxRedirects, this.credentialHeaders)
    if (!step.ok) {
      this.attemptEnded(attempt, { kind: 'fatal', error: step.error })
      return
    }
    hop.trail.followed++
    this.hop = { ...step.hop, trail: hop.trail }
    this.dispatchHop(attempt.marks.queuedAt)
  }

  // ---- called by the hop (SseAttempt) ----

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

  /** The response headers' wait: the request's headers timeout, or a stream's shorter default when unset. */
  get headersTimeout(): StreamHeadersTimeout {
    return streamHeadersTimeout(this.init.spec)
  }

  get forcedMode(): SseOpenOptions['mode'] {
    return this.init.stream.mode
  }

  get informationalLimit(): number | undefined {
    return this.init.informationalLimit
  }

  /** Shared with each connection's decoder, so the last event id carries across reconnects. */
  get decoderStateRef(): SseIdState {
    return this.decoderState
  }

  /** The session's log: an SSE decoder records into it directly. */
  get logRef(): StreamLog {
    return this.kernel.log
  }

  countBytes(wire: number, body: number): void {
    this.kernel.wireBytes += wire
    this.kernel.bodyBytes += body
  }

  isCurrent(attempt: SseAttempt): boolean {
    return this.current === attempt
  }

  emitPhase(attempt: SseAttempt, build: () => Parameters<StreamContext['emit']>[0] | null): void {
    if (this.current === attempt) this.handle?.phase(build)
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

  opened(attempt: SseAttempt, status: number, mode: ReadMode, at: number, note?: string): void {
    if (this.current !== attempt) return
    this.handle?.opened({ status, mode, marks: attempt.marks, at, ...(note ? { note } : {}) })
    if (status >= 200 && status < 300) this.init.watch?.opened?.()
  }

  /** One NDJSON line: logged, and a tick on the lane. */
  text(attempt: SseAttempt, kind: TextKind, data: string): void {
    // Every message decoded from one chunk arrived at the same moment: the chunk's time.
    if (this.current === attempt) this.handle?.record('in', kind, data, attempt.chunkAt)
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
    const errors =
      kind === 'event' ? (this.init.watch?.messages?.(this.kernel.log, seq, count, event) ?? 0) : 0
    this.handle?.tick(attempt.chunkAt, seq, kind, size, preview, {
      count,
      event,
      id,
      ...(errors ? { errors } : {}),
    })
  }

  /** One raw chunk (`chunks` mode). */
  bytes(attempt: SseAttempt, data: Buffer): void {
    if (this.current === attempt) this.handle?.record('in', 'chunk', data, attempt.chunkAt)
  }

  setRetry(ms: number): void {
    this.retryMs = Math.min(ms, MAX_RETRY_MS)
  }

  progress(t: number): void {
    this.kernel.progress(t)
  }

  attemptEnded(attempt: SseAttempt, end: AttemptEnd): void {
    const handle = this.handle
    if (this.current !== attempt || !handle) return
    this.current = null
    const early = end.kind === 'ended' && attempt.opened ? this.init.watch?.ended?.() : undefined
    if (early) {
      handle.ended({ reason: early.message, error: early, reconnectable: false, by: 'server' })
      return
    }
    handle.ended(endedReport(attempt, end, this.decoderState.lastEventId))
  }
}
