import type { ServerTimingEntry } from '../../shared/server-timing'
import { LatencyHistogram } from './latency-histogram'
import {
  gotResponse,
  HISTOGRAM_BOUNDS,
  MAX_RUN_SERVER_TIMING_NAMES,
  type RunStats,
  type ServerTimingStats,
} from './stats'

/**
 * A run's statistics kept as it goes, one result at a time, for a run that does not keep its results (a long
 * CLI run): the same RunStats as `computeStats` over every result, its percentiles from log buckets (within
 * LATENCY_RELATIVE_ERROR), its counts, mean, max, histogram and throughput exact. Memory is bounded by the
 * buckets, the Server-Timing names (at most MAX_RUN_SERVER_TIMING_NAMES) and one count per second of the run.
 */

/** Server-Timing names past the kept ones that are still counted one by one for the note. */
const MAX_DROPPED_NAMES_COUNTED = 1000

export interface TalliedResult {
  status?: number | undefined
  timeMs: number
  passed: boolean
  error: unknown
  endedAt: number
  serverTiming?: readonly ServerTimingEntry[] | undefined
}

export class StatsTally {
  private total = 0
  private passed = 0
  private errors = 0
  private responses = 0
  private readonly latency = new LatencyHistogram()
  private readonly fixed = HISTOGRAM_BOUNDS.map(() => 0)
  /** Results finished in each whole second since the start (index: the second). */
  private readonly perSecond: number[] = []
  private readonly serverTiming = new Map<string, LatencyHistogram>()
  private readonly dropped = new Set<string>()
  private droppedPastCount = false
  private readonly perResponse = new Map<string, number>()

  constructor(private readonly startedAt: number) {}

  add(r: TalliedResult): void {
    this.total++
    if (r.passed) this.passed++
    if (r.error !== undefined) this.errors++
    if (gotResponse(r)) {
      this.responses++
      this.latency.add(r.timeMs)
      const bucket = fixedBucket(r.timeMs)
      if (bucket >= 0) this.fixed[bucket] = (this.fixed[bucket] ?? 0) + 1
    }
    const second = Math.max(0, Math.floor((r.endedAt - this.startedAt) / 1000))
    while (this.perSecond.length <= second) this.perSecond.push(0)
    this.perSecond[second] = (this.perSecond[second] ?? 0) + 1
    if (r.serverTiming) this.addServerTiming(r.serverTiming)
  }

  /** As `serverTimingStats` counts them: a name once per response, its durations summed. */
  private addServerTiming(entries: readonly ServerTimingEntry[]): void {
    const per = this.perResponse
    per.clear()
    for (const e of entries) if (e.dur !== undefined) per.set(e.name, (per.get(e.name) ?? 0) + e.dur)
    for (const [name, dur] of per) {
      let h = this.serverTiming.get(name)
      if (!h) {
        if (this.serverTiming.size >= MAX_RUN_SERVER_TIMING_NAMES) {
          if (this.dropped.size < MAX_DROPPED_NAMES_COUNTED) this.dropped.add(name)
          else if (!this.dropped.has(name)) this.droppedPastCount = true
          continue
        }
        h = new LatencyHistogram()
        this.serverTiming.set(name, h)
      }
      h.add(dur)
    }
  }

  stats(durationMs: number): RunStats {
    const h = this.latency
    const lastSecond = Math.max(0, Math.floor(durationMs / 1000))
    const throughput = Array.from(
      { length: Math.max(lastSecond + 1, this.perSecond.length) },
      (_, second) => ({
        second,
        count: this.perSecond[second] ?? 0,
      }),
    )
    const stats: RunStats = {
      total: this.total,
      passed: this.passed,
      failed: this.total - this.passed,
      errors: this.errors,
      responses: this.responses,
      latency: {
        p50: round(h.percentile(50)),
        p90: round(h.percentile(90)),
        p99: round(h.percentile(99)),
        max: round(h.max),
        mean: h.count ? round(h.sum / h.count) : 0,
      },
      histogram: HISTOGRAM_BOUNDS.map((upToMs, i) => ({ upToMs, count: this.fixed[i] ?? 0 })).filter(
        (b) => Number.isFinite(b.upToMs) || b.count > 0,
      ),
      throughput,
      requestsPerSecond: durationMs > 0 ? round((this.responses / durationMs) * 1000) : 0,
    }
    const server: ServerTimingStats[] = [...this.serverTiming].map(([name, s]) => ({
      name,
      count: s.count,
      p50: round(s.percentile(50)),
      p90: round(s.percentile(90)),
      p99: round(s.percentile(99)),
      max: round(s.max),
    }))
    if (server.length > 0) stats.serverTiming = server
    if (this.dropped.size > 0) {
      const named = this.serverTiming.size + this.dropped.size
      stats.serverTimingNote = `Servers named ${this.droppedPastCount ? 'more than ' : ''}${named} Server-Timing metrics; percentiles are kept for the first ${this.serverTiming.size}`
    }
    return stats
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000

/** The first of HISTOGRAM_BOUNDS at or above `ms` (-1: none), without a closure per result. */
function fixedBucket(ms: number): number {
  for (let i = 0; i < HISTOGRAM_BOUNDS.length; i++) if (ms <= (HISTOGRAM_BOUNDS[i] as number)) return i
  return -1
}
