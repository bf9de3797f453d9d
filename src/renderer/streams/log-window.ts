import type { StreamLogCut } from '../../shared/stream-log-cut'
import type { StreamEntry, StreamFilter } from '../../shared/streams'
import type { AppError } from '../../shared/result'

/**
 * The message log's window: the renderer holds only the entries around what is on screen, read from the
 * engine by range as the list scrolls or grows. Pure helpers for when to read and what.
 */

export interface LogView {
  sid: string
  filter: StreamFilter
  /** Index (in the log, or among filter matches) of `entries[0]`. */
  from: number
  entries: readonly StreamEntry[]
  /** Entries (or matches) in the log at the last read. */
  total: number
  /** False while a filtered scan in the engine has not reached the end of the log. */
  complete: boolean
  /** The filtered scan stopped asking after MAX_SCAN_ASKS reads, incomplete: the person may go on. */
  scanPaused: boolean
  /** With a filter: how many of the log's entries (from its start) the engine's scan has looked at; null without. */
  scanned: number | null
  loading: boolean
  error: AppError | null
  /** Keep the newest message in view as messages arrive. */
  follow: boolean
  selectedSeq: number | null
  /** Messages the session's log did not keep, and where and why it was cut, at the last read. */
  dropped: number
  cut: StreamLogCut | null
}

/** Entries read around the visible ones, so small scrolls need no read. */
export const OVERSCAN = 60
/** Most entries one read asks for (and the window holds). */
export const MAX_WINDOW = 600
/** Reads a filtered scan is asked to go on, after a filter change, before it waits for the person. */
export const MAX_SCAN_ASKS = 200

export function emptyLogView(sid: string): LogView {
  return {
    sid,
    filter: {},
    from: 0,
    entries: [],
    total: 0,
    complete: true,
    scanPaused: false,
    scanned: null,
    loading: false,
    error: null,
    follow: true,
    selectedSeq: null,
    dropped: 0,
    cut: null,
  }
}

/** True when rows `first..last` (inclusive, clamped to `total`) are not all in the window. */
export function needsRead(view: LogView, first: number, last: number, total: number): boolean {
  const lo = Math.max(0, Math.min(first, total - 1))
  const hi = Math.max(lo, Math.min(last, total - 1))
  if (total === 0) return false
  const end = view.from + view.entries.length
  return lo < view.from || hi >= end
}

/** The range to read for visible rows `first..last`: with overscan, at most MAX_WINDOW entries. */
export function readRange(first: number, last: number, total: number): { from: number; count: number } {
  const visible = Math.max(1, last - first + 1)
  const count = Math.min(MAX_WINDOW, visible + 2 * OVERSCAN)
  let from = Math.max(0, first - OVERSCAN)
  if (from + count > total) from = Math.max(0, total - count)
  return { from, count: Math.max(1, count) }
}

/** The filter as a stable key (a change of filter starts a new view). */
export function filterKey(f: StreamFilter): string {
  return JSON.stringify([f.text ?? '', f.dir ?? '', [...(f.kinds ?? [])].sort(), f.topic ?? ''])
}

export function isFiltered(f: StreamFilter): boolean {
  return Boolean(f.text) || f.dir !== undefined || (f.kinds?.length ?? 0) > 0 || Boolean(f.topic)
}
