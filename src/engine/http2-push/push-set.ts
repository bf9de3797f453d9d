import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2'
import type { RequestOptions } from '../../shared/request'
import type { PushCount, TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'
import type { BodyStore } from '../http/body-store'
import { EngineError } from '../http/errors'
import type { ExchangeOwner } from '../http/exchange'
import type { H2Connection } from './h2-connection'
import { PushedStream } from './pushed-stream'

/**
 * The streams one request's server pushed: which are accepted (the first MAX_PUSHES_PER_REQUEST; later promises
 * are refused with RST_STREAM REFUSED_STREAM and counted), the open ones the user may cancel, and the bounded
 * wait for them once the request itself has ended (PUSH_WAIT_AFTER_PARENT_MS, then those still open are
 * stopped, each saying so).
 */

export const MAX_PUSHES_PER_REQUEST = 32
export const PUSH_WAIT_AFTER_PARENT_MS = 10_000

/** What the engine does for a push hop besides what it does for any exchange. */
export interface PushOwner extends ExchangeOwner {
  newPushSid(): string
  /** A pushed stream's event: on the timeline and in the request's events, never settling the request. */
  pushEvent(context: unknown, event: TimelineEvent): void
  /** A pushed stream the user may cancel by its sid, until it has ended. */
  pushOpened(sid: string, push: PushedStream): void
  pushClosed(sid: string): void
}

export interface PushSetInit {
  parentSid: string
  owner: PushOwner
  context: unknown
  options: RequestOptions
  clock: Clock
  bodies: BodyStore
}

export class PushSet {
  private readonly open = new Map<string, PushedStream>()
  private accepted = 0
  private refused = 0
  private drained: (() => void) | null = null
  private deadline: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly init: PushSetInit) {}

  /** A PUSH_PROMISE arrived: a child session, or refused (past the cap, or its request is gone). */
  promise(
    stream: ClientHttp2Stream,
    promised: IncomingHttpHeaders,
    conn: H2Connection | null,
    refuse: boolean,
  ): void {
    if (refuse || this.accepted >= MAX_PUSHES_PER_REQUEST) {
      this.refused++
      // Closing with an error code makes the stream emit it: that is our own refusal, not a failure.
      stream.on('error', () => undefined)
      stream.close(constants.NGHTTP2_REFUSED_STREAM)
      return
    }
    this.accepted++
    const { owner, context } = this.init
    const push = new PushedStream({
      sid: owner.newPushSid(),
      parentSid: this.init.parentSid,
      stream,
      promised,
      options: this.init.options,
      clock: this.init.clock,
      bodies: this.init.bodies,
      connectionId: conn?.timing.id ?? 0,
      remoteAddress: conn?.timing.remoteAddress ?? '',
      remotePort: conn?.timing.remotePort ?? 0,
      emit: (e) => owner.pushEvent(context, e),
      ended: (sid) => this.ended(sid),
    })
    if (push.finished) return
    this.open.set(push.sid, push)
    owner.pushOpened(push.sid, push)
  }

  /** For the request's `done`: how many were accepted and refused, and why, in plain words. */
  count(): PushCount {
    const { accepted, refused } = this
    if (refused === 0) return { accepted, refused }
    return {
      accepted,
      refused,
      note: `${refused} more pushed ${refused === 1 ? 'stream' : 'streams'} refused (RST_STREAM REFUSED_STREAM): at most ${MAX_PUSHES_PER_REQUEST} are accepted per request`,
    }
  }

  cancelAll(): void {
    for (const push of [...this.open.values()]) push.cancel()
  }

  stopAll(error: EngineError): void {
    for (const push of [...this.open.values()]) push.stop(error)
  }

  /** The request has ended: `done` runs once every open push has too, or they were stopped after the wait. */
  drain(done: () => void): void {
    if (this.open.size === 0) {
      done()
      return
    }
    this.drained = done
    const waitMs = PUSH_WAIT_AFTER_PARENT_MS
    this.deadline = setTimeout(() => {
      this.deadline = null
      this.stopAll(
        new EngineError(
          'timeout_total',
          `The pushed stream had not ended ${waitMs / 1000} s after its request ended: stopped (RST_STREAM)`,
        ),
      )
    }, waitMs)
  }

  private ended(sid: string): void {
    if (!this.open.delete(sid)) return
    this.init.owner.pushClosed(sid)
    if (this.open.size > 0 || !this.drained) return
    if (this.deadline) clearTimeout(this.deadline)
    this.deadline = null
    const done = this.drained
    this.drained = null
    done()
  }
}
