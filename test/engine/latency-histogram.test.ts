import { setFlagsFromString } from 'node:v8'
import { describe, expect, it, vi } from 'vitest'
import { LATENCY_RELATIVE_ERROR, LatencyHistogram } from '../../src/engine/runner/latency-histogram'

/**
 * The latency buckets a long run keeps (its statistics and each request's row): exact counts, sum and max, and
 * percentiles within the stated error, whatever order results reach the run's histograms in.
 */

// V8's own view of an object's layout, to check that no histogram is rebuilt when another takes its first value.
setFlagsFromString('--allow-natives-syntax')
const sameLayout = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean

const PERCENTILES = [1, 25, 50, 75, 90, 99, 100]

function filled(values: readonly number[]): LatencyHistogram {
  const h = new LatencyHistogram()
  for (const v of values) h.add(v)
  return h
}

describe('LatencyHistogram', () => {
  it('reads 0 (not -0) for the sum, max and percentiles when nothing or only zero durations were counted', () => {
    const empty = new LatencyHistogram()
    expect(Object.is(empty.sum, 0)).toBe(true)
    expect(Object.is(empty.max, 0)).toBe(true)
    expect(Object.is(empty.percentile(100), 0)).toBe(true)
    expect(JSON.stringify({ sum: empty.sum, max: empty.max })).toBe('{"sum":0,"max":0}')
    const zeros = filled([0, -0, Number.NaN])
    expect(zeros.count).toBe(3)
    expect(Object.is(zeros.sum, 0)).toBe(true)
    expect(Object.is(zeros.max, 0)).toBe(true)
    expect(Object.is(zeros.percentile(50), 0)).toBe(true)
  })

  it('keeps the sum and max exact and each percentile within the stated error', () => {
    const values = Array.from({ length: 500 }, (_, i) => 0.25 + ((i * 37) % 211) * 1.7)
    const h = filled(values)
    const sorted = [...values].sort((a, b) => a - b)
    expect(h.count).toBe(values.length)
    expect(h.sum).toBeCloseTo(
      values.reduce((s, v) => s + v, 0),
      9,
    )
    expect(h.max).toBe(sorted[sorted.length - 1])
    for (const p of PERCENTILES) {
      const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number
      expect(Math.abs(h.percentile(p) - exact)).toBeLessThanOrEqual(exact * LATENCY_RELATIVE_ERROR + 1e-12)
    }
  })

  it('gives each histogram the figures of its own durations when results reach several in turn', () => {
    // A run counts every result in its statistics and in its request's row: the same duration twice in a row,
    // then the next result's in other histograms.
    const runs = [
      [3.5, 3.5, 120, 0.002, 3.5, 47.25],
      [9.75, 0.5, 0.5, 2000, 9.75],
      [47.25, 1, 3.5],
    ]
    const together = runs.map(() => new LatencyHistogram())
    const longest = Math.max(...runs.map((r) => r.length))
    for (let i = 0; i < longest; i++)
      for (let h = 0; h < runs.length; h++) {
        const v = runs[h]?.[i]
        if (v !== undefined) together[h]?.add(v)
      }
    runs.forEach((values, h) => {
      const alone = filled(values)
      const mixed = together[h] as LatencyHistogram
      for (const p of PERCENTILES) expect(mixed.percentile(p)).toBe(alone.percentile(p))
      expect([mixed.count, mixed.sum, mixed.max, mixed.min]).toEqual([
        alone.count,
        alone.sum,
        alone.max,
        alone.min,
      ])
    })
  })

  it('reads percentiles afresh after new durations, between reads as well as before them', () => {
    const h = new LatencyHistogram()
    const seen: number[] = []
    // Read after every value: the buckets read before must not hide the ones taken since.
    for (const v of [50, 5, 500, 0.5, 5, 5000, 50, 0.05]) {
      h.add(v)
      seen.push(v)
      const alone = filled(seen)
      for (const p of PERCENTILES) expect(h.percentile(p)).toBe(alone.percentile(p))
    }
  })

  it('keeps the layout of histograms made before another counts its first fractional duration', async () => {
    // A run makes one histogram per request before any result: had the first fraction changed the layout, V8
    // would rebuild each of the others on its first use (a thousand-request run paid that a thousand times). The
    // module is loaded afresh: the cases above have counted fractions with this file's class already.
    vi.resetModules()
    const fresh = await import('../../src/engine/runner/latency-histogram')
    const waiting = new fresh.LatencyHistogram()
    const first = new fresh.LatencyHistogram()
    first.add(12.345)
    expect(sameLayout(waiting, first)).toBe(true)
    waiting.add(0.5)
    expect(sameLayout(waiting, first)).toBe(true)
  })
})
