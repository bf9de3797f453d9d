import type { ServerTimingEntry } from '../../shared/server-timing'
import type { SessionRow } from './session-row'
import { layoutSegments } from './segments'

/**
 * Server-Timing entries as slices of a finished request's waiting phase: what the server says it spent
 * there, back to back from the moment the request was sent, in the order it listed them. The waterfall
 * draws only what fits: a slice is clipped at the end of the waiting phase, and one that starts past it is
 * not drawn (the hover card and the Timing tab print the true numbers, `clipped` marks it). Entries without
 * a duration time nothing and get no slice.
 */
export interface ServerSlice {
  name: string
  /** Engine ms, inside the waiting phase. */
  start: number
  end: number
  /** The server's own duration, whatever was drawn. */
  dur: number
  clipped: boolean
}

/** The entries of a row, when its server sent any. */
export function serverTimingEntries(row: SessionRow): readonly ServerTimingEntry[] {
  return row.terminal?.type === 'done' ? (row.terminal.serverTiming?.entries ?? []) : []
}

export function serverSlices(row: SessionRow): ServerSlice[] {
  const entries = serverTimingEntries(row)
  if (entries.length === 0) return []
  const wait = layoutSegments(row, row.lastT).find((s) => s.phase === 'wait')
  if (!wait || wait.end <= wait.start) return []
  const out: ServerSlice[] = []
  let cursor = wait.start
  for (const e of entries) {
    if (e.dur === undefined || !(e.dur > 0)) continue
    if (cursor >= wait.end) break
    const end = Math.min(wait.end, cursor + e.dur)
    out.push({ name: e.name, start: cursor, end, dur: e.dur, clipped: cursor + e.dur > wait.end })
    cursor = end
  }
  return out
}
