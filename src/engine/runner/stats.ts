import type { ServerTimingEntry } from '../../shared/server-timing'

/** Latency percentiles, a histogram and throughput over time for a run's results. */

/** Percentiles of one Server-Timing name's durations across a run's responses that reported it. */
export interface ServerTimingStats {
  name: string
  /** Responses that gave this name a duration. */
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Distinct Server-Timing names a run keeps percentiles for; the rest are counted in the note. */
export const MAX_RUN_SERVER_TIMING_NAMES = 32

export interface RunStats {
  total: number
  passed: number
  failed: number
  /** Results that ended in a network error rather than a response. */
  errors: number
  /** Results that got a response: the only ones latency, the histogram and requestsPerSecond count. */
  responses: number
  latency: { p50: number; p90: number; p99: number; max: number; mean: number }
  histogram: { upToMs: number; count: number }[]
  /** Results finished in each whole second since the run started. */
  throughput: { second: number; count: number }[]
  /** Responses a second (a request never sent, or never answered, has no latency to count). */
  requestsPerSecond: number
  /** Per Server-Timing name, in the order first seen; absent when no response carried a duration. */
  serverTiming?: ServerTimingStats[]
  /** Names left out past MAX_RUN_SERVER_TIMING_NAMES, in plain words. */
  serverTimingNote?: string
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

/**
 * Whether a step's request was answered: only those have a latency. One that was never sent (a refused port, an
 * unknown variable, a dependency that got nothing) or never answered ends in a few ms or at its timeout, and
 * counted in the percentiles it read as a fast (p50 0.0 ms) or slow server.
 */
export function gotResponse(r: { status?: number | undefined }): boolean {
  return r.status !== undefined
}

export function computeStats(
  results: readonly {
    status?: number | undefined
    timeMs: number
    passed: boolean
    error: unknown
    endedAt: number
    serverTiming?: readonly ServerTimingEntry[] | undefined
  }[],
  startedAt: number,
  durationMs: number,
): RunStats {
  const times = results
    .filter(gotResponse)
    .map((r) => r.timeMs)
    .sort((a, b) => a - b)
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
  const stats: RunStats = {
    total: results.length,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    errors: results.filter((r) => r.error !== undefined).length,
    responses: times.length,
    latency: {
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      p99: percentile(times, 99),
      max: times[times.length - 1] ?? 0,
      mean: times.length ? round(sum / times.length) : 0,
    },
    histogram: histogram.filter((b) => Number.isFinite(b.upToMs) || b.count > 0),
    throughput,
    requestsPerSecond: durationMs > 0 ? round((times.length / durationMs) * 1000) : 0,
  }
  const server = serverTimingStats(results)
  if (server.stats.length > 0) stats.serverTiming = server.stats
  if (server.note !== undefined) stats.serverTimingNote = server.note
  return stats
}

/**
 * Per-name percentiles of what the servers said. A name that appears more than once in one response counts
 * once, with its durations summed (time spent in `db` by that request). Entries without a duration say
 * nothing to time and are left out. Names are the server's to choose, so only the first
 * MAX_RUN_SERVER_TIMING_NAMES get a row; the memory is bounded by the results the run keeps anyway.
 */
function serverTimingStats(results: readonly { serverTiming?: readonly ServerTimingEntry[] | undefined }[]): {
  stats: ServerTimingStats[]
  note?: string
} {
  const byName = new Map<string, number[]>()
  const dropped = new Set<string>()
  const perResponse = new Map<string, number>()
  for (const r of results) {
    if (!r.serverTiming) continue
    perResponse.clear()
    for (const e of r.serverTiming) {
      if (e.dur === undefined) continue
      perResponse.set(e.name, (perResponse.get(e.name) ?? 0) + e.dur)
    }
    for (const [name, dur] of perResponse) {
      let list = byName.get(name)
      if (!list) {
        if (byName.size >= MAX_RUN_SERVER_TIMING_NAMES) {
          dropped.add(name)
          continue
        }
        list = []
        byName.set(name, list)
      }
      list.push(dur)
    }
  }
  const stats = [...byName].map(([name, list]) => {
    const sorted = list.sort((a, b) => a - b)
    return {
      name,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    }
  })
  if (dropped.size === 0) return { stats }
  return {
    stats,
    note: `Servers named ${byName.size + dropped.size} Server-Timing metrics; percentiles are kept for the first ${byName.size}`,
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return round(sorted[rank - 1] ?? 0)
}

const round = (x: number): number => Math.round(x * 1000) / 1000
