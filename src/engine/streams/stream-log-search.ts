import type { StreamDirection, StreamMessageKind } from '../../shared/timeline'
import type { StreamFilter } from '../../shared/streams'
import type { ReplayedEvent } from '../sse/sse-ids'
import { TopicMatcher } from './stream-log-topic'

/**
 * A stream log's filtered reads: which entries match a filter (kind, direction, MQTT topic filter, text ignoring ASCII case),
 * found incrementally and kept while the same filter is asked for again.
 */

/** Scanning time one filtered read spends at most; past it, it answers `complete: false` and resumes next call. */
export const SCAN_BUDGET_MS = 250
/**
 * A filtered read as a command scans at most this long before the event loop gets a turn: the engine's thread
 * carries traffic (in Electron it is the main process), and 250 ms in one go stalls every request and window.
 */
export const SCAN_SLICE_MS = 8
/** Wall time one sliced read takes at most, turns given to others included, before it answers as it is. */
const SCAN_WALL_MS = 2_000
/** Slices one read runs at most (the budget's worth, with room for slices cut short). */
const MAX_SLICES = 4 * Math.ceil(SCAN_BUDGET_MS / SCAN_SLICE_MS)

/**
 * Run `slice(deadline)` (true when it has scanned all it may) in slices of SCAN_SLICE_MS, yielding to the event
 * loop between them, until it is done or SCAN_BUDGET_MS of scanning (or SCAN_WALL_MS of wall time) is spent.
 * `alive` is asked after each yield: a log let go meanwhile ends the read with an error.
 */
export async function scanInSlices(
  slice: (deadline: number) => boolean,
  alive: () => boolean,
): Promise<void> {
  const started = performance.now()
  let spent = 0
  for (let n = 0; n < MAX_SLICES; n++) {
    const t0 = performance.now()
    const done = slice(t0 + Math.min(SCAN_SLICE_MS, SCAN_BUDGET_MS - spent))
    const t1 = performance.now()
    spent += t1 - t0
    if (done || spent >= SCAN_BUDGET_MS || t1 - started >= SCAN_WALL_MS) return
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (!alive()) throw new Error('The stream log was let go during the search')
  }
}

export interface FilterState {
  key: string
  needle: Buffer | null
  /** The needle as text (held entries are searched as strings). */
  needleText: string
  kinds: Set<StreamMessageKind> | null
  dir: StreamDirection | undefined
  /** The MQTT topic filter the entry's name must match (messages only). */
  topic: TopicMatcher | null
  /** Entries examined so far; matches are seqs in order. */
  scanned: number
  matches: number[]
}

export function makeFilterState(key: string, filter: StreamFilter): FilterState {
  return {
    key,
    needle: filter.text ? Buffer.from(filter.text.toLowerCase()) : null,
    needleText: filter.text ? filter.text.toLowerCase() : '',
    kinds: filter.kinds && filter.kinds.length > 0 ? new Set(filter.kinds) : null,
    dir: filter.dir,
    topic: filter.topic ? new TopicMatcher(filter.topic) : null,
    scanned: 0,
    matches: [],
  }
}

/** ASCII letters lower-cased, the rest as it is (as the search of records folds bytes). */
export function foldAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s
}

export function isEmptyFilter(f: StreamFilter): boolean {
  return !f.text && !f.dir && !(f.kinds && f.kinds.length > 0) && !f.topic
}

/** ASCII case-insensitive search for a lower-cased needle (non-ASCII bytes must match exactly). */
export function containsFolded(hay: Buffer, needle: Buffer): boolean {
  const n = needle.length
  if (n === 0) return true
  const first = needle[0] as number
  outer: for (let i = 0; i + n <= hay.length; i++) {
    if (lower(hay[i] as number) !== first) continue
    for (let j = 1; j < n; j++) if (lower(hay[i + j] as number) !== needle[j]) continue outer
    return true
  }
  return false
}

function lower(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b
}

/** Does a held SSE event (its data, type or id) contain the lower-cased `needleText`, ignoring ASCII case? */
export function heldContains(held: ReplayedEvent, needleText: string): boolean {
  return (
    foldAscii(held.data).includes(needleText) ||
    foldAscii(held.event ?? 'message').includes(needleText) ||
    (held.id !== '' && foldAscii(held.id).includes(needleText))
  )
}

/** Does a record (its data, event name or id) contain the lower-cased `needle`, ignoring ASCII case? */
export function recordContains(buf: Buffer, needle: Buffer): boolean {
  // The record's parts, not its length fields: a length byte can look like a letter.
  const evLen = buf.readUInt16LE(0)
  const ev = evLen === 0xffff ? 0 : evLen
  const idLen = buf.readUInt16LE(2 + ev)
  const idn = idLen === 0xffff ? 0 : idLen
  return (
    containsFolded(buf.subarray(4 + ev + idn), needle) ||
    (ev > 0 && containsFolded(buf.subarray(2, 2 + ev), needle)) ||
    (idn > 0 && containsFolded(buf.subarray(4 + ev, 4 + ev + idn), needle))
  )
}
