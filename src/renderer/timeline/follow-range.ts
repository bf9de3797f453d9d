import { defaultRangeExtractor, type Range } from '@tanstack/react-virtual'

/**
 * The row indexes the virtual list renders: the virtualizer's own range (where the list is scrolled), or while
 * following live the rows at the bottom, where the commit that lists new rows scrolls to (with the virtualizer's
 * range when it touches them).
 *
 * The virtualizer learns of that scroll from the scroll event, in the next frame: with its range alone, the
 * rows scrolled into view were mounted then, in the frame's task, beside the waterfall's paint and the page's
 * layout, which made a burst's longest tasks. With the bottom rows here they are mounted in the task that
 * applied the batch, and the frame finds them rendered.
 */
export function followRange(
  range: Range,
  following: boolean,
  viewportHeight: number,
  rowHeight: number,
): number[] {
  const own = defaultRangeExtractor(range)
  if (!following || range.count === 0 || rowHeight <= 0) return own
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight)
  const from = Math.max(0, range.count - visible - range.overscan)
  const first = own[0]
  const last = own[own.length - 1]
  // A range far above the bottom (the commit listed many rows at once) is not rendered: the frame scrolls to the
  // bottom before it paints, so those rows would be laid out in that frame and never shown (and unmounted in the
  // next, when the scroll reaches the virtualizer).
  const start = first !== undefined && last !== undefined && last >= from - 1 ? Math.min(first, from) : from
  const tail: number[] = []
  for (let i = start; i < range.count; i++) tail.push(i)
  return tail
}
