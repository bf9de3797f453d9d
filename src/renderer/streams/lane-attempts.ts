import type { HarTimings, TimelineEvent } from '../../shared/timeline'

/**
 * A stream session's connection attempts, as the lane learns them from `stream-open`, `stream-closed` and
 * `retry` events: the Handshake tab lists them and the message log puts a separator where each reconnect's
 * messages start. The engine may reconnect 100,000 times, so a lane keeps the newest MAX_ATTEMPTS_KEPT; the
 * attempts carry their numbers, so the ones not kept are counted from the first kept one's (`olderAttempts`).
 *
 * Applying an event twice changes nothing (after a reload, the timeline replay can repeat events a live batch
 * already brought): attempts are known by their number, a close applies to an attempt not yet ended.
 */

export const MAX_ATTEMPTS_KEPT = 200

export interface AttemptEnd {
  t: number
  /** Who ended it: the server, the network, the person, or a failure before it opened. */
  by: 'client' | 'server' | 'network' | 'failed'
  reason: string
}

export interface StreamAttempt {
  /** 0 for the first connection, then 1, 2, ... */
  n: number
  /** Engine ms when it was scheduled (a reconnect's retry) or opened (the first connection). */
  at: number
  openedAt: number | null
  status: number | null
  handshake: HarTimings | null
  /** What `stream-open` said about how the response is read, when it said something. */
  note: string | null
  /** SSE: the Last-Event-ID a reconnect sent (the first connection's is in its request headers). */
  lastEventId: string | null
  /** How long the engine waited before this reconnect, and why the previous connection ended. */
  delayMs: number | null
  after: string | null
  /** The log seq its first message got (or will get): where its separator goes in the message log. */
  firstSeq: number
  ended: AttemptEnd | null
}

/** Attempts made before the first one kept (0 when all are kept). */
export function olderAttempts(attempts: readonly StreamAttempt[]): number {
  return attempts[0]?.n ?? 0
}

/** Where attempt `n` is in the list (searched from the newest, where events land), or -1. */
function indexOf(attempts: readonly StreamAttempt[], n: number): number {
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]
    if (!a || a.n < n) return -1
    if (a.n === n) return i
  }
  return -1
}

/**
 * Apply one lifecycle event (or a session's end) to `list`, which the caller owns (a copy made for the batch).
 * `nextSeq`: the seq the next message would get, for a retry from an engine that does not say it.
 */
export function applyAttemptEvent(list: StreamAttempt[], e: TimelineEvent, nextSeq: number): void {
  switch (e.type) {
    case 'retry': {
      if (indexOf(list, e.attempt) >= 0) return
      const last = list.at(-1)
      if (last && last.n > e.attempt) return
      // The connection before it ended (a reconnect that failed before it opened has no close event).
      if (last && !last.ended)
        replace(list, list.length - 1, { ended: { t: e.t, by: 'failed', reason: e.reason } })
      if (!last && e.attempt === 1)
        list.push(blank(0, e.t, e.seq ?? nextSeq, { ended: { t: e.t, by: 'failed', reason: e.reason } }))
      list.push(
        blank(e.attempt, e.t, e.seq ?? nextSeq, {
          delayMs: e.delayMs,
          after: e.reason,
          lastEventId: e.lastEventId ?? null,
        }),
      )
      break
    }
    case 'stream-open': {
      const at = indexOf(list, e.attempt)
      const opened = {
        openedAt: e.t,
        status: e.status,
        handshake: e.handshake,
        note: e.note ?? null,
      }
      if (at >= 0) {
        if (list[at]?.openedAt === null) replace(list, at, opened)
        return
      }
      const last = list.at(-1)
      if (last && last.n > e.attempt) return
      list.push({ ...blank(e.attempt, e.t, e.attempt === 0 ? 0 : nextSeq), ...opened })
      break
    }
    case 'stream-closed': {
      const last = list.at(-1)
      if (!last || last.ended) return
      // A close from before the newest attempt began is an earlier one's, brought again by a replay; so is one at
      // the very time a reconnect began (`after` set), since the engine stamps a close and the retry it schedules
      // with one clock read.
      const earlier = last.after !== null ? e.t <= last.at : e.t < last.at
      if (!earlier) replace(list, list.length - 1, { ended: { t: e.t, by: e.by, reason: e.reason } })
      return
    }
    case 'error':
    case 'cancelled': {
      // A reconnect that failed for good, or one the person stopped while it was waiting.
      const last = list.at(-1)
      if (!last || last.ended) return
      const reason = e.type === 'error' ? e.message : 'Stopped by you'
      replace(list, list.length - 1, {
        ended: { t: e.t, by: e.type === 'error' ? 'failed' : 'client', reason },
      })
      return
    }
    default:
      return
  }
  // Trimmed in steps, so a long reconnect loop costs O(1) an attempt.
  if (list.length > MAX_ATTEMPTS_KEPT * 1.25) list.splice(0, list.length - MAX_ATTEMPTS_KEPT)
}

function blank(n: number, at: number, firstSeq: number, extra: Partial<StreamAttempt> = {}): StreamAttempt {
  return {
    n,
    at,
    openedAt: null,
    status: null,
    handshake: null,
    note: null,
    lastEventId: null,
    delayMs: null,
    after: null,
    firstSeq,
    ended: null,
    ...extra,
  }
}

function replace(list: StreamAttempt[], i: number, patch: Partial<StreamAttempt>): void {
  const a = list[i]
  if (a) list[i] = { ...a, ...patch }
}
