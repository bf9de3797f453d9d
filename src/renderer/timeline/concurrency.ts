import type { TimelineState } from './apply-batch'
import type { SessionRow } from './session-row'
import {
  addCountsAtOrBefore,
  addTimes,
  bucketGrid,
  clearTimes,
  sortedTimes,
  type SortedTimes,
} from './sorted-times'
import { changesBetween } from './timeline-changes'
import type { TimeWindow } from './time-view'

/**
 * The concurrency strip: how many requests were on the wire (and how many waited in a queue) at each moment
 * of the window, in `buckets` equal slices. The rows in flight are marked in a difference array, the finished
 * ones counted from their sorted span bounds (StripSpans): a count costs the rows in flight and the buckets, so
 * it can run per frame during a burst of thousands onto a timeline of many more.
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
 * The rows' spans as the strip counts them, kept between counts: a row still in flight by its queued t, wire
 * start and last event; a finished row only as the bounds of its spans, sorted (sorted-times.ts), since they
 * never change. A new state is read for what the batches since the last count wrote and listed
 * (timeline-changes.ts), and a count visits the rows in flight and the buckets, not every row: the strip is
 * recounted several times a second during a burst, and one pass over 15,000 rows a count was ~0.4 ms of the
 * burst's frames (reading them all from the store, before the spans were kept, 5 ms).
 */
export interface StripSpans {
  /** The rows in flight when read: sid, and at the same slot their queued t, wire start (NaN) and last t. */
  openSids: string[]
  openQueued: Float64Array
  openWire: Float64Array
  openLast: Float64Array
  slotOf: Map<string, number>
  /** The finished rows read, whose spans are in `ended`. */
  counted: Set<string>
  ended: EndedSpans
  /** How many entries of `readFrom`'s order were read. */
  listed: number
  /**
   * The timeline state these spans were read from. A state is replaced whenever a row changes, and the strip is
   * recounted every frame of a burst while batches come a few times a second: the frames between two batches
   * recount the same state without looking a row up.
   */
  readFrom: TimelineState | null
}

/** Finished rows' spans by their bounds: queued and never on the wire, queued before the wire, on the wire. */
interface EndedSpans {
  waitFrom: SortedTimes
  waitTo: SortedTimes
  queuedFrom: SortedTimes
  queuedTo: SortedTimes
  wireFrom: SortedTimes
  wireTo: SortedTimes
}

export function stripSpans(): StripSpans {
  return {
    openSids: [],
    openQueued: new Float64Array(64),
    openWire: new Float64Array(64),
    openLast: new Float64Array(64),
    slotOf: new Map(),
    counted: new Set(),
    ended: {
      waitFrom: sortedTimes(),
      waitTo: sortedTimes(),
      queuedFrom: sortedTimes(),
      queuedTo: sortedTimes(),
      wireFrom: sortedTimes(),
      wireTo: sortedTimes(),
    },
    listed: 0,
    readFrom: null,
  }
}

function grown(a: Float64Array, n: number): Float64Array {
  if (a.length >= n) return a
  const next = new Float64Array(Math.max(n, a.length * 2))
  next.set(a)
  return next
}

function wireStart(row: SessionRow): number {
  return row.dns?.start ?? row.connect?.start ?? row.tls?.start ?? row.sent?.start ?? NaN
}

/** Finished rows' bounds gathered during a read, added to `ended` sorted once at its end. */
class EndedBatch {
  readonly lists: Record<keyof EndedSpans, number[]> = {
    waitFrom: [],
    waitTo: [],
    queuedFrom: [],
    queuedTo: [],
    wireFrom: [],
    wireTo: [],
  }

  add(row: SessionRow): void {
    const queued = row.queued.t
    const end = row.end as number
    const wire = wireStart(row)
    // A span ending before it starts counts in no bucket (as a count of each row skips it).
    if (Number.isNaN(wire)) {
      if (end >= queued) this.span('queuedFrom', queued, 'queuedTo', end)
      return
    }
    if (wire > queued) this.span('waitFrom', queued, 'waitTo', wire)
    if (end >= wire) this.span('wireFrom', wire, 'wireTo', end)
  }

  private span(fromKey: keyof EndedSpans, from: number, toKey: keyof EndedSpans, to: number): void {
    this.lists[fromKey].push(from)
    this.lists[toKey].push(to)
  }

  addTo(ended: EndedSpans): void {
    for (const key of Object.keys(this.lists) as (keyof EndedSpans)[])
      addTimes(ended[key], Float64Array.from(this.lists[key]))
  }
}

function setOpen(spans: StripSpans, sid: string, row: SessionRow): void {
  let slot = spans.slotOf.get(sid)
  if (slot === undefined) {
    slot = spans.openSids.length
    spans.openSids.push(sid)
    spans.slotOf.set(sid, slot)
    spans.openQueued = grown(spans.openQueued, slot + 1)
    spans.openWire = grown(spans.openWire, slot + 1)
    spans.openLast = grown(spans.openLast, slot + 1)
  }
  spans.openQueued[slot] = row.queued.t
  spans.openWire[slot] = wireStart(row)
  spans.openLast[slot] = row.lastT
}

/** Takes `sid` out of the rows in flight: the last slot moves into its place. */
function closeOpen(spans: StripSpans, sid: string): void {
  const slot = spans.slotOf.get(sid)
  if (slot === undefined) return
  spans.slotOf.delete(sid)
  const last = spans.openSids.length - 1
  const moved = spans.openSids[last] as string
  spans.openSids.pop()
  if (slot === last) return
  spans.openSids[slot] = moved
  spans.slotOf.set(moved, slot)
  spans.openQueued[slot] = spans.openQueued[last] as number
  spans.openWire[slot] = spans.openWire[last] as number
  spans.openLast[slot] = spans.openLast[last] as number
}

/** Reads `row` (listed as `sid`): in flight, or finished and counted once. */
function readRow(spans: StripSpans, sid: string, row: SessionRow, ended: EndedBatch): void {
  if (row.end === null) {
    setOpen(spans, sid, row)
    return
  }
  closeOpen(spans, sid)
  if (spans.counted.has(sid)) return
  spans.counted.add(sid)
  ended.add(row)
}

/**
 * Reads again only the rows the batches since `spans.readFrom` wrote, and the rows they listed; false when what
 * changed is not known (a clear, a trim, a row inserted above others, a reader too far behind).
 */
function readChanges(timeline: TimelineState, spans: StripSpans, ended: EndedBatch): boolean {
  const changes = spans.readFrom === null ? null : changesBetween(spans.readFrom, timeline)
  if (!changes || changes.listed !== spans.listed) return false
  const { order, rows } = timeline
  for (let i = changes.listed; i < order.length; i++) {
    const sid = order[i] as string
    const row = rows[sid]
    if (row) readRow(spans, sid, row, ended)
  }
  for (const written of changes.touched) {
    for (const sid of written) {
      // Only rows in flight when read change what is counted: a finished row's spans are final, and a row
      // not listed (a lane's poll) is not counted.
      if (!spans.slotOf.has(sid)) continue
      const row = rows[sid]
      if (row) readRow(spans, sid, row, ended)
    }
  }
  return true
}

/** Reads every listed row; the finished rows counted before are kept unless some are no longer listed. */
function readAll(timeline: TimelineState, spans: StripSpans, ended: EndedBatch): void {
  const { order, rows } = timeline
  let stillListed = 0
  for (const sid of order) if (spans.counted.has(sid) && rows[sid]) stillListed++
  if (stillListed < spans.counted.size) {
    spans.counted.clear()
    for (const times of Object.values(spans.ended)) clearTimes(times)
  }
  spans.openSids = []
  spans.slotOf = new Map()
  for (const sid of order) {
    const row = rows[sid]
    if (row) readRow(spans, sid, row, ended)
  }
}

/** Brings `spans` up to the timeline. */
function readSpans(timeline: TimelineState, spans: StripSpans): void {
  if (spans.readFrom === timeline) return
  const ended = new EndedBatch()
  if (!readChanges(timeline, spans, ended)) readAll(timeline, spans, ended)
  ended.addTo(spans.ended)
  spans.listed = timeline.order.length
  spans.readFrom = timeline
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
  readSpans(timeline, spans)
  const { openQueued, openWire, openLast } = spans
  for (let i = 0; i < spans.openSids.length; i++) {
    const queuedT = openQueued[i] as number
    const end = Math.max(now, openLast[i] as number)
    const wire = openWire[i] as number
    if (Number.isNaN(wire)) {
      add(dQueued, queuedT, end)
    } else {
      if (wire > queuedT) add(dQueued, queuedT, wire, true)
      add(dActive, wire, end)
    }
  }
  const active = new Int32Array(n)
  const queued = new Int32Array(n)
  let a = 0
  let q = 0
  for (let i = 0; i < n; i++) {
    a += dActive[i] ?? 0
    q += dQueued[i] ?? 0
    active[i] = a
    queued[i] = q
  }
  // The finished rows: a span [from, to] is in bucket i when bucketOf(from) <= i <= bucketOf(to), less one at
  // its end for a wait before the wire; so the bucket's count is how many start at or before it less how many
  // end before it. A span outside the window is in neither count or in both.
  const e = spans.ended
  const grid = bucketGrid(window.start, span, n)
  addCountsAtOrBefore(active, 1, e.wireFrom, grid, 0)
  addCountsAtOrBefore(active, -1, e.wireTo, grid, -1)
  addCountsAtOrBefore(queued, 1, e.queuedFrom, grid, 0)
  addCountsAtOrBefore(queued, -1, e.queuedTo, grid, -1)
  addCountsAtOrBefore(queued, 1, e.waitFrom, grid, 0)
  addCountsAtOrBefore(queued, -1, e.waitTo, grid, 0)
  let peak = 0
  for (let i = 0; i < n; i++) {
    const total = (active[i] as number) + (queued[i] as number)
    if (total > peak) peak = total
  }
  return { active, queued, peak }
}
