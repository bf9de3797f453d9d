import type { AppError } from '../../../shared/result'
import type { StreamDirection, StreamMessageKind, TimelineEvent } from '../../../shared/timeline'
import { harTimings, type ExchangeMarks } from '../../http/timings'
import type { StreamLog } from '../../streams/stream-log'
import type { StreamContext } from '../../streams/stream-plumbing'
import { buildTick, previewOf, type NamedMessage, type TickExtra } from './message-ticks'
import { ReconnectPolicy, type ReconnectRules } from './reconnect-policy'
import { SessionAttempt, type AttemptOwner } from './session-attempt'
import type {
  EndedReport,
  OpenedReport,
  SessionFlavour,
  SessionTarget,
  SessionTransport,
} from './session-transport'

/**
 * The one life every long-lived session (SSE, WebSocket, and whatever protocol comes next) lives:
 *
 *   start ─ `queued` ─▶ connecting ─ opened ─▶ open ─ ended ─▶ (reconnect?) ─ yes: `retry` ─▶ waiting ─▶ connecting
 *                          │                     │                          └ no: done / error
 *                          └─ ended ─────────────┴─▶ the same decision (an attempt that never opened has no
 *                                                    `stream-closed`)
 *
 * and at any moment the person's close: before any connection opened it cancels the session; after, it ends it
 * as done, by `stream-closed` (by: client), through the transport's closing handshake when it has one.
 *
 * Events, in the order the timeline, the HAR export, the runner and the renderer read them: `queued` once;
 * the first attempt's handshake phases (reconnects are summed up in their `stream-open`); per attempt a
 * `stream-open` when it opens, message ticks, a `stream-closed` when an open one ends; a `retry` before each
 * reconnect; one terminal `done` / `error` / `cancelled` with HAR timings (the first opened connection's
 * handshake; else the latest attempt's if its transport measured it; else all queue), then `onEnd`.
 */

export interface SessionKernelInit extends SessionFlavour {
  sid: string
  ctx: StreamContext
  log: StreamLog
  reconnect: ReconnectRules
  onEnd(sid: string): void
}

export type SessionState = 'idle' | 'connecting' | 'open' | 'closing' | 'waiting' | 'ended'

type Final = { type: 'done' } | { type: 'cancelled' } | { type: 'error'; error: AppError }

export class SessionKernel implements AttemptOwner {
  readonly sid: string
  readonly log: StreamLog
  private readonly ctx: StreamContext
  private readonly tickType: SessionFlavour['tick']
  private readonly policy: ReconnectPolicy
  private phase: SessionState = 'idle'
  private current: SessionAttempt | null = null
  private latest: SessionAttempt | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private queuedAt = 0
  private everOpened = false
  private firstOpenMarks: ExchangeMarks | null = null
  /** The stream's status: its first opened connection's (a reconnect's is told on its `stream-open`). */
  private streamStatus = 0
  /** The words of the person's close while its closing handshake runs. */
  private closeWords: string | null = null
  /** Bytes off the wire and decoded, over the session's life (`body-progress`, `done`). */
  wireBytes = 0
  bodyBytes = 0

  constructor(
    private readonly init: SessionKernelInit,
    private readonly transport: SessionTransport,
  ) {
    this.sid = init.sid
    this.ctx = init.ctx
    this.log = init.log
    this.tickType = init.tick
    this.policy = new ReconnectPolicy(init.reconnect)
  }

  get state(): SessionState {
    return this.phase
  }

  get isEnded(): boolean {
    return this.phase === 'ended'
  }

  get isOpen(): boolean {
    return this.phase === 'open'
  }

  /** The attempt in progress, if any (a transport that sends on its own, like WebSocket, records through it). */
  get attempt(): SessionAttempt | null {
    return this.current
  }

  now(): number {
    return this.ctx.clock.now()
  }

  emit(event: TimelineEvent): void {
    this.ctx.emit(event)
  }

  isCurrent(attempt: SessionAttempt): boolean {
    return this.current === attempt && this.phase !== 'ended'
  }

  /** Emit `queued` and make the first attempt (or end at once when the request cannot be made). */
  start(target: SessionTarget): void {
    if (this.phase !== 'idle') return
    const t = this.now()
    this.queuedAt = t
    this.phase = 'connecting'
    this.emit({
      type: 'queued',
      sid: this.sid,
      t,
      kind: this.init.kind,
      wall: Math.round(this.ctx.clock.origin + t),
      method: target.method,
      url: target.url,
      hop: 0,
      ...(target.name ? { name: target.name } : {}),
      ...(target.graphql ? { graphql: target.graphql } : {}),
      ...(target.connection ? { connection: target.connection } : {}),
      ...(target.emptySecrets ? { emptySecrets: target.emptySecrets } : {}),
    })
    if (target.invalid) {
      this.finish({ type: 'error', error: target.invalid })
      return
    }
    this.connect()
  }

  private connect(): void {
    if (this.phase === 'ended') return
    this.phase = 'connecting'
    const index = this.policy.attempt
    const attempt = new SessionAttempt(this, index, index === 0 ? this.queuedAt : this.now())
    this.current = attempt
    this.latest = attempt
    this.transport.connect(attempt)
  }

  opened(attempt: SessionAttempt, r: OpenedReport): void {
    if (!this.isCurrent(attempt)) return
    this.phase = 'open'
    this.everOpened = true
    this.policy.opened()
    if (this.streamStatus === 0) this.streamStatus = r.status
    if (attempt.index === 0) this.firstOpenMarks = r.marks
    const t = this.now()
    this.emit({
      type: 'stream-open',
      sid: this.sid,
      t,
      mode: r.mode,
      attempt: attempt.index,
      status: r.status,
      handshake: harTimings(r.marks, r.at ?? t),
      ...(r.protocol ? { protocol: r.protocol } : {}),
      ...(r.extensions ? { extensions: r.extensions } : {}),
      ...(r.note ? { note: r.note } : {}),
    })
  }

  record(
    dir: StreamDirection,
    kind: StreamMessageKind,
    data: Buffer | string,
    t: number,
    code?: number,
    named?: NamedMessage,
  ): number {
    let seq: number
    let size: number
    if (typeof data === 'string') {
      seq = this.log.appendText(t, dir, kind, data, named?.event, named?.id)
      size = this.log.sizeOf(seq, data)
    } else {
      seq = this.log.append({ t, dir, kind, data, code, event: named?.event, id: named?.id })
      size = data.length
    }
    // Runs for every message of a flood: one preview string and one event object (the extra only for a close
    // or a named message).
    const extra =
      named !== undefined
        ? { code, event: named.event, id: named.id, errors: named.errors }
        : code === undefined
          ? undefined
          : { code }
    this.ctx.emit(buildTick(this.tickType, this.sid, t, seq, dir, kind, size, previewOf(kind, data), extra))
    return seq
  }

  tick(
    t: number,
    seq: number,
    dir: StreamDirection,
    kind: StreamMessageKind,
    size: number,
    preview: string,
    extra?: TickExtra,
  ): void {
    this.ctx.emit(buildTick(this.tickType, this.sid, t, seq, dir, kind, size, preview, extra))
  }

  /** `body-progress` with the session's byte counts so far (a transport says when; it paces them). */
  progress(t: number): void {
    this.emit({
      type: 'body-progress',
      sid: this.sid,
      t,
      wireBytes: this.wireBytes,
      bodyBytes: this.bodyBytes,
    })
  }

  /**
   * Whether `attempt`, ending now, would be followed by a reconnect: a transport that words its end by what
   * comes next (an MQTT publish resent on the next connection, or lost) asks just before reporting `ended`.
   */
  willReconnect(attempt: SessionAttempt, reconnectable: boolean): boolean {
    return (
      this.isCurrent(attempt) &&
      this.phase !== 'closing' &&
      this.policy.wouldRetry(attempt.delivered, reconnectable)
    )
  }

  attemptEnded(attempt: SessionAttempt, r: EndedReport): void {
    if (!this.isCurrent(attempt)) return
    this.current = null
    const t = this.now()
    if (this.phase === 'closing') {
      // The closing handshake the person started is over, however the server answered it.
      const words = this.closeWords ?? 'Closed by you'
      this.closedByClient(t, r.closeNote ? `${words}; ${r.closeNote}` : words, r.code)
      return
    }
    const retry = this.policy.ended(attempt.delivered, r.reconnectable)
    if (attempt.isOpen) {
      this.emit({
        type: 'stream-closed',
        sid: this.sid,
        t,
        by: r.by,
        ...(r.code !== undefined ? { code: r.code } : {}),
        reason: r.reason,
        willRetry: retry,
      })
    }
    if (retry) {
      const { attempt: next, delayMs } = this.policy.next()
      this.phase = 'waiting'
      this.emit({
        type: 'retry',
        sid: this.sid,
        t,
        attempt: next,
        delayMs,
        reason: r.reason,
        ...(r.lastEventId ? { lastEventId: r.lastEventId } : {}),
      })
      this.timer = setTimeout(() => {
        this.timer = null
        this.connect()
      }, delayMs)
      return
    }
    const error = this.policy.endError(r.error, r.reason, r.reconnectable)
    this.finish(error ? { type: 'error', error } : { type: 'done' })
  }

  /**
   * The person's close. Before any connection opened it cancels the session; after, it ends it as done. An
   * open connection is closed through the transport's closing handshake when it has one (the session ends
   * when that is over). False when the session had ended already.
   */
  close(words = 'Closed by you'): boolean {
    if (this.phase === 'ended') return false
    if (this.phase === 'closing') return true
    this.clearTimer()
    const attempt = this.current
    if (this.phase === 'open' && attempt && this.transport.beginClose?.(attempt)) {
      this.phase = 'closing'
      this.closeWords = words
      return true
    }
    this.endNow(words)
    return true
  }

  /**
   * The protocol above the transport failed the session (a GraphQL operation its server refused once the
   * stream was open): end it now with `error`, after a `stream-closed` by the client when a connection was open.
   */
  fail(error: AppError, words = error.message): void {
    if (this.phase === 'ended') return
    this.clearTimer()
    const attempt = this.current
    this.current = null
    if (attempt) this.transport.abort(attempt)
    if (attempt?.isOpen)
      this.emit({
        type: 'stream-closed',
        sid: this.sid,
        t: this.now(),
        by: 'client',
        reason: words,
        willRetry: false,
      })
    this.finish({ type: 'error', error })
  }

  /** The engine is letting the session go: end it now, without waiting for any closing handshake. */
  dispose(words = 'Closed by you'): void {
    if (this.phase === 'ended') return
    this.endNow(this.closeWords ?? words)
  }

  private endNow(words: string): void {
    this.clearTimer()
    const attempt = this.current
    this.current = null
    if (attempt) this.transport.abort(attempt)
    if (this.everOpened) this.closedByClient(this.now(), words, undefined)
    else this.finish({ type: 'cancelled' })
  }

  private closedByClient(t: number, reason: string, code: number | undefined): void {
    this.emit({
      type: 'stream-closed',
      sid: this.sid,
      t,
      by: 'client',
      ...(code !== undefined ? { code } : {}),
      reason,
      willRetry: false,
    })
    this.finish({ type: 'done' })
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private finish(end: Final): void {
    if (this.phase === 'ended') return
    this.phase = 'ended'
    this.current = null
    this.clearTimer()
    const t = this.now()
    const marks = this.firstOpenMarks ?? this.latest?.marks ?? { queuedAt: this.queuedAt }
    const timings = harTimings(marks, t)
    if (end.type === 'done') {
      const body = this.ctx.bodies.create('')
      body.endInMemory()
      this.emit({
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
      this.emit({ type: 'cancelled', sid: this.sid, t, timings })
    } else {
      this.emit({ type: 'error', sid: this.sid, t, ...end.error, timings })
    }
    this.transport.release?.()
    this.init.onEnd(this.sid)
  }
}
