import { rowOfLine, type Fold } from './fold-map'
import { LINE_PAGE, type LinePage } from './viewer-slice'

/**
 * Wrapping long lines in a windowed list whose rows all have one height. A line is cut into segments of
 * `cols` character cells (the pane's width divided by the monospace font's cell width); each segment is one
 * row of the list, so windowing stays exact arithmetic, nothing is measured in the DOM per row, and a 100 MB
 * body costs no more than without wrap.
 *
 * Only the lines the viewer holds (its cached pages) are known: every other line counts as one row until its
 * page arrives. The map lists just the known lines that take more than one row, sorted, with prefix sums, so
 * finding a row is a binary search. The list keeps the line at its top in place when a page above it arrives
 * (ScaledList's keepTop), so the text being read never jumps.
 */

/** Cells a tab advances to (the viewer's CSS tab-size). */
export const TAB_CELLS = 8

const PLAIN = /^[\x20-\x7e]*$/

/**
 * Cells a character takes in a monospace font: 2 for East Asian wide and fullwidth characters and emoji, 0 for
 * the common combining marks, zero-width characters and variation selectors, else 1. Plain number ranges (no
 * regular expression per character) keep a page of non-ASCII lines to a few milliseconds. A rarer combining
 * mark counted as 1 only makes a row end a little early; nothing is ever cut.
 */
function cellsOf(cp: number): number {
  if (cp < 0x300) return 1
  if (
    cp <= 0x36f ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  )
    return 0
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f000 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2
  return 1
}

/**
 * Walks `text` cutting it into rows of at most `width` cells; `onBreak` (when given) is told where each row
 * after the first starts. Returns the number of rows. A row ends after its last space when it has one past its
 * leading indentation (words stay whole, as editors wrap), else at the last character that fits (a long
 * token: base64, a URL). A character is never split, nor a surrogate pair; a combining mark stays with the
 * character before it. A row holding a tab is cut by characters (a tab's width depends on where it starts).
 */
function walk(text: string, width: number, onBreak: ((at: number) => void) | null): number {
  let rows = 1
  let cell = 0
  /** Where the text after the row's last usable space starts (-1: none yet), and the cells before it. */
  let wordAt = -1
  let wordCell = 0
  let sawText = false
  let sawTab = false
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i)
    let cp = c
    let len = 1
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1)
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000
        len = 2
      }
    }
    let w = cp === 9 ? Math.min(width, TAB_CELLS - (cell % TAB_CELLS)) : cellsOf(cp)
    if (cell + w > width && cell > 0 && w > 0) {
      rows++
      // A space that does not fit starts the next row (hanging past the edge would scroll sideways).
      if (cp !== 32 && wordAt > 0 && !sawTab && cell - wordCell + w <= width) {
        // The word in progress moves down whole.
        onBreak?.(wordAt)
        cell -= wordCell
      } else {
        onBreak?.(i)
        cell = 0
        if (cp === 9) w = Math.min(width, TAB_CELLS)
      }
      wordAt = -1
      sawText = true
      sawTab = false
    }
    cell += w
    i += len
    if (cp === 32) {
      if (sawText) {
        wordAt = i
        wordCell = cell
      }
    } else {
      sawText = true
      if (cp === 9) sawTab = true
    }
  }
  return rows
}

/** Where each segment of `text` starts (the first is 0) when it is cut into rows of `cols` cells. */
export function wrapBreaks(text: string, cols: number): number[] {
  const width = Math.max(1, Math.floor(cols))
  const out: number[] = [0]
  if (text.length <= width && PLAIN.test(text)) return out
  if (PLAIN.test(text) && !text.includes(' ')) {
    for (let i = width; i < text.length; i += width) out.push(i)
    return out
  }
  walk(text, width, (at) => out.push(at))
  return out
}

const pageBreaks = new WeakMap<LinePage, { cols: number; breaks: (number[] | undefined)[] }>()

/**
 * wrapBreaks for line `index` of a cached page, remembered with the page: a scroll redraws the same rows many
 * times a second and a long non-ASCII line costs a fraction of a millisecond to walk.
 */
export function pageLineBreaks(page: LinePage, index: number, cols: number): number[] {
  let hit = pageBreaks.get(page)
  if (!hit || hit.cols !== cols) {
    hit = { cols, breaks: [] }
    pageBreaks.set(page, hit)
  }
  let breaks = hit.breaks[index]
  if (breaks === undefined) {
    breaks = wrapBreaks(page.lines[index] ?? '', cols)
    hit.breaks[index] = breaks
  }
  return breaks
}

/** How many rows `text` takes wrapped at `cols` cells. */
export function wrapCount(text: string, cols: number): number {
  const width = Math.max(1, Math.floor(cols))
  if (text.length <= width && PLAIN.test(text)) return 1
  if (PLAIN.test(text) && !text.includes(' ')) return Math.max(1, Math.ceil(text.length / width))
  return walk(text, width, null)
}

/** Room a folded line's " … }" takes after its text. */
export const FOLD_TAIL = 4

export interface WrapMap {
  /** Rows of the list: every visible line's segments. */
  readonly rows: number
  /** The list row of a visible line's first segment. */
  rowOf(visibleLine: number): number
  /** Which visible line and which of its segments a list row shows. */
  at(row: number): { visible: number; segment: number }
}

/** The identity map: wrap off, one row a line. */
export function flatMap(visibleLines: number): WrapMap {
  return { rows: visibleLines, rowOf: (v) => v, at: (row) => ({ visible: row, segment: 0 }) }
}

const pageCounts = new WeakMap<LinePage, { cols: number; counts: Uint32Array }>()

/** Rows each line of a cached page takes at `cols` (remembered per page object, so a scroll costs nothing). */
function countsOf(page: LinePage, cols: number): Uint32Array {
  const hit = pageCounts.get(page)
  if (hit && hit.cols === cols) return hit.counts
  const counts = new Uint32Array(page.lines.length)
  page.lines.forEach((t, i) => (counts[i] = wrapCount(t, cols)))
  pageCounts.set(page, { cols, counts })
  return counts
}

/**
 * The wrap map for `visibleLines` lines (after folds) of a body of `total` lines, from the pages the viewer
 * holds. O(cached lines × folds) to build; rebuilt only when pages, folds or the width change.
 */
export function buildWrapMap(
  visibleLines: number,
  total: number,
  pages: ReadonlyMap<number, LinePage>,
  folds: readonly Fold[],
  folded: ReadonlyMap<number, number>,
  cols: number,
): WrapMap {
  const entries: [visible: number, extra: number][] = []
  for (const [p, page] of pages) {
    const counts = countsOf(page, cols)
    for (let i = 0; i < counts.length; i++) {
      const line = p * LINE_PAGE + i
      if (line >= total) break
      let n = counts[i] ?? 1
      if (folded.has(line)) n = wrapCount(`${page.lines[i] ?? ''}${' '.repeat(FOLD_TAIL)}`, cols)
      if (n <= 1) continue
      const v = rowOfLine(line, folds)
      // A line hidden inside a fold maps onto its fold's row: only the line actually shown counts.
      if (v >= visibleLines || (v !== line && hiddenByFold(line, folds))) continue
      entries.push([v, n - 1])
    }
  }
  if (entries.length === 0) return flatMap(visibleLines)
  entries.sort((a, b) => a[0] - b[0])
  const at = new Float64Array(entries.length)
  const extra = new Float64Array(entries.length)
  /** Extra rows of the entries before entry i. */
  const before = new Float64Array(entries.length + 1)
  entries.forEach(([v, e], i) => {
    at[i] = v
    extra[i] = e
    before[i + 1] = (before[i] ?? 0) + e
  })
  const n = entries.length
  /** Last entry whose key(i) <= x, or -1. */
  const search = (x: number, key: (i: number) => number): number => {
    let lo = 0
    let hi = n - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (key(mid) <= x) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
  return {
    rows: visibleLines + (before[n] ?? 0),
    rowOf: (v) => {
      const i = search(v - 1, (k) => at[k] ?? 0)
      return v + (i < 0 ? 0 : (before[i + 1] ?? 0))
    },
    at: (row) => {
      const i = search(row, (k) => (at[k] ?? 0) + (before[k] ?? 0))
      if (i < 0) return { visible: row, segment: 0 }
      const start = (at[i] ?? 0) + (before[i] ?? 0)
      if (row - start <= (extra[i] ?? 0)) return { visible: at[i] ?? 0, segment: row - start }
      return { visible: row - (before[i + 1] ?? 0), segment: 0 }
    },
  }
}

function hiddenByFold(line: number, folds: readonly Fold[]): boolean {
  for (const [o, c] of folds) {
    if (o >= line) return false
    if (line <= c) return true
  }
  return false
}
