import type { TimelineState } from './apply-batch'
import type { SessionRow } from './session-row'
import { changesBetween } from './timeline-changes'
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

/**
 * The rows' spans as the strip counts them, kept between counts in the timeline's order: a finished row's
 * queued t, wire start and end never change, and a new state is read for what the batches since the last count
 * wrote and listed (timeline-changes.ts), not row by row. The strip is recounted several times a second during
 * a burst; reading 15,000 rows from the store (objects of many shapes) each time made it the longest part of the
 * longest frames, and looking up each of 10,000 rows in flight still cost ~1.8 ms a count early in the burst.
 */
export interface StripSpans {
  sids: (string | undefined)[]
  /** Queued t; NaN for a listed sid with no row. */
  queuedAt: Float64Array
  /** First network phase's start; NaN while (or if it never left) the queue. */
  wireAt: Float64Array
  /** End; NaN while in flight (its end is then `now`, or its last event if later). */
  endAt: Float64Array
  lastT: Float64Array
  /** 1 when the row had ended when read: its spans are final. */
  final: Uint8Array
  /**
   * The timeline state these spans were read from. A state is replaced whenever a row changes, and the strip is
   * recounted every frame of a burst while batches come a few times a second: the frames between two batches
   * recount the same state, and looking its rows in flight up in the store again (10,000 a frame early in the
   * issue's burst) was the longest script of the burst's frames.
   */
  readFrom: TimelineState | null
  /**
   * Where each listed sid is, built when a recount first reads only what changed (the batches since `readFrom`
   * wrote a few hundred rows; finding them must not visit the 15,000 listed); dropped when a count reads all.
   */
  at: Map<string, number> | null
}

export function stripSpans(): StripSpans {
  return {
    sids: [],
    queuedAt: new Float64Array(0),
    wireAt: new Float64Array(0),
    endAt: new Float64Array(0),
    lastT: new Float64Array(0),
    final: new Uint8Array(0),
    readFrom: null,
    at: null,
  }
}

function grow<T extends Float64Array | Uint8Array>(a: T, n: number, make: (n: number) => T): T {
  if (a.length >= n) return a
  const next = make(Math.max(n, a.length * 2, 64))
  next.set(a)
  return next
}

/** Reads the spans of `row` (listed at `i` as `sid`) into `spans`. */
function readRow(spans: StripSpans, i: number, sid: string | undefined, row: SessionRow | undefined): void {
  spans.sids[i] = sid
  if (!row) {
    spans.queuedAt[i] = NaN
    spans.final[i] = 0
    return
  }
  const wire = row.dns?.start ?? row.connect?.start ?? row.tls?.start ?? row.sent?.start
  spans.queuedAt[i] = row.queued.t
  spans.wireAt[i] = wire ?? NaN
  spans.endAt[i] = row.end ?? NaN
  spans.lastT[i] = row.lastT
  spans.final[i] = row.end === null ? 0 : 1
}

/**
 * Reads again only the rows the batches since `spans.readFrom` wrote, and the rows they listed; false when what
 * changed is not known (a clear, a trim, a row inserted above others, a reader too far behind).
 */
function readChanges(timeline: TimelineState, spans: StripSpans): boolean {
  const changes = spans.readFrom === null ? null : changesBetween(spans.readFrom, timeline)
  if (!changes || changes.listed !== spans.sids.length) return false
  const { order, rows } = timeline
  const { sids, final } = spans
  let at = spans.at
  if (!at) {
    at = new Map()
    for (let i = 0; i < sids.length; i++) {
      const sid = sids[i]
      if (sid !== undefined) at.set(sid, i)
    }
    spans.at = at
  }
  for (let i = changes.listed; i < order.length; i++) {
    const sid = order[i]
    if (sid !== undefined) at.set(sid, i)
    readRow(spans, i, sid, sid === undefined ? undefined : rows[sid])
  }
  for (const written of changes.touched) {
    for (const sid of written) {
      const i = at.get(sid)
      // A row listed since is read above; a finished row's spans are final.
      if (i === undefined || i >= changes.listed || final[i] === 1) continue
      readRow(spans, i, sid, rows[sid])
    }
  }
  return true
}

/** Brings `spans` up to the timeline's order; returns how many entries are valid. */
function readSpans(timeline: TimelineState, spans: StripSpans): number {
  if (spans.readFrom === timeline) return spans.sids.length
  const order = timeline.order
  const n = order.length
  spans.queuedAt = grow(spans.queuedAt, n, (k) => new Float64Array(k))
  spans.wireAt = grow(spans.wireAt, n, (k) => new Float64Array(k))
  spans.endAt = grow(spans.endAt, n, (k) => new Float64Array(k))
  spans.lastT = grow(spans.lastT, n, (k) => new Float64Array(k))
  spans.final = grow(spans.final, n, (k) => new Uint8Array(k))
  if (!readChanges(timeline, spans)) {
    const { sids, final } = spans
    spans.at = null
    for (let i = 0; i < n; i++) {
      const sid = order[i]
      if (final[i] === 1 && sids[i] === sid) continue
      readRow(spans, i, sid, sid === undefined ? undefined : timeline.rows[sid])
    }
  }
  spans.sids.length = n
  spans.readFrom = timeline
  return n
}

export function concurrencySeries(
  timeline: TimelineState,
  window: TimeWindow,
  buckets: number,
  now: number,
  spans: StripSpans = stripSpans(),
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
  const count = readSpans(timeline, spans)
  const { queuedAt, wireAt, endAt, lastT } = spans
  for (let i = 0; i < count; i++) {
    const queuedT = queuedAt[i] as number
    if (Number.isNaN(queuedT)) continue
    const ended = endAt[i] as number
    const end = Number.isNaN(ended) ? Math.max(now, lastT[i] as number) : ended
    const wireStart = wireAt[i] as number
    if (Number.isNaN(wireStart)) {
      add(dQueued, queuedT, end)
    } else {
      if (wireStart > queuedT) add(dQueued, queuedT, wireStart, true)
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
