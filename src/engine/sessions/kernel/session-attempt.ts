import type { StreamDirection, StreamMessageKind, TimelineEvent } from '../../../shared/timeline'
import type { ExchangeMarks } from '../../http/timings'
import type { StreamLog } from '../../streams/stream-log'
import type { NamedMessage, TickExtra } from './message-ticks'
import type { EndedReport, OpenedReport } from './session-transport'

/** What an attempt reports to: the kernel (session-kernel.ts). */
export interface AttemptOwner {
  readonly log: StreamLog
  now(): number
  isCurrent(attempt: SessionAttempt): boolean
  emit(event: TimelineEvent): void
  opened(attempt: SessionAttempt, report: OpenedReport): void
  record(
    dir: StreamDirection,
    kind: StreamMessageKind,
    data: Buffer | string,
    t: number,
    code?: number,
    named?: NamedMessage,
  ): number
  tick(
    t: number,
    seq: number,
    dir: StreamDirection,
    kind: StreamMessageKind,
    size: number,
    preview: string,
    extra?: TickExtra,
  ): void
  attemptEnded(attempt: SessionAttempt, report: EndedReport): void
}

/**
 * One connection attempt of a session, as its transport sees it: the handle it reports through. Everything
 * reported on an attempt the kernel has let go of (closed, superseded by a reconnect) is ignored.
 */
export class SessionAttempt {
  /** Messages the attempt delivered (in): an SSE attempt that delivered none counts as a failure. */
  delivered = 0
  /** The connection is open (reported `opened`). */
  isOpen = false
  /**
   * The attempt's handshake instants, when its transport measures them into this object (WebSocket does): a
   * session that never opened ends with the latest attempt's timings. Null: it ends with its queue time only.
   */
  marks: ExchangeMarks | null = null

  constructor(
    private readonly owner: AttemptOwner,
    /** 0 for the first connection, then 1, 2, … */
    readonly index: number,
    /** When the attempt was queued on the engine clock: the session's `queued` for the first one. */
    readonly queuedAt: number,
  ) {}

  get first(): boolean {
    return this.index === 0
  }

  /** Still the session's attempt: reports count. */
  get current(): boolean {
    return this.owner.isCurrent(this)
  }

  /** The session's message log (a decoder may record into it directly, then `tick`). */
  get log(): StreamLog {
    return this.owner.log
  }

  /**
   * A handshake phase (dns, connect, tls, request-sent, response-headers). Only the first connection reports
   * them as events, so a lane starts like any request; reconnects are summed up in their `stream-open`. The
   * event is built only when it is told.
   */
  phase(build: () => TimelineEvent | null): void {
    if (this.index !== 0 || !this.owner.isCurrent(this)) return
    const e = build()
    if (e) this.owner.emit(e)
  }

  opened(report: OpenedReport): void {
    if (!this.owner.isCurrent(this)) return
    this.isOpen = true
    this.owner.opened(this, report)
  }

  /**
   * One message: a log entry and a tick. `data` as text is written to the log as UTF-8 without a copy of its
   * own. Returns its seq (-1 when the log is full, or the attempt is no longer the session's).
   */
  record(
    dir: StreamDirection,
    kind: StreamMessageKind,
    data: Buffer | string,
    t = this.owner.now(),
    code?: number,
    named?: NamedMessage,
  ): number {
    if (!this.owner.isCurrent(this)) return -1
    if (dir === 'in') this.delivered++
    return this.owner.record(dir, kind, data, t, code, named)
  }

  /** A tick for `count` messages the transport recorded in the log itself (seq .. seq + count - 1). */
  tick(
    t: number,
    seq: number,
    kind: StreamMessageKind,
    size: number,
    preview: string,
    extra: TickExtra = {},
  ): void {
    if (!this.owner.isCurrent(this)) return
    this.delivered += extra.count ?? 1
    this.owner.tick(t, seq, 'in', kind, size, preview, extra)
  }

  /** The attempt is over: the kernel reconnects or ends the session. Told once; later reports are ignored. */
  ended(report: EndedReport): void {
    this.owner.attemptEnded(this, report)
  }
}
