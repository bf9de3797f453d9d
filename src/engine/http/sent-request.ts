import type { Socket } from 'node:net'
import type { HeaderList, RequestSentEvent, TimelineEvent } from '../../shared/timeline'
import { requestSentEvent } from './exchange-events'
import { parseSentHeaders } from './http-headers'
import { socketInfoOf, type SocketInfo } from './socket-claim'

/**
 * What one attempt of an exchange put on the wire: the connection it was written to, its header block as
 * written and how many bytes it and the body took, and a note on how it was sent (a body's framing, a resend).
 * A resend (goaway-resend.ts) starts a new one; the note is all it carries over.
 */
export class SentRequest {
  socket: Socket | undefined = undefined
  info: SocketInfo | null = null
  private headers: HeaderList = []
  private headersBytes = 0
  bodyBytes = 0
  note: string | undefined = undefined
  /** This attempt is the request's second send (`note` says why). */
  resent = false
  /** What the connection had read when this request was written to it: the answers before this one. */
  private readBefore = 0

  /** The socket undici wrote the request to and the header block as written; returns what the socket says. */
  attach(socket: Socket | undefined, rawHeaders: string): SocketInfo {
    this.socket = socket
    this.readBefore = socket?.bytesRead ?? 0
    const info = (this.info = socketInfoOf(socket))
    this.headersBytes = Buffer.byteLength(rawHeaders) + 2
    this.headers = parseSentHeaders(rawHeaders, info.protocol)
    return info
  }

  /** Whether any byte came back on the connection after this request was written to it. */
  heardBack(): boolean {
    return (this.socket?.bytesRead ?? 0) > this.readBefore
  }

  /** The request-sent event for this attempt, sent between `start` and `t`. */
  event(sid: string, start: number, t: number): RequestSentEvent {
    const e = requestSentEvent(
      sid,
      start,
      t,
      this.info,
      this.headers,
      this.headersBytes,
      this.bodyBytes,
      this.note,
    )
    if (this.resent) e.resent = true
    return e
  }
}

/** How many of an exchange's requests went a second time (a run counts them). */
export function resentCount(events: readonly TimelineEvent[]): number {
  let n = 0
  for (const e of events) if (e.type === 'request-sent' && e.resent) n++
  return n
}
