import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'
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
  /** The request's :authority as sent: pushes are only accepted for it. */
  authority: () => string
}

export class PushSet {
  private readonly open = new Map<string, PushedStream>()
  private accepted = 0
  private refused = 0
  /** Of the refused: promises the server may not make (another origin, an unsafe method). */
  private disallowed = 0
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
    // Closing with an error code makes the stream emit it: that is our own refusal, not a failure.
    stream.on('error', () => undefined)
    if (!this.allowed(promised)) {
      // RFC 9113 8.4: a promise for an origin the server is not authoritative for, or for a request that is not
      // safe and cacheable, is a stream error (PROTOCOL_ERROR), as browsers treat it.
      this.refused++
      this.disallowed++
      stream.close(process.getBuiltinModule('node:http2').constants.NGHTTP2_PROTOCOL_ERROR)
      return
    }
    if (refuse || this.accepted >= MAX_PUSHES_PER_REQUEST) {
      this.refused++
      stream.close(process.getBuiltinModule('node:http2').constants.NGHTTP2_REFUSED_STREAM)
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
    const { accepted, refused, disallowed } = this
    if (refused === 0) return { accepted, refused }
    const streams = (n: number): string => (n === 1 ? 'stream' : 'streams')
    const overCap = refused - disallowed
    const parts: string[] = []
    if (overCap > 0)
      parts.push(
        `${overCap} more pushed ${streams(overCap)} refused (RST_STREAM REFUSED_STREAM): at most ${MAX_PUSHES_PER_REQUEST} are accepted per request`,
      )
    if (disallowed > 0)
      parts.push(
        `${disallowed} pushed ${streams(disallowed)} refused as not allowed (RST_STREAM PROTOCOL_ERROR): promised for another origin than ${this.init.authority()}, or with a method other than GET or HEAD`,
      )
    return { accepted, refused, note: parts.join('; ') }
  }

  /** Whether the server may push this: same authority as the request, a safe method (RFC 9113 8.4). */
  private allowed(promised: IncomingHttpHeaders): boolean {
    const method = String(promised[':method'] ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD') return false
    const authority = String(promised[':authority'] ?? '').toLowerCase()
    const own = this.init.authority().toLowerCase()
    return authority === own || `${authority}:443` === own || authority === `${own}:443`
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
