/**
 * Which rows the timeline's table renders. Every row is ROW_HEIGHT high, so where a row is, which rows a scroll
 * offset shows and where to scroll to show one are arithmetic: O(1) whatever the number of rows. (A virtual list
 * library keeps a measurement per row and recomputed all of them whenever the row count changed: every batch of
 * a burst, ~0.85 ms at 15,000 rows.)
 */

/** The rows on screen (`startIndex`..`endIndex`) among `count`, and how many more to render on each side. */
export interface RowRange {
  readonly startIndex: number
  readonly endIndex: number
  readonly overscan: number
  readonly count: number
}

/**
 * The rows a viewport `viewportHeight` high shows scrolled to `scrollTop`; null when it shows none (no rows, or
 * no room). An offset past the end (the list shrank before the scroll event told us) reads as the end.
 */
export function rowsAt(
  scrollTop: number,
  viewportHeight: number,
  count: number,
  rowHeight: number,
  overscan: number,
): RowRange | null {
  if (count <= 0 || viewportHeight <= 0 || rowHeight <= 0) return null
  const top = Math.max(0, Math.min(scrollTop, count * rowHeight - viewportHeight))
  const startIndex = Math.min(count - 1, Math.floor(top / rowHeight))
  const endIndex = Math.min(
    count - 1,
    Math.max(startIndex, Math.ceil((top + viewportHeight) / rowHeight) - 1),
  )
  return { startIndex, endIndex, overscan, count }
}

/**
 * The empty room under the last row that lets the list, scrolled to its end, start at a row's top: without it a
 * list a fraction of a row taller than its viewport showed, scrolled to the end (as Follow live keeps it), its
 * first row cut in half under the sticky header. Zero while the rows fit.
 */
export function tailRoom(count: number, viewportHeight: number, rowHeight: number): number {
  if (rowHeight <= 0 || viewportHeight <= 0 || count * rowHeight <= viewportHeight) return 0
  return Math.round(viewportHeight % rowHeight)
}

/** The scrollTop of the list's end (the newest rows in view, the top row whole): where Follow live keeps it. */
export function endScrollTop(count: number, viewportHeight: number, rowHeight: number): number {
  return Math.max(0, count * rowHeight + tailRoom(count, viewportHeight, rowHeight) - viewportHeight)
}

/**
 * The scrollTop that brings row `index` into view, the least scroll that does (its top at the top when it is
 * above, its bottom at the bottom when below); null when it is in view already.
 */
export function scrollTopToShow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const start = index * rowHeight
  const end = start + rowHeight
  if (start < scrollTop) return start
  if (end > scrollTop + viewportHeight) return Math.max(0, end - viewportHeight)
  return null
}

/**
 * The row indexes to render: the range where the list is scrolled with its overscan, or while following live
 * the rows at the bottom, where the commit that lists new rows scrolls to (with the scrolled range when it
 * touches them).
 *
 * The list learns of that scroll from the scroll event, in the next frame: with its range alone, the rows
 * scrolled into view were mounted then, in the frame's task, beside the waterfall's paint and the page's
 * layout, which made a burst's longest tasks. With the bottom rows here they are mounted in the task that
 * applied the batch, and the frame finds them rendered.
 */
export function followRange(
  range: RowRange,
  following: boolean,
  viewportHeight: number,
  rowHeight: number,
): number[] {
  const first = Math.max(0, range.startIndex - range.overscan)
  const last = Math.min(range.count - 1, range.endIndex + range.overscan)
  const rows: number[] = []
  if (!following || range.count === 0 || rowHeight <= 0) {
    for (let i = first; i <= last; i++) rows.push(i)
    return rows
  }
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight)
  const from = Math.max(0, range.count - visible - range.overscan)
  // A range far above the bottom (the commit listed many rows at once) is not rendered: the frame scrolls to the
  // bottom before it paints, so those rows would be laid out in that frame and never shown (and unmounted in the
  // next, when the scroll event reaches the list).
  const start = last >= from - 1 ? Math.min(first, from) : from
  for (let i = start; i < range.count; i++) rows.push(i)
  return rows
}
