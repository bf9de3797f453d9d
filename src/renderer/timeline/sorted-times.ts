/**
 * A growing multiset of times, kept sorted, that answers "how many are in or before each bucket" for a
 * whole row of buckets without visiting every time: the concurrency strip's finished requests (their spans
 * never change) are counted this way on each recount, so a recount costs the buckets, not the 15,000 rows.
 *
 * The times are a few sorted runs. Times added become a run of their own, merged into the runs before it while
 * those are no more than twice its length (so there are about log(n) runs), but never into a run past
 * MAX_MERGED_RUN: adding k times costs k log k and merges of at most 2 × MAX_MERGED_RUN times, whatever the
 * number held. With one run that everything was merged into, the merge that came every eighth of the
 * timeline copied all 15,000 of a burst's finished rows six times over in one frame (~12 ms of a task).
 */
export interface SortedTimes {
  /** Sorted runs, the longest first; each `data` holds `length` times (and, for a short one, room to spare). */
  runs: { data: Float64Array; length: number }[]
  /** Times copied by merges so far: what adding costs, for the guards that count it. */
  copied: number
}

/**
 * The longest run a merge makes. Past it runs are left apart: a count visits each run (a few more runs cost
 * the buckets each, well under a millisecond), a merge copies both.
 */
export const MAX_MERGED_RUN = 4_096

export function sortedTimes(): SortedTimes {
  return { runs: [], copied: 0 }
}

export function timesCount(s: SortedTimes): number {
  let n = 0
  for (const r of s.runs) n += r.length
  return n
}

/** `a[0, an)` and `b[0, bn)` merged, both sorted, into a new array. */
function merged(a: Float64Array, an: number, b: Float64Array, bn: number): Float64Array {
  const out = new Float64Array(Math.max(64, an + bn))
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
  let run: { data: Float64Array; length: number } = { data: times.slice().sort(), length: times.length }
  for (;;) {
    const before = s.runs[s.runs.length - 1]
    if (!before || before.length > 2 * run.length || before.length + run.length > MAX_MERGED_RUN) break
    s.runs.pop()
    s.copied += before.length + run.length
    run = {
      data: merged(before.data, before.length, run.data, run.length),
      length: before.length + run.length,
    }
  }
  s.runs.push(run)
}

export function clearTimes(s: SortedTimes): void {
  s.runs = []
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
  // The short runs' times are marked where they start counting, all in one array summed once.
  let firsts: Int32Array | null = null
  for (const run of s.runs) {
    if (run.length > buckets.count) {
      addMany(out, sign, run.data, run.length, buckets, shift)
      continue
    }
    firsts ??= new Int32Array(out.length + 1)
    markFirsts(firsts, run.data, run.length, buckets, shift)
  }
  if (!firsts) return
  let running = 0
  for (let i = 0; i < out.length; i++) {
    running += firsts[i] as number
    out[i] = (out[i] as number) + sign * running
  }
}

/** Marks each of `a[0, n)` at the first bucket i with bucketOf(t) <= i + shift (one past the end: none). */
function markFirsts(firsts: Int32Array, a: Float64Array, n: number, b: Buckets, shift: number): void {
  const past = firsts.length - 1
  for (let k = 0; k < n; k++) {
    const first = Math.max(0, b.bucketOf(a[k] as number) - shift)
    if (first < past) firsts[first] = (firsts[first] as number) + 1
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
