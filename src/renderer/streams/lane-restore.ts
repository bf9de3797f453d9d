import type { Result } from '../../shared/result'
import { MAX_STREAM_READ, type StreamEntry, type StreamPage } from '../../shared/streams'
import type { StreamTally } from '../../shared/stream-tally'
import type { StreamDirection } from '../../shared/timeline'
import { addTick, type LaneTicks } from './lane-ticks'

/**
 * A page that reloads gets each stream session's counts back (its tally) but not the ticks its lane drew: the
 * engine's timeline keeps a stream's latest message only. The ticks come back from the session's message log,
 * which the engine keeps: every kept message before the reload is read back (time and direction, no data) and
 * counted into the lane's buckets beside the ticks drawn live since. A log longer than RESTORE_EXACT_ENTRIES is
 * read in RESTORE_PAGES pages spread over it, and the messages between two pages are spread evenly over the time
 * between them: the lane's picture, never its counts (those are the tally's).
 */

/** Logs up to this many entries are read whole (RESTORE_PAGES reads of MAX_STREAM_READ). */
export const RESTORE_PAGES = 10
export const RESTORE_EXACT_ENTRIES = RESTORE_PAGES * MAX_STREAM_READ
/** Lanes restored after one replay: the newest ones (the rest keep their counts and latest message only). */
export const MAX_LANES_RESTORED = 50
/** Steps the messages between two sampled pages are spread over. */
const SPREAD_STEPS = 32

export interface OldTick {
  t: number
  dir: StreamDirection
  count: number
  topic?: string
}

type ReadLog = (sid: string, from: number, count: number) => Promise<Result<StreamPage>>

/** The lane's ticks with `old` (messages from before the page loaded, oldest first) counted in before them. */
export function withOldTicks(lane: LaneTicks, old: readonly OldTick[]): LaneTicks {
  if (old.length === 0) return lane
  const d = {
    start: 0,
    width: 1,
    ins: [] as number[],
    outs: [] as number[],
    ...(lane.topics ? { topics: [] as (string | null)[] } : {}),
    ...(lane.errs ? { errs: [] as number[] } : {}),
    started: false,
  }
  for (const o of old) addTick(d, o.t, o.dir, o.count, d.topics ? (o.topic ?? '') : undefined)
  // Then what the lane drew live, bucket by bucket, at each bucket's start.
  const n = Math.max(lane.ins.length, lane.outs.length, lane.errs?.length ?? 0)
  for (let i = 0; i < n; i++) {
    const t = lane.start + i * lane.width
    const topic = lane.topics?.[i]
    const named = topic === null || topic === undefined || topic === '' ? undefined : topic
    const ins = lane.ins[i] ?? 0
    const outs = lane.outs[i] ?? 0
    const errs = lane.errs?.[i] ?? 0
    if (ins > 0 || errs > 0) addTick(d, t, 'in', ins, named, errs)
    if (outs > 0) addTick(d, t, 'out', outs, named)
  }
  const { started: _started, ...buckets } = d
  return { ...lane, ...buckets }
}

/** A gRPC half-close is a marker on its lane, not a message (as the live lane counts it). */
function isMessage(e: StreamEntry): boolean {
  return !(e.kind === 'control' && e.dir === 'out' && e.data === 'half-close')
}

function tickOf(e: StreamEntry): OldTick {
  return { t: e.t, dir: e.dir, count: 1, ...(e.event !== undefined ? { topic: e.event } : {}) }
}

/**
 * The ticks of the session's messages up to log seq `lastSeq` and before engine ms `before` (the lane's first
 * live tick: later ones it drew itself). Null when the log cannot be read (the session is gone from the engine).
 */
export async function readOldTicks(
  read: ReadLog,
  sid: string,
  lastSeq: number,
  before: number,
): Promise<OldTick[] | null> {
  const keep = (e: StreamEntry): boolean => e.seq <= lastSeq && e.t < before && isMessage(e)
  const first = await read(sid, 0, MAX_STREAM_READ)
  if (!first.ok) return null
  const total = first.value.total
  if (total <= RESTORE_EXACT_ENTRIES) {
    const out = first.value.entries.filter(keep).map(tickOf)
    for (let from = MAX_STREAM_READ, page = 1; from < total && page < RESTORE_PAGES; page++) {
      const res = await read(sid, from, MAX_STREAM_READ)
      if (!res.ok) return null
      for (const e of res.value.entries) if (keep(e)) out.push(tickOf(e))
      from += MAX_STREAM_READ
    }
    return out
  }
  // Spread pages: each stands for the messages up to the next one.
  const starts: number[] = []
  for (let k = 0; k < RESTORE_PAGES; k++)
    starts.push(Math.floor((k * (total - MAX_STREAM_READ)) / (RESTORE_PAGES - 1)))
  const pages: StreamEntry[][] = [first.value.entries]
  for (let k = 1; k < RESTORE_PAGES; k++) {
    const res = await read(sid, starts[k] ?? 0, MAX_STREAM_READ)
    if (!res.ok) return null
    pages.push(res.value.entries)
  }
  const out: OldTick[] = []
  for (let k = 0; k < pages.length; k++) {
    const entries = (pages[k] ?? []).filter(keep)
    for (const e of entries) out.push(tickOf(e))
    const last = entries[entries.length - 1]
    const next = (pages[k + 1] ?? []).find(keep)
    const between = (starts[k + 1] ?? total) - (starts[k] ?? 0) - (pages[k]?.length ?? 0)
    if (!last || !next || between <= 0 || entries.length === 0) continue
    const ins = entries.filter((e) => e.dir === 'in').length / entries.length
    const step = (next.t - last.t) / SPREAD_STEPS
    for (let j = 1; j <= SPREAD_STEPS; j++) {
      const share = Math.round((between * j) / SPREAD_STEPS) - Math.round((between * (j - 1)) / SPREAD_STEPS)
      const inCount = Math.round(share * ins)
      const t = last.t + step * j - step / 2
      if (inCount > 0) out.push({ t, dir: 'in', count: inCount })
      if (share - inCount > 0) out.push({ t, dir: 'out', count: share - inCount })
    }
  }
  return out
}

/**
 * The replayed sessions whose lanes drew fewer ticks than their tallies count (so messages from before the
 * page loaded are missing), newest last, at most MAX_LANES_RESTORED.
 */
export function lanesToRestore(
  lanes: Readonly<Record<string, LaneTicks>>,
  tallies: readonly StreamTally[],
): { sid: string; lastSeq: number; before: number }[] {
  const out: { sid: string; lastSeq: number; before: number }[] = []
  for (const tally of tallies) {
    const lane = lanes[tally.sid]
    if (!lane || tally.lastSeq < 0) continue
    let ticked = 0
    for (const n of lane.ins) ticked += n
    for (const n of lane.outs) ticked += n
    if (ticked >= lane.received + lane.sent) continue
    const live = ticked > 0 ? lane.start : Number.POSITIVE_INFINITY
    out.push({ sid: tally.sid, lastSeq: tally.lastSeq, before: live })
  }
  return out.slice(-MAX_LANES_RESTORED)
}
