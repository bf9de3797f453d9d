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
import type { SessionRow } from '../../src/renderer/timeline/session-row'
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

/**
 * The strip's count, one row at a time: each row's spans (queued, then on the wire; in flight until `now` or its
 * last event) marked in the buckets they touch. What the kept spans must always equal.
 */
function countEachRow(
  t: TimelineState,
  window: { start: number; end: number },
  buckets: number,
  now: number,
) {
  const n = buckets
  const span = Math.max(window.end - window.start, 1e-6)
  const bucketOf = (x: number): number => Math.floor(((x - window.start) / span) * n)
  const active = new Array<number>(n).fill(0)
  const queuedCount = new Array<number>(n).fill(0)
  const mark = (to: number[], from: number, end: number, endsBefore = false): void => {
    if (end < window.start || from > window.end) return
    const a = Math.max(0, bucketOf(from))
    const b = Math.min(n - 1, bucketOf(end) - (endsBefore ? 1 : 0))
    for (let i = a; i <= b; i++) to[i] = (to[i] as number) + 1
  }
  for (const sid of t.order) {
    const row = t.rows[sid]
    if (!row) continue
    const wire = row.dns?.start ?? row.connect?.start ?? row.tls?.start ?? row.sent?.start
    const end = row.end ?? Math.max(now, row.lastT)
    if (wire === undefined) mark(queuedCount, row.queued.t, end)
    else {
      if (wire > row.queued.t) mark(queuedCount, row.queued.t, wire, true)
      mark(active, wire, end)
    }
  }
  const peak = Math.max(0, ...active.map((a, i) => a + (queuedCount[i] as number)))
  return { active, queued: queuedCount, peak }
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

  it('counts finished and running rows as a count of each row does, in windows before, over, inside and after them', () => {
    const events: TimelineEvent[] = []
    // Finished rows of every shape (a new connection, a reused one, queued a while first), then rows in flight.
    for (let i = 0; i < 3_000; i++) {
      const at = (i * 7) % 2_000
      const exchange = i % 3 === 0 ? reusedExchange(`d${i}`, at) : freshHttpsExchange(`d${i}`, at)
      if (i % 5 === 0) exchange[0] = queued(`d${i}`, at - 40)
      events.push(...exchange)
    }
    for (let i = 0; i < 200; i++) events.push(...freshHttpsExchange(`f${i}`, 2_000 + i).slice(0, 1 + (i % 4)))
    const spans = stripSpans()
    let t = applyBatch(EMPTY_TIMELINE, { events: events.slice(0, 5_000), dropped: 0 }, { inPlace: true })
    const windows = [
      { start: -500, end: 3_000 },
      { start: 0, end: 2_300 },
      { start: 100.5, end: 101.25 },
      { start: 1_000, end: 1_333.3 },
      { start: 2_250, end: 9_000 },
      { start: -900, end: -100 },
    ]
    for (let step = 5_000; step <= events.length + 5_000; step += 5_000) {
      for (const w of windows)
        for (const buckets of [1, 7, 300]) {
          const kept = concurrencySeries(t, w, buckets, 2_400, spans)
          const counted = {
            active: Array.from(kept.active),
            queued: Array.from(kept.queued),
            peak: kept.peak,
          }
          expect(counted, `window ${w.start}..${w.end}, ${buckets} buckets`).toEqual(
            countEachRow(t, w, buckets, 2_400),
          )
        }
      t = applyBatch(t, { events: events.slice(step, step + 5_000), dropped: 0 }, { inPlace: true })
    }
  })

  it('recounts 15,000 finished rows with 100 in flight for a fraction of one pass over their spans', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 15_000; i++)
      events.push(...(i % 3 === 0 ? reusedExchange(`d${i}`, i) : freshHttpsExchange(`d${i}`, i)))
    for (let i = 0; i < 100; i++) events.push(queued(`q${i}`, 15_000 + i))
    let t = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }, { inPlace: true })
    const spans = stripSpans()
    concurrencySeries(t, { start: 0, end: 17_000 }, 300, 17_000, spans)
    // One pass over every row's spans held in arrays, as a count that visits each row makes at least: its
    // wait before the wire and its time on the wire marked where they start and end.
    const rowsOf = t.order.map((sid) => t.rows[sid] as SessionRow)
    const queuedAt = Float64Array.from(rowsOf, (r) => r.queued.t)
    const wireAt = Float64Array.from(rowsOf, (r) => r.connect?.start ?? r.sent?.start ?? NaN)
    const endAt = Float64Array.from(rowsOf, (r) => r.end ?? NaN)
    let pass = 0
    let recount = 0
    for (let k = 0; k < 200; k++) {
      // The window follows the clock; every tenth count a request in flight ends.
      const window = { start: k, end: 17_000 + k }
      if (k % 10 === 0) {
        const sid = `q${k / 10}`
        t = applyBatch(t, { events: freshHttpsExchange(sid, 15_000).slice(1), dropped: 0 }, { inPlace: true })
      }
      // The first counts compile the code: not measured.
      const warm = k >= 20 ? 1 : 0
      recount += warm * cpuMs(() => concurrencySeries(t, window, 300, 17_000 + k, spans))
      pass +=
        warm *
        cpuMs(() => {
          const dActive = new Int32Array(301)
          const dQueued = new Int32Array(301)
          const span = window.end - window.start
          const bucketOf = (x: number): number => Math.floor(((x - window.start) / span) * 300)
          const mark = (d: Int32Array, from: number, to: number, endsBefore: boolean): void => {
            if (to < window.start || from > window.end) return
            const a = Math.max(0, bucketOf(from))
            const b = Math.min(299, bucketOf(to) - (endsBefore ? 1 : 0))
            if (b < a) return
            d[a] = (d[a] as number) + 1
            d[b + 1] = (d[b + 1] as number) - 1
          }
          for (let i = 0; i < queuedAt.length; i++) {
            const q = queuedAt[i] as number
            const ended = endAt[i] as number
            const end = Number.isNaN(ended) ? 17_000 + k : ended
            const wire = wireAt[i] as number
            if (Number.isNaN(wire)) mark(dQueued, q, end, false)
            else {
              if (wire > q) mark(dQueued, q, wire, true)
              mark(dActive, wire, end, false)
            }
          }
        })
    }
    expect(series(t, 17_000, spans)).toEqual(series(t, 17_000))
    // Measured at ~0.2-0.3 of a pass (~0.1 ms against ~0.4 ms a count, 300 columns, vitest on 2 busy cores); a
    // count that visits every row costs a pass or more.
    expect(recount, `200 recounts ${recount} ms of CPU against 200 passes ${pass} ms`).toBeLessThan(pass / 2)
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
