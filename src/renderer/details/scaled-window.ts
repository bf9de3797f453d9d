/** Browsers cap an element's height (Chromium near 33.5 million px); stay well under it. */
export const MAX_SCROLL_PX = 8_000_000

export interface ScaledWindow {
  contentHeight: number
  /** Rows to draw: [first, last). */
  first: number
  last: number
  /** Fractional row shown at the top edge: row i is drawn at (i - offsetRows) * rowHeight. */
  offsetRows: number
  /** The scrollTop that brings `index` into view (roughly centred). */
  scrollTopFor(index: number, viewport: number): number
  /** The scrollTop that puts (fractional) row `offset` exactly at the top edge. */
  scrollTopForOffset(offset: number): number
}

/**
 * Which rows a scrolled list shows. Up to MAX_SCROLL_PX the list scrolls a pixel per pixel; past it the scroll
 * range is mapped proportionally onto the rows, so any row of a 10-million-row list can be reached.
 */
export function scaledWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
): ScaledWindow {
  const natural = count * rowHeight
  const contentHeight = Math.max(Math.min(natural, MAX_SCROLL_PX), 1)
  const range = Math.max(1, contentHeight - viewport)
  const rowsRange = Math.max(0, count - viewport / rowHeight)
  const top = Math.min(Math.max(0, scrollTop), range)
  const offsetRows = natural <= MAX_SCROLL_PX ? top / rowHeight : (top / range) * rowsRange
  const first = Math.max(0, Math.floor(offsetRows))
  const last = Math.min(count, Math.ceil(offsetRows + viewport / rowHeight) + 1)
  const scrollTopFor = (index: number, vp: number): number => {
    const target = Math.max(0, index - vp / rowHeight / 2)
    if (natural <= MAX_SCROLL_PX) return target * rowHeight
    return rowsRange > 0 ? (Math.min(target, rowsRange) / rowsRange) * range : 0
  }
  const scrollTopForOffset = (offset: number): number => {
    const o = Math.max(0, offset)
    if (natural <= MAX_SCROLL_PX) return o * rowHeight
    return rowsRange > 0 ? (Math.min(o, rowsRange) / rowsRange) * range : 0
  }
  return { contentHeight, first, last, offsetRows, scrollTopFor, scrollTopForOffset }
}
