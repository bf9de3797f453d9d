/**
 * Durations kept as counts in logarithmic buckets instead of one number each, so a run of a million requests
 * keeps percentiles in a few kilobytes. Every bucket spans values whose ratio is at most GAMMA and reports
 * the value that is within LATENCY_RELATIVE_ERROR of all of them (the DDSketch construction), so a percentile
 * is the true nearest-rank value within that relative error; the count, the sum (so the mean) and the
 * maximum are exact.
 */

/** A percentile read from the buckets is within this fraction of the exact nearest-rank value (1 %). */
export const LATENCY_RELATIVE_ERROR = 0.01

const GAMMA = (1 + LATENCY_RELATIVE_ERROR) / (1 - LATENCY_RELATIVE_ERROR)
const LOG_GAMMA = Math.log(GAMMA)
/**
 * Durations at or below this (ms) count in one bucket read as the smallest one seen: below a microsecond the
 * clock says nothing useful, and the bucket index stays small.
 */
const FLOOR_MS = 0.001

export class LatencyHistogram {
  /** Bucket index → count; at most a few thousand indexes from a microsecond to days (bounded by the range). */
  private readonly buckets = new Map<number, number>()
  /** The bucket indexes in order, kept between percentile reads until a new bucket is taken. */
  private ordered: number[] | null = null
  private floorCount = 0
  count = 0
  /*
   * The sum and maximum start at -0, a number V8 keeps as a double: a field that starts as a small integer and
   * later takes a fraction changes the object's layout, and every histogram made before that (a run makes one per
   * request before its first result) would then be rebuilt by V8 on its first use. Read through the getters, which
   * turn -0 into 0.
   */
  private total = -0
  private top = -0
  min = Number.POSITIVE_INFINITY

  /** The exact sum of the durations counted (0 when empty). */
  get sum(): number {
    return this.total + 0
  }

  /** The exact largest duration counted (0 when empty). */
  get max(): number {
    return this.top + 0
  }

  add(ms: number): void {
    const v = Number.isFinite(ms) && ms > 0 ? ms : 0
    this.count++
    this.total += v
    if (v > this.top) this.top = v
    if (v < this.min) this.min = v
    if (v <= FLOOR_MS) {
      this.floorCount++
      return
    }
    const i = Math.ceil(Math.log(v) / LOG_GAMMA)
    const n = this.buckets.get(i)
    if (n === undefined) this.ordered = null
    this.buckets.set(i, (n ?? 0) + 1)
  }

  /** Nearest-rank percentile (p in 0..100), within LATENCY_RELATIVE_ERROR; 0 when empty; p 100 is the exact max. */
  percentile(p: number): number {
    if (this.count === 0) return 0
    if (p >= 100) return this.max
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)))
    let seen = this.floorCount
    if (rank <= seen) return this.min
    // A row reads four percentiles: the indexes are sorted once for them.
    const indexes = (this.ordered ??= [...this.buckets.keys()].sort((a, b) => a - b))
    for (const i of indexes) {
      seen += this.buckets.get(i) ?? 0
      if (seen >= rank) {
        const estimate = (2 * Math.pow(GAMMA, i)) / (GAMMA + 1)
        // The exact extremes are known: an estimate never reads past them.
        return Math.min(this.max, Math.max(this.min, estimate))
      }
    }
    return this.max
  }
}
