import type { StreamDirection, StreamMessageKind } from '../../shared/timeline'
import type { StreamFilter } from '../../shared/streams'

/**
 * A stream log's filtered reads: which entries match a filter (kind, direction, text ignoring ASCII case),
 * found incrementally and kept while the same filter is asked for again.
 */

export interface FilterState {
  key: string
  needle: Buffer | null
  /** The needle as text (held entries are searched as strings). */
  needleText: string
  kinds: Set<StreamMessageKind> | null
  dir: StreamDirection | undefined
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
    scanned: 0,
    matches: [],
  }
}

/** ASCII letters lower-cased, the rest as it is (as the search of records folds bytes). */
export function foldAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s
}

export function isEmptyFilter(f: StreamFilter): boolean {
  return !f.text && !f.dir && !(f.kinds && f.kinds.length > 0)
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
