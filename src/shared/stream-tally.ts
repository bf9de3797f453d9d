import type { SseEventEvent, WsMessageEvent } from './timeline'

/**
 * A stream session's message counts as they went over the wire, counted the same way by the engine (for a page
 * that connects later: the timeline replay carries them) and by the renderer's lane (from live events).
 *
 * Every stream message event is numbered by the engine in `ordinal` (the session's messages before it, kept in
 * its log or not); a tally counts the messages before `through`. A page that gets a tally and live events of
 * the same messages (a replay asked for while the stream is live) counts each message once: what the tally
 * covers is skipped when it comes live, and a tally covering no more than the lane counted is ignored.
 */
export interface StreamTally {
  sid: string
  /** Messages counted: the ordinal the session's next message gets. */
  through: number
  received: number
  sent: number
  bytesIn: number
  bytesOut: number
  /** Highest log seq among them (-1: none kept). */
  lastSeq: number
  /** Messages counted that the session's log did not keep (it was cut). */
  notKept: number
  /** GraphQL: received results that carried `errors`. */
  resultErrors: number
}

export type StreamMessage = SseEventEvent | WsMessageEvent

/** What `countMessages` adds to: a tally, or a lane's counts (whose result errors are absent until the first). */
export interface MessageCounts {
  received: number
  sent: number
  bytesIn: number
  bytesOut: number
  lastSeq: number
  notKept: number
  resultErrors?: number
}

export function emptyTally(sid: string): StreamTally {
  return {
    sid,
    through: 0,
    received: 0,
    sent: 0,
    bytesIn: 0,
    bytesOut: 0,
    lastSeq: -1,
    notKept: 0,
    resultErrors: 0,
  }
}

/** A gRPC call's half-close travels as a sent control message; it is a marker, not a message sent. */
export function isHalfClose(e: StreamMessage): boolean {
  return e.kind === 'control' && e.dir === 'out' && e.preview === 'half-close'
}

/** Messages an event stands for (the engine merges consecutive ones less than a millisecond apart). */
export function messagesIn(e: StreamMessage): number {
  return e.count ?? 1
}

/**
 * Count `n` of the event's messages (its last `n`: the others were counted already) and `size` of its bytes
 * into `into`. A half-close moves only the log position.
 */
export function countMessages(into: MessageCounts, e: StreamMessage, n = messagesIn(e), size = e.size): void {
  const total = messagesIn(e)
  if (e.seq >= 0 && e.seq + total - 1 > into.lastSeq) into.lastSeq = e.seq + total - 1
  if (isHalfClose(e)) {
    if (e.seq < 0) into.notKept++
    return
  }
  if (e.dir === 'in') {
    into.received += n
    into.bytesIn += size
  } else {
    into.sent += n
    into.bytesOut += size
  }
  if (e.seq < 0) into.notKept += n
  const errors = n === total ? (e.errors ?? 0) : Math.min(e.errors ?? 0, n)
  if (errors > 0) into.resultErrors = (into.resultErrors ?? 0) + errors
}
