import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import {
  MAX_LIFECYCLE_EVENTS,
  MAX_LIFECYCLE_TOTAL,
  TimelineJournal,
} from '../../src/engine/sessions/timeline-journal'
import type { TimelineEvent } from '../../src/shared/timeline'

/**
 * The journal keeps each stream session's connection attempts (open, close, retry) for the replay after a
 * reload, bounded per session and over all of them. The journal is fed events as the engine emits them (the
 * live path is tested against a real server in sse-reconnect-status.test.ts); here the bounds, at sizes no
 * test server would reach in time.
 */

const handshake = { blocked: 0, dns: -1, connect: 1, ssl: -1, send: 0, wait: 1, receive: 0, time: 2 }

function queued(sid: string, t = 0): TimelineEvent {
  return { type: 'queued', sid, t, kind: 'sse', wall: 0, method: 'GET', url: 'http://127.0.0.1/s', hop: 0 }
}

/** Attempt `n`'s events: its retry (n > 0), its open and its close. */
function attempt(sid: string, n: number): TimelineEvent[] {
  const t = n * 10
  const out: TimelineEvent[] = []
  if (n > 0)
    out.push({
      type: 'retry',
      sid,
      t,
      attempt: n,
      delayMs: 5,
      reason: 'The server ended the stream',
      lastEventId: String(n),
      seq: n,
    })
  out.push({ type: 'stream-open', sid, t: t + 5, mode: 'sse', attempt: n, status: 200, handshake })
  out.push({
    type: 'stream-closed',
    sid,
    t: t + 8,
    by: 'server',
    reason: 'The server ended the stream',
    willRetry: true,
  })
  return out
}

const attemptsIn = (events: readonly TimelineEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'stream-open' ? [e.attempt] : []))

describe('the journal keeps stream attempts for the replay', () => {
  it('replays every attempt of a session in order, before its end', () => {
    const j = new TimelineJournal()
    j.record(queued('e1'))
    for (let n = 0; n < 5; n++) for (const e of attempt('e1', n)) j.record(e)
    j.record({ type: 'sse-event', sid: 'e1', t: 45, seq: 4, dir: 'in', kind: 'event', size: 1, preview: 'x' })
    const page = j.page()
    expect(attemptsIn(page.events)).toEqual([0, 1, 2, 3, 4])
    expect(page.events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.seq)).toEqual([
      1, 2, 3, 4,
    ])
    // The latest message is still there (the lane's message count), once.
    expect(page.events.filter((e) => e.type === 'sse-event')).toHaveLength(1)
  })

  it('a session of 100,000 attempts keeps the newest, whole attempts, starting at a retry', () => {
    const j = new TimelineJournal()
    j.record(queued('e1'))
    for (let n = 0; n < 100_000; n++) for (const e of attempt('e1', n)) j.record(e)
    expect(j.lifecycleEvents).toBeLessThanOrEqual(MAX_LIFECYCLE_EVENTS * 1.5)
    const events = j.page().events.filter((e) => e.sid === 'e1')
    const lifecycle = events.filter((e) => e.type !== 'queued')
    expect(lifecycle[0]?.type).toBe('retry')
    const kept = attemptsIn(events)
    expect(kept.at(-1)).toBe(99_999)
    expect(kept.length).toBeGreaterThanOrEqual(MAX_LIFECYCLE_EVENTS / 3 - 1)
    // Consecutive: nothing in the middle went missing.
    expect(kept.every((a, i) => i === 0 || a === (kept[i - 1] ?? 0) + 1)).toBe(true)
  })

  it('over all sessions the lists stay under their bound; the oldest sessions keep their latest of each kind', () => {
    const j = new TimelineJournal()
    const sessions = Math.ceil((MAX_LIFECYCLE_TOTAL * 2) / 300)
    for (let s = 0; s < sessions; s++) {
      j.record(queued(`e${s}`, s))
      for (let n = 0; n < 100; n++) for (const e of attempt(`e${s}`, n)) j.record(e)
    }
    expect(j.lifecycleEvents).toBeLessThanOrEqual(MAX_LIFECYCLE_TOTAL)
    let events: TimelineEvent[] = []
    for (let next: number | null = 0; next !== null;) {
      const p = j.page(next)
      events = events.concat(p.events)
      next = p.next
    }
    // The oldest session: its last attempt only; the newest: all 100.
    expect(attemptsIn(events.filter((e) => e.sid === 'e0'))).toEqual([99])
    expect(attemptsIn(events.filter((e) => e.sid === `e${sessions - 1}`))).toHaveLength(100)
  })

  it('a cleared session gives its attempts back', () => {
    const j = new TimelineJournal()
    j.record(queued('e1'))
    for (let n = 0; n < 10; n++) for (const e of attempt('e1', n)) j.record(e)
    expect(j.lifecycleEvents).toBe(29)
    j.forget(['e1'])
    expect(j.lifecycleEvents).toBe(0)
    expect(j.page().events).toEqual([])
  })
})

describe('sessions past the journal’s limit', () => {
  it('an evicted session’s events are let go at once, not kept until the array is compacted', async () => {
    const j = new TimelineJournal(2000)
    // The test holds the first session's event only weakly (made and recorded in a function of its own).
    const evicted = ((): WeakRef<TimelineEvent> => {
      const first = queued('h0')
      j.record(first)
      return new WeakRef(first)
    })()
    // 600 evicted: fewer than the 1,024 the array's front is compacted at.
    for (let s = 1; s < 2600; s++) j.record(queued(`h${s}`, s))
    expect(j.size).toBe(2000)
    // A WeakRef holds its target until the current job ends: collect after it.
    await new Promise((r) => setImmediate(r))
    setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as () => void)()
    expect(evicted.deref()).toBeUndefined()
  })
})
