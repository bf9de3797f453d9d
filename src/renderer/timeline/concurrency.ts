import type { TimelineState } from './apply-batch'
import type { TimeWindow } from './time-view'

/**
 * The concurrency strip: how many requests were on the wire (and how many waited in a queue) at each moment
 * of the window, in `buckets` equal slices. A difference array makes it O(rows + buckets), so it can run per
 * frame during a burst of thousands.
 *
 * A bucket counts a request if it was active at any point in the bucket's slice, so a 1 ms request still
 * shows on a 60 s window. A request is "queued" from its queued t to its first network phase, and "active"
 * from then to its end (or `now` while it is in flight).
 */
export interface ConcurrencySeries {
  active: Int32Array
  queued: Int32Array
  /** The highest `active + queued` of any bucket. */
  peak: number
}

export function concurrencySeries(
  timeline: TimelineState,
  window: TimeWindow,
  buckets: number,
  now: number,
): ConcurrencySeries {
  const n = Math.max(1, Math.floor(buckets))
  const dActive = new Int32Array(n + 1)
  const dQueued = new Int32Array(n + 1)
  const span = Math.max(window.end - window.start, 1e-6)
  const bucketOf = (t: number): number => Math.floor(((t - window.start) / span) * n)
  const add = (d: Int32Array, from: number, to: number, endsBefore = false): void => {
    if (to < window.start || from > window.end) return
    const a = Math.max(0, bucketOf(from))
    // A wait that ends where the request goes on the wire is not counted twice in that bucket.
    const b = Math.min(n - 1, bucketOf(to) - (endsBefore ? 1 : 0))
    if (b < a) return
    d[a] = (d[a] ?? 0) + 1
    d[b + 1] = (d[b + 1] ?? 0) - 1
  }
  for (const sid of timeline.order) {
    const row = timeline.rows[sid]
    if (!row) continue
    const end = row.end ?? Math.max(now, row.lastT)
    const wireStart = row.dns?.start ?? row.connect?.start ?? row.tls?.start ?? row.sent?.start
    if (wireStart === undefined) {
      add(dQueued, row.queued.t, end)
    } else {
      if (wireStart > row.queued.t) add(dQueued, row.queued.t, wireStart, true)
      add(dActive, wireStart, end)
    }
  }
  const active = new Int32Array(n)
  const queued = new Int32Array(n)
  let a = 0
  let q = 0
  let peak = 0
  for (let i = 0; i < n; i++) {
    a += dActive[i] ?? 0
    q += dQueued[i] ?? 0
    active[i] = a
    queued[i] = q
    if (a + q > peak) peak = a + q
  }
  return { active, queued, peak }
}
