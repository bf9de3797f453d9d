/** Latency percentiles, a histogram and throughput over time for a run's results. */

export interface RunStats {
  total: number
  passed: number
  failed: number
  /** Results that ended in a network error rather than a response. */
  errors: number
  latency: { p50: number; p90: number; p99: number; max: number; mean: number }
  histogram: { upToMs: number; count: number }[]
  /** Results finished in each whole second since the run started. */
  throughput: { second: number; count: number }[]
  requestsPerSecond: number
}

/** Upper bounds of the histogram's buckets, in ms; the last catches everything slower. */
export const HISTOGRAM_BOUNDS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1000,
  2000,
  5000,
  10_000,
  Number.POSITIVE_INFINITY,
]

export function computeStats(
  results: readonly { timeMs: number; passed: boolean; error: unknown; endedAt: number }[],
  startedAt: number,
  durationMs: number,
): RunStats {
  const times = results.map((r) => r.timeMs).sort((a, b) => a - b)
  const histogram = HISTOGRAM_BOUNDS.map((upToMs) => ({ upToMs, count: 0 }))
  for (const t of times) {
    const bucket = histogram.find((b) => t <= b.upToMs)
    if (bucket) bucket.count++
  }
  const perSecond = new Map<number, number>()
  for (const r of results) {
    const s = Math.max(0, Math.floor((r.endedAt - startedAt) / 1000))
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1)
  }
  const lastSecond = Math.max(0, Math.floor(durationMs / 1000))
  const throughput = Array.from({ length: lastSecond + 1 }, (_, second) => ({
    second,
    count: perSecond.get(second) ?? 0,
  }))
  const sum = times.reduce((a, b) => a + b, 0)
  return {
    total: results.length,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    errors: results.filter((r) => r.error !== undefined).length,
    latency: {
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      p99: percentile(times, 99),
      max: times[times.length - 1] ?? 0,
      mean: times.length ? round(sum / times.length) : 0,
    },
    histogram: histogram.filter((b) => Number.isFinite(b.upToMs) || b.count > 0),
    throughput,
    requestsPerSecond: durationMs > 0 ? round((results.length / durationMs) * 1000) : 0,
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return round(sorted[rank - 1] ?? 0)
}

const round = (x: number): number => Math.round(x * 1000) / 1000
