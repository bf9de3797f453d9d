import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange } from './event-builders'

/**
 * A burst brings tens of thousands of events, each applied as a new row object. The reducer copied the row twice
 * per event (the common fields, then the event's own): twice the garbage, and young-generation collections ran
 * inside the page's batch tasks during a 10,000-request burst. Counted by collections, which a loaded machine
 * does not change: 20,000 exchanges (160,000 events) in 1,000-event batches made 10-11 young-generation
 * collections before, 3-4 now (Node 20's default young generation).
 */

const young = (e: PerformanceEntry): boolean =>
  (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
  constants.NODE_PERFORMANCE_GC_MINOR

describe('timeline intake of a burst', () => {
  it('applies 160,000 events leaving about one row copy each for the collector', async () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 20_000; i++) events.push(...freshHttpsExchange(`s${i}`, i))
    const batches: TimelineEvent[][] = []
    for (let i = 0; i < events.length; i += 1_000) batches.push(events.slice(i, i + 1_000))
    let collections = 0
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (young(e)) collections++
    })
    observer.observe({ entryTypes: ['gc'] })
    const counts: number[] = []
    try {
      for (let round = 0; round < 3; round++) {
        // GC entries are delivered asynchronously: let the last round's arrive before counting this one.
        await new Promise((r) => setTimeout(r, 20))
        collections = 0
        let t = EMPTY_TIMELINE
        // In place, as the store applies them: the batches' own work, not a copy of the row container.
        for (const batch of batches) t = applyBatch(t, { events: batch, dropped: 0 }, { inPlace: true })
        await new Promise((r) => setTimeout(r, 20))
        counts.push(collections)
        expect(t.order).toHaveLength(20_000)
        expect(t.inFlight).toBe(0)
        expect(t.rows['s19999']?.status).toBe(200)
      }
    } finally {
      observer.disconnect()
    }
    expect(
      Math.min(...counts),
      `young-generation collections per round: ${counts.join(', ')}`,
    ).toBeLessThanOrEqual(6)
  })
})
