import { describe, expect, it } from 'vitest'
import {
  applyBatch,
  clearFinished,
  EMPTY_TIMELINE,
  trimOldest,
  type TimelineState,
} from '../../src/renderer/timeline/apply-batch'
import { concurrencySeries, stripSpans } from '../../src/renderer/timeline/concurrency'
import { MAX_NOTED_STEPS } from '../../src/renderer/timeline/timeline-changes'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange, queued, reusedExchange } from './event-builders'

/**
 * The concurrency strip above the waterfall is recounted several times a second while requests are in flight.
 * It keeps the rows' spans between counts (a finished row's never change), so a recount on a big timeline
 * costs its rows in flight, not every row: before, reading 15,000 rows from the store was the longest part of
 * the longest frames of a 10,000-request burst.
 */

function cpuMs(run: () => void): number {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

const series = (t: TimelineState, now: number, spans?: ReturnType<typeof stripSpans>) => {
  const s = concurrencySeries(t, { start: 0, end: now }, 200, now, spans)
  return { active: Array.from(s.active), queued: Array.from(s.queued), peak: s.peak }
}

describe('concurrency strip, recounted', () => {
  it('shows what a fresh count shows as rows queue, go on the wire, finish, move and go', () => {
    const spans = stripSpans()
    let t = EMPTY_TIMELINE
    let now = 0
    const check = (): void => expect(series(t, now, spans)).toEqual(series(t, now))
    for (let round = 0; round < 12; round++) {
      const base = round * 100
      now = base + 100
      // Forty queued at once, half of which get going and finish this round; the rest wait for the next.
      const events: TimelineEvent[] = []
      for (let i = 0; i < 40; i++) events.push(queued(`r${round}-${i}`, base + i))
      t = applyBatch(t, { events, dropped: 0 })
      check()
      const progress: TimelineEvent[] = []
      for (let i = 0; i < 20; i++) progress.push(...freshHttpsExchange(`r${round}-${i}`, base + i).slice(1))
      if (round > 0)
        for (let i = 20; i < 40; i++)
          progress.push(...reusedExchange(`r${round - 1}-${i}`, base + i).slice(1))
      t = applyBatch(t, { events: progress, dropped: 0 })
      check()
      // The oldest let go in steps (the store's trim), and a clear keeping the rows in flight.
      if (round % 4 === 3) {
        t = trimOldest(t, new Set(), 200, 50)
        check()
      }
      if (round === 9) {
        t = clearFinished(t)
        check()
      }
      // The same rows under a moved window and another width.
      expect(Array.from(concurrencySeries(t, { start: base, end: now }, 37, now, spans).active)).toEqual(
        Array.from(concurrencySeries(t, { start: base, end: now }, 37, now).active),
      )
    }
    expect(t.order.length).toBeGreaterThan(0)
  })

  it('recounts a 15,000-row timeline with 1,000 in flight for a fraction of a fresh count', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 15_000; i++)
      events.push(...(i % 3 === 0 ? reusedExchange(`d${i}`, i) : freshHttpsExchange(`d${i}`, i)))
    for (let i = 0; i < 1_000; i++) events.push(queued(`q${i}`, 15_000 + i))
    // In place, as the store applies batches: a batch costs its events, so the recount is what is measured.
    let t = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }, { inPlace: true })
    const window = { start: 0, end: 17_000 }
    const spans = stripSpans()
    concurrencySeries(t, window, 600, 17_000, spans)
    const fresh = cpuMs(() => {
      for (let k = 0; k < 40; k++) concurrencySeries(t, window, 600, 17_000)
    })
    // Only the recounts are timed: the batch applied between them is the store's cost, not the strip's.
    let recount = 0
    for (let k = 0; k < 40; k++) {
      // A batch between counts, as a burst brings them: one queued request goes on the wire and ends.
      const sid = `q${k}`
      t = applyBatch(
        t,
        { events: freshHttpsExchange(sid, 15_000 + k).slice(1), dropped: 0 },
        { inPlace: true },
      )
      recount += cpuMs(() => concurrencySeries(t, window, 600, 17_000, spans))
    }
    expect(series(t, 17_000, spans)).toEqual(series(t, 17_000))
    // A recount visits the rows still in flight (1,000 of 16,000 here) and the columns they touch: measured at
    // 0.2-0.3 of a fresh count (~0.75 ms against ~2.8 ms, vitest, 2 cores). A recount that counted every row
    // again costs a fresh count or more, so half of one tells the two apart with room for a busy machine.
    expect(recount, `40 recounts ${recount} ms of CPU against 40 fresh counts ${fresh} ms`).toBeLessThan(
      fresh / 2,
    )
  })

  it('recounts a few batches behind, across pushed streams, lane polls and a clear, as a fresh count does', () => {
    // The strip is recounted every 120 ms while batches come every frame: it reads several batches at once.
    const spans = stripSpans()
    let t = EMPTY_TIMELINE
    const check = (now: number): void => expect(series(t, now, spans)).toEqual(series(t, now))
    for (let round = 0; round < 8; round++) {
      const base = round * 100
      for (let i = 0; i < 30; i++) {
        const sid = `r${round}-${i}`
        // Queued in one batch, the rest of the exchange in the next (the previous round's rows ending too).
        t = applyBatch(t, { events: [queued(sid, base + i)], dropped: 0 }, { inPlace: true })
        const rest = freshHttpsExchange(sid, base + i).slice(1, i % 2 === 0 ? 3 : undefined)
        if (round > 0 && i % 2 === 0) rest.push(...freshHttpsExchange(`r${round - 1}-${i}`, base).slice(3))
        t = applyBatch(t, { events: rest, dropped: 0 }, { inPlace: true })
        if (i % 7 === 0) check(base + 100)
      }
      // A stream the server pushed is listed under its request (rows move down), then a poll on a lane.
      t = applyBatch(
        t,
        {
          events: [
            queued(`p${round}`, base + 50, { promised: [[':path', '/p']], initiator: `r${round}-1` }),
            queued(`poll${round}`, base + 60, { lane: `r${round}-3` }),
            ...freshHttpsExchange(`poll${round}`, base + 60).slice(1),
          ],
          dropped: 0,
        },
        { inPlace: true },
      )
      check(base + 100)
      if (round === 5) {
        t = clearFinished(t)
        check(base + 100)
      }
    }
  })

  it('recounts as a fresh count does when further behind than the batches noted (a page that painted nothing)', () => {
    const spans = stripSpans()
    let t = EMPTY_TIMELINE
    for (let i = 0; i < 50; i++)
      t = applyBatch(t, { events: [queued(`h${i}`, i)], dropped: 0 }, { inPlace: true })
    expect(series(t, 3_000, spans)).toEqual(series(t, 3_000))
    // More batches than MAX_NOTED_STEPS, one event each: the first rows' ends are no longer noted.
    for (let k = 0; k <= MAX_NOTED_STEPS; k++) {
      const sid = `h${k % 50}`
      const events = k < 50 ? freshHttpsExchange(sid, k).slice(1) : [queued(`late${k}`, 100 + k)]
      t = applyBatch(t, { events, dropped: 0 }, { inPlace: true })
    }
    expect(series(t, 3_000, spans)).toEqual(series(t, 3_000))
  })

  it('after a batch, looks up the rows it wrote and listed, not every row in flight', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 2_000; i++) events.push(...freshHttpsExchange(`d${i}`, i))
    for (let i = 0; i < 1_000; i++) events.push(queued(`q${i}`, 2_000 + i))
    const applied = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 })
    // The rows in flight count their reads; a batch's new rows are plain objects, as the store's are.
    let reads = 0
    const rows = Object.fromEntries(
      Object.entries(applied.rows).map(([sid, row]) => [
        sid,
        row.end !== null
          ? row
          : new Proxy(row, {
              get(target, key, receiver) {
                reads++
                return Reflect.get(target, key, receiver) as unknown
              },
            }),
      ]),
    )
    let t: TimelineState = { ...applied, rows }
    const spans = stripSpans()
    const window = { start: 0, end: 4_000 }
    concurrencySeries(t, window, 300, 3_500, spans)
    expect(reads).toBeGreaterThanOrEqual(1_000)
    // Three batches before the next recount: two requests go on the wire and end, three more are queued.
    t = applyBatch(t, { events: freshHttpsExchange('q0', 2_000).slice(1), dropped: 0 })
    t = applyBatch(t, { events: [queued('n0', 3_000), queued('n1', 3_001)], dropped: 0 })
    t = applyBatch(t, {
      events: [...freshHttpsExchange('q1', 2_001).slice(1), queued('n2', 3_002)],
      dropped: 0,
    })
    reads = 0
    concurrencySeries(t, window, 300, 3_600, spans)
    // q0 and q1 were read (their first events read the proxies); the other 998 rows in flight were not.
    expect(reads, 'reads of rows in flight the batches did not write').toBe(0)
    expect(series(t, 3_600, spans)).toEqual(series(t, 3_600))
  })

  it('recounts frames between two batches without looking rows up in the store again', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 2_000; i++) events.push(...freshHttpsExchange(`d${i}`, i))
    for (let i = 0; i < 1_000; i++) events.push(queued(`q${i}`, 2_000 + i))
    const applied = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 })
    let lookups = 0
    const rows = new Proxy(applied.rows, {
      get(target, key, receiver) {
        lookups++
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    const t: TimelineState = { ...applied, rows }
    const spans = stripSpans()
    const window = { start: 0, end: 4_000 }
    concurrencySeries(t, window, 300, 3_500, spans)
    expect(lookups).toBeGreaterThanOrEqual(3_000)
    // Frames go on (the clock moves the rows in flight along) but no batch came: the same state is recounted.
    const before = lookups
    for (let frame = 0; frame < 10; frame++) concurrencySeries(t, window, 300, 3_500 + frame * 40, spans)
    expect(lookups - before, 'store lookups over ten frames of one state').toBe(0)
    expect(series(t, 3_900, spans)).toEqual(series(t, 3_900))
    // The next batch is a new state: its changed rows are read.
    const next = applyBatch(t, { events: freshHttpsExchange('q0', 2_000).slice(1), dropped: 0 })
    expect(series(next, 3_900, spans)).toEqual(series(next, 3_900))
  })
})
