/**
 * A growing multiset of times, kept sorted, that answers "how many are in or before each bucket" for a
 * whole row of buckets without visiting every time: the concurrency strip's finished requests (their spans
 * never change) are counted this way on each recount, so a recount costs the buckets, not the 15,000 rows.
 *
 * Times added go into a small sorted run merged into the main one once it holds an eighth as many: adding k
 * times costs k log k and a merge of the small run, not a copy of all of them.
 */
export interface SortedTimes {
  main: Float64Array
  mainLength: number
  recent: Float64Array
  recentLength: number
}

export function sortedTimes(): SortedTimes {
  return { main: new Float64Array(0), mainLength: 0, recent: new Float64Array(0), recentLength: 0 }
}

export function timesCount(s: SortedTimes): number {
  return s.mainLength + s.recentLength
}

/** `a[0, an)` and `b[0, bn)` merged, both sorted, into a new array with room to spare. */
function merged(a: Float64Array, an: number, b: Float64Array, bn: number): Float64Array {
  const out = new Float64Array(Math.max(64, Math.ceil((an + bn) * 1.25)))
  let i = 0
  let j = 0
  let k = 0
  while (i < an && j < bn)
    out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number)
  while (i < an) out[k++] = a[i++] as number
  while (j < bn) out[k++] = b[j++] as number
  return out
}

/** Adds `times` (any order). */
export function addTimes(s: SortedTimes, times: Float64Array): void {
  if (times.length === 0) return
  const fresh = times.slice().sort()
  s.recent = merged(s.recent, s.recentLength, fresh, fresh.length)
  s.recentLength += fresh.length
  if (s.recentLength > Math.max(256, s.mainLength / 8)) {
    s.main = merged(s.main, s.mainLength, s.recent, s.recentLength)
    s.mainLength += s.recentLength
    s.recent = new Float64Array(0)
    s.recentLength = 0
  }
}

export function clearTimes(s: SortedTimes): void {
  s.main = new Float64Array(0)
  s.mainLength = 0
  s.recent = new Float64Array(0)
  s.recentLength = 0
}

/** Buckets of equal width over a window: `bucketOf(t)` is floor((t - start) / span × count). */
export interface Buckets {
  start: number
  count: number
  bucketOf: (t: number) => number
  /** ends[i]: about where bucket i ends (start + (i + 1) / count × span), rounded as it may be. */
  ends: Float64Array
}

export function bucketGrid(start: number, span: number, count: number): Buckets {
  const ends = new Float64Array(count)
  for (let i = 0; i < count; i++) ends[i] = start + ((i + 1) / count) * span
  return { start, count, bucketOf: (t) => Math.floor(((t - start) / span) * count), ends }
}

/**
 * For each bucket i of `out`, adds `sign` × how many times t have `bucketOf(t) <= i + shift`. A run of times
 * longer than the buckets is searched for where each bucket ends (comparisons of numbers, galloping on from the
 * last bucket's), made exact with `bucketOf` at that one place (it never decreases as t grows): the walk costs
 * the buckets and the log of the times in each, not the times. A shorter run is counted time by time.
 */
export function addCountsAtOrBefore(
  out: Int32Array,
  sign: number,
  s: SortedTimes,
  buckets: Buckets,
  shift: number,
): void {
  addRun(out, sign, s.main, s.mainLength, buckets, shift)
  addRun(out, sign, s.recent, s.recentLength, buckets, shift)
}

function addRun(out: Int32Array, sign: number, a: Float64Array, n: number, b: Buckets, shift: number): void {
  if (n === 0) return
  if (n <= b.count) addFew(out, sign, a, n, b, shift)
  else addMany(out, sign, a, n, b, shift)
}

function addFew(out: Int32Array, sign: number, a: Float64Array, n: number, b: Buckets, shift: number): void {
  const firsts = new Int32Array(out.length + 1)
  for (let k = 0; k < n; k++) {
    // Counted from the first bucket i with bucketOf(t) <= i + shift.
    const first = Math.max(0, b.bucketOf(a[k] as number) - shift)
    if (first < out.length) firsts[first] = (firsts[first] as number) + 1
  }
  let running = 0
  for (let i = 0; i < out.length; i++) {
    running += firsts[i] as number
    out[i] = (out[i] as number) + sign * running
  }
}

function addMany(out: Int32Array, sign: number, a: Float64Array, n: number, b: Buckets, shift: number): void {
  const { bucketOf, ends, count, start } = b
  const lastBucket = bucketOf(a[n - 1] as number)
  let pos = 0
  for (let i = 0; i < out.length; i++) {
    const limit = i + shift
    if (lastBucket <= limit) pos = n
    else {
      const floor = pos
      // The first time at or past where bucket `limit` ends (bucket -1: the window's start), galloping on from
      // the last bucket's.
      const target = limit < 0 ? start : limit < count ? (ends[limit] as number) : Infinity
      if (pos < n && (a[pos] as number) < target) {
        let lo = pos
        let step = 1
        while (lo + step < n && (a[lo + step] as number) < target) {
          lo += step
          step *= 2
        }
        let hi = Math.min(n, lo + step)
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1
          if ((a[mid] as number) < target) lo = mid
          else hi = mid
        }
        pos = hi
      }
      // Exact: the target is rounded, bucketOf is what counts.
      while (pos > floor && bucketOf(a[pos - 1] as number) > limit) pos--
      while (pos < n && bucketOf(a[pos] as number) <= limit) pos++
    }
    out[i] = (out[i] as number) + sign * pos
  }
}
