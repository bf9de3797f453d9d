import { describe, expect, it } from 'vitest'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import { concurrencySeries, stripSpans, type StripSpans } from '../../src/renderer/timeline/concurrency'
import { addTimes, MAX_MERGED_RUN, sortedTimes, timesCount } from '../../src/renderer/timeline/sorted-times'
import type { TimelineEvent } from '../../src/shared/timeline'
import { freshHttpsExchange, queued, reusedExchange } from './event-builders'

/**
 * The concurrency strip keeps finished rows' span bounds sorted between recounts. All of them were one sorted
 * array that the newest were merged into once they were an eighth of it: during a burst onto 5,000 rows that
 * merge copied every finished row's bounds (15,000, six lists) inside one frame's task, the longest of the
 * burst's end. Held as a few runs merged no longer than MAX_MERGED_RUN, no recount copies more than a few runs'
 * worth, however many rows the timeline holds; counted, not timed.
 */

function copiedSoFar(spans: StripSpans): number {
  return Object.values(spans.ended).reduce((sum, times) => sum + times.copied, 0)
}

describe('the strip keeps its finished spans in bounded runs', () => {
  it('copies at most two runs when adding a few times to 15,000', () => {
    const s = sortedTimes()
    let most = 0
    for (let i = 0; i < 15_000; i += 30) {
      const before = s.copied
      addTimes(
        s,
        Float64Array.from({ length: 30 }, (_, k) => ((i + k) * 7919) % 15_000),
      )
      most = Math.max(most, s.copied - before)
    }
    expect(timesCount(s)).toBe(15_000)
    expect(most).toBeLessThanOrEqual(2 * MAX_MERGED_RUN)
    // And the runs stay few: a count walks each one.
    expect(s.runs.length).toBeLessThanOrEqual(16)
  })

  it('recounts every frame of a burst of 10,000 onto 5,000 rows without copying the timeline', () => {
    const spans = stripSpans()
    const first: TimelineEvent[] = []
    for (let i = 0; i < 5_000; i++)
      first.push(...(i % 3 ? reusedExchange(`a${i}`, i) : freshHttpsExchange(`a${i}`, i)))
    let t: TimelineState = applyBatch(EMPTY_TIMELINE, { events: first, dropped: 0 }, { inPlace: true })
    concurrencySeries(t, { start: 0, end: 6_000 }, 800, 6_000, spans)
    // 1,000 in flight, each 500 ms long, a batch each 16 ms frame (as the store's intake applies them).
    let now = 10_000
    let started = 0
    let finished = 0
    const startedAt: number[] = []
    let most = 0
    for (let frame = 0; frame < 2_000 && finished < 10_000; frame++) {
      now += 16
      const events: TimelineEvent[] = []
      while (started < 10_000 && started - finished < 1_000) {
        events.push(queued(`b${started}`, now), ...reusedExchange(`b${started}`, now).slice(1, 2))
        startedAt[started++] = now
      }
      while (finished < started && (startedAt[finished] as number) + 500 <= now) {
        events.push(...reusedExchange(`b${finished}`, startedAt[finished] as number).slice(2))
        finished++
      }
      t = applyBatch(t, { events, dropped: 0 }, { inPlace: true })
      const before = copiedSoFar(spans)
      concurrencySeries(t, { start: 0, end: now }, 800, now, spans)
      most = Math.max(most, copiedSoFar(spans) - before)
    }
    expect(finished).toBe(10_000)
    expect(t.order.length).toBe(15_000)
    // Six lists of bounds, each copying at most two runs in a recount; one run of all was 15,000 a list.
    expect(most).toBeLessThanOrEqual(6 * 2 * MAX_MERGED_RUN)
    expect(most).toBeLessThan(15_000)
  })
})
