import type { TimelineBatch } from '../../shared/contract'
import { countMessages, isHalfClose, messagesIn, type StreamTally } from '../../shared/stream-tally'
import type { StreamDirection, StreamMessageKind, TimelineEvent } from '../../shared/timeline'
import { applyAttemptEvent, type StreamAttempt } from './lane-attempts'

/**
 * What a stream session's lane draws: a tick per message, in and out apart, and markers where the stream
 * opened, reconnected and closed. A lane must cost the same after 10 or 10,000,000 messages, so ticks are
 * counted into time buckets: at most MAX_BUCKETS of them, and when a message would land past the last one,
 * the bucket width doubles and neighbours merge. At any zoom a bucket is a few pixels at most, so the lane
 * looks the same as drawing every message would.
 */

export const MAX_BUCKETS = 512
const MAX_MARKERS = 64
/** Narrowest bucket: 1 ms. */
const MIN_WIDTH = 1

export type MarkerKind = 'open' | 'retry' | 'closed' | 'error' | 'done' | 'half-close'

export interface LaneMarker {
  t: number
  kind: MarkerKind
  label: string
}

export interface LastMessage {
  t: number
  dir: StreamDirection
  kind: StreamMessageKind
  preview: string
  size: number
}

export interface LaneTicks {
  readonly sid: string
  /** Engine ms of bucket 0's start (the first message). */
  readonly start: number
  /** Bucket width in ms (a power of two). */
  readonly width: number
  readonly ins: readonly number[]
  readonly outs: readonly number[]
  /**
   * MQTT lanes: the topic of each bucket's messages (received and sent), so the lane colours topics apart;
   * '' for a bucket with none, null where topics mix. Absent on other lanes.
   */
  readonly topics?: readonly (string | null)[]
  /**
   * GraphQL lanes: per bucket, the received results that carried `errors` (a red tick); absent until the first.
   */
  readonly errs?: readonly number[]
  /** GraphQL: received results that carried `errors`. */
  readonly resultErrors?: number
  readonly markers: readonly LaneMarker[]
  /** Messages received / sent, and their bytes. */
  readonly received: number
  readonly sent: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** Highest log seq seen: the log holds `lastSeq + 1` entries. */
  readonly lastSeq: number
  /** Messages shown here that the session's log did not keep (it was cut: their ticks carry no seq). */
  readonly notKept: number
  /**
   * Messages counted by their ordinal (shared/stream-tally.ts): a live event or a replayed tally of messages
   * before it is not counted again.
   */
  readonly through: number
  readonly last: LastMessage | null
  /** When the current connection opened (engine ms), or null while not open. */
  readonly openSince: number | null
  readonly subprotocol: string | null
  readonly mode: string | null
  readonly reconnects: number
  /** Its connection attempts, the newest MAX_ATTEMPTS_KEPT (lane-attempts.ts). */
  readonly attempts: readonly StreamAttempt[]
}

export type LaneMap = Readonly<Record<string, LaneTicks>>

export const EMPTY_LANES: LaneMap = {}

export function emptyLane(sid: string): LaneTicks {
  return {
    sid,
    start: 0,
    width: MIN_WIDTH,
    ins: [],
    outs: [],
    markers: [],
    received: 0,
    sent: 0,
    bytesIn: 0,
    bytesOut: 0,
    lastSeq: -1,
    notKept: 0,
    through: 0,
    last: null,
    openSince: null,
    subprotocol: null,
    mode: null,
    reconnects: 0,
    attempts: [],
  }
}

/** A mutable working copy of one lane while a batch is applied (copied once per batch, not per event). */
interface Draft {
  sid: string
  start: number
  width: number
  ins: number[]
  outs: number[]
  topics?: (string | null)[]
  errs?: number[]
  resultErrors?: number
  markers: LaneMarker[]
  received: number
  sent: number
  bytesIn: number
  bytesOut: number
  lastSeq: number
  notKept: number
  through: number
  last: LastMessage | null
  openSince: number | null
  subprotocol: string | null
  mode: string | null
  reconnects: number
  attempts: readonly StreamAttempt[]
  /** This batch's copy of `attempts`, made on its first lifecycle event (not on every batch). */
  ownAttempts: StreamAttempt[] | null
  started: boolean
}

function draftOf(lane: LaneTicks): Draft {
  const { topics, errs, ...rest } = lane
  return {
    ...rest,
    ins: [...lane.ins],
    outs: [...lane.outs],
    ...(topics ? { topics: [...topics] } : {}),
    ...(errs ? { errs: [...errs] } : {}),
    markers: [...lane.markers],
    ownAttempts: null,
    started: lane.ins.length > 0 || lane.outs.length > 0,
  }
}

function freeze(d: Draft): LaneTicks {
  const { started: _started, ownAttempts, ...lane } = d
  return ownAttempts ? { ...lane, attempts: ownAttempts } : lane
}

/** Count one message at `t` into the draft's buckets, widening them when `t` is past the last one. */
export function addTick(
  d: {
    start: number
    width: number
    ins: number[]
    outs: number[]
    topics?: (string | null)[] | undefined
    errs?: number[] | undefined
    started?: boolean
  },
  t: number,
  dir: StreamDirection,
  count = 1,
  topic?: string,
  errors = 0,
): void {
  if (!d.started) {
    d.start = t
    d.started = true
  }
  if (t < d.start) t = d.start
  let i = Math.floor((t - d.start) / d.width)
  while (i >= MAX_BUCKETS) {
    merge(d.ins)
    merge(d.outs)
    if (d.topics) mergeTopics(d.topics)
    if (d.errs) merge(d.errs)
    d.width *= 2
    i = Math.floor((t - d.start) / d.width)
  }
  const list = dir === 'in' ? d.ins : d.outs
  while (list.length <= i) list.push(0)
  list[i] = (list[i] ?? 0) + count
  if (errors > 0) {
    const errs = (d.errs ??= [])
    while (errs.length <= i) errs.push(0)
    errs[i] = (errs[i] ?? 0) + errors
  }
  if (d.topics && topic !== undefined) {
    const topics = d.topics
    while (topics.length <= i) topics.push('')
    const had = topics[i]
    topics[i] = had === '' || had === topic ? topic : null
  }
}

function mergeTopics(list: (string | null)[]): void {
  const n = Math.ceil(list.length / 2)
  for (let j = 0; j < n; j++) {
    const a = list[2 * j] ?? ''
    const b = list[2 * j + 1] ?? ''
    list[j] = a === '' ? b : b === '' || a === b ? a : null
  }
  list.length = n
}

function merge(list: number[]): void {
  const n = Math.ceil(list.length / 2)
  for (let j = 0; j < n; j++) list[j] = (list[2 * j] ?? 0) + (list[2 * j + 1] ?? 0)
  list.length = n
}

function mark(d: Draft, m: LaneMarker): void {
  d.markers.push(m)
  if (d.markers.length > MAX_MARKERS) d.markers.splice(0, d.markers.length - MAX_MARKERS)
}

/**
 * Apply a timeline batch to the lanes of stream sessions. Returns `lanes` itself when nothing in the batch was
 * about a stream, so the store update can be skipped. `tallies` (a timeline replay's) set a session's counts
 * where its `queued` event is, before its replayed latest message, which they already count.
 */
export function applyLaneBatch(
  lanes: LaneMap,
  batch: TimelineBatch,
  tallies?: readonly StreamTally[],
): LaneMap {
  const tallyOf = tallies && tallies.length > 0 ? new Map(tallies.map((t) => [t.sid, t])) : null
  let drafts: Map<string, Draft> | null = null
  const draft = (sid: string): Draft | null => {
    const existing = drafts?.get(sid)
    if (existing) return existing
    const lane = lanes[sid]
    if (!lane) return null
    const d = draftOf(lane)
    ;(drafts ??= new Map()).set(sid, d)
    return d
  }
  for (const e of batch.events) {
    if (e.type === 'queued') {
      if (e.kind === 'http') continue
      if (!lanes[e.sid] && !drafts?.has(e.sid)) (drafts ??= new Map()).set(e.sid, draftOf(emptyLane(e.sid)))
      const tally = tallyOf?.get(e.sid)
      const d = tally ? draft(e.sid) : null
      if (d && tally) applyTally(d, tally)
      continue
    }
    if (!isLaneEvent(e)) continue
    const d = draft(e.sid)
    if (!d) continue
    applyEvent(d, e)
  }
  if (!drafts) return lanes
  const next: Record<string, LaneTicks> = { ...lanes }
  for (const [sid, d] of drafts) next[sid] = freeze(d)
  return next
}

function isLaneEvent(e: TimelineEvent): boolean {
  switch (e.type) {
    case 'sse-event':
    case 'ws-message':
    case 'stream-open':
    case 'stream-closed':
    case 'retry':
    case 'done':
    case 'error':
    case 'cancelled':
      return true
    default:
      return false
  }
}

function applyEvent(d: Draft, e: TimelineEvent): void {
  const lifecycle = e.type === 'stream-open' || e.type === 'stream-closed' || e.type === 'retry'
  // An end applies to the attempts this batch began too (a short stream and its failed reconnect may come in one).
  const attempts = d.ownAttempts ?? d.attempts
  if (lifecycle || ((e.type === 'error' || e.type === 'cancelled') && attempts.length > 0)) {
    d.ownAttempts ??= [...d.attempts]
    applyAttemptEvent(d.ownAttempts, e, d.lastSeq + 1)
  }
  switch (e.type) {
    case 'sse-event':
    case 'ws-message': {
      const last = { t: e.t, dir: e.dir, kind: e.kind, preview: e.preview, size: e.size }
      // One event may stand for `count` consecutive messages (the engine merges those within a millisecond).
      const total = messagesIn(e)
      let n = total
      if (e.ordinal !== undefined) {
        const end = e.ordinal + total
        if (end <= d.through) {
          // Counted already: by a replayed tally (or this very event, replayed over a live batch).
          d.last ??= last
          return
        }
        // The engine sends its live events before taking a tally, so an event is covered whole or not at all.
        n = end - Math.max(e.ordinal, d.through)
        d.through = end
      }
      countMessages(d, e, n, n === total ? e.size : Math.round((e.size * n) / total))
      if (isHalfClose(e)) {
        // A gRPC call's half-close is a marker on its lane, not a message sent.
        mark(d, { t: e.t, kind: 'half-close', label: 'Half-closed' })
        return
      }
      // A merged tick names its last message's topic: the bucket counts as mixed only when names differ.
      const topic = d.topics && e.type === 'sse-event' && e.kind !== 'control' ? e.event : undefined
      addTick(d, e.t, e.dir, n, topic, n === total ? (e.errors ?? 0) : Math.min(e.errors ?? 0, n))
      d.last = last
      return
    }
    case 'stream-open':
      d.openSince = e.t
      d.mode = e.mode
      if (e.mode === 'mqtt') d.topics ??= d.ins.map(() => null)
      d.subprotocol = e.protocol ?? null
      if (e.attempt > 0) d.reconnects = e.attempt
      mark(d, { t: e.t, kind: 'open', label: e.attempt > 0 ? `Reconnected (#${e.attempt})` : 'Open' })
      return
    case 'stream-closed':
      d.openSince = null
      mark(d, { t: e.t, kind: 'closed', label: e.reason })
      return
    case 'retry':
      mark(d, { t: e.t, kind: 'retry', label: `Reconnect #${e.attempt} in ${e.delayMs} ms: ${e.reason}` })
      return
    case 'error':
      d.openSince = null
      mark(d, { t: e.t, kind: 'error', label: e.message })
      return
    case 'done':
    case 'cancelled':
      d.openSince = null
      mark(d, { t: e.t, kind: 'done', label: e.type === 'done' ? 'Closed' : 'Cancelled' })
      return
    default:
      return
  }
}

/**
 * A replayed tally: the session's counts from its first message, for a lane that counted fewer (a page that
 * connected mid-stream saw none of the messages before it). Its ticks stay as drawn: the replay has no times.
 */
function applyTally(d: Draft, t: StreamTally): void {
  if (t.through <= d.through) return
  const { sid: _sid, resultErrors, ...counts } = t
  Object.assign(d, counts)
  if (resultErrors > 0) d.resultErrors = resultErrors
}

/**
 * Buckets with messages as [engine ms, ins, outs, topic], for painting; the topic ('' none, null mixed) on MQTT
 * lanes only.
 */
export function tickBuckets(lane: LaneTicks): [number, number, number, (string | null)?][] {
  const out: [number, number, number, (string | null)?][] = []
  const n = Math.max(lane.ins.length, lane.outs.length)
  for (let i = 0; i < n; i++) {
    const a = lane.ins[i] ?? 0
    const b = lane.outs[i] ?? 0
    if (a === 0 && b === 0) continue
    const t = lane.start + i * lane.width
    out.push(lane.topics ? [t, a, b, lane.topics[i] ?? ''] : [t, a, b])
  }
  return out
}

/** Buckets holding results that carried GraphQL errors, as [engine ms, how many], for painting them red. */
export function errorBuckets(lane: LaneTicks): [number, number][] {
  const out: [number, number][] = []
  const errs = lane.errs
  if (!errs) return out
  for (let i = 0; i < errs.length; i++) {
    const n = errs[i] ?? 0
    if (n > 0) out.push([lane.start + i * lane.width, n])
  }
  return out
}

/**
 * A topic's own colour, the same on every lane and every run (a hash of its name picks the hue), so messages
 * of one topic can be followed along a lane and told from another's.
 */
export function topicColor(topic: string): string {
  let h = 2166136261
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 16777619)
  // Golden-angle steps spread neighbouring hashes round the wheel.
  const hue = Math.round(((h >>> 0) * 137.508) % 360)
  return `hsl(${hue}, 65%, 48%)`
}

/** Drop lanes whose sessions are no longer on the timeline (after Clear). */
export function pruneLanes(lanes: LaneMap, keep: (sid: string) => boolean): LaneMap {
  let changed = false
  const next: Record<string, LaneTicks> = {}
  for (const [sid, lane] of Object.entries(lanes)) {
    if (keep(sid)) next[sid] = lane
    else changed = true
  }
  return changed ? next : lanes
}
