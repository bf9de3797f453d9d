import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual'
import { useCallback, useLayoutEffect, useRef, useState, type FocusEvent } from 'react'
import { flushSync } from 'react-dom'

/** Rows drawn beyond each edge of the column, so Tab and the arrow-scrolled column find the next row drawn. */
const OVERSCAN = 10

/**
 * A list in the docs column drawn only where the column shows it: a windowed list over the column's own scroll
 * (the nearest ancestor that scrolls), rows measured as drawn. The row holding focus stays drawn while the
 * column scrolls away from it. The list's element takes `height: getTotalSize()`, each row `data-index`, its
 * offset `row.start - margin` and `ref={measure}`, and the list's onFocus/onBlur.
 */
export function useColumnWindow<L extends HTMLElement>({
  count,
  rowEstimate,
  initialScroll,
  keyOf,
}: {
  count: number
  /** A row's height before it is measured, px. */
  rowEstimate: number
  /** The column's scroll to start at: the windowed list puts the column there as it takes it over. */
  initialScroll: number | (() => number)
  keyOf(index: number): string | number
}) {
  const listRef = useRef<L>(null)
  const [scroller, setScroller] = useState<HTMLElement | null>(null)
  const [margin, setMargin] = useState(0)
  // The column that scrolls, and where the list starts in it: read after every commit, no dependency list on
  // purpose (a description above the list rewraps when the column narrows), set only when it changed, so it
  // settles in one more commit at most. The first reading waits for the next frame and that frame's layout: read
  // in the task that drew the list, it forced the layout of the whole page just drawn inside that task (the
  // longest task of a big schema's arrival), and the list draws its rows only once it knows its column.
  useLayoutEffect(() => {
    const list = listRef.current
    if (!list) return
    const measure = (): void => {
      const el = scrollingAncestor(list)
      if (el !== scroller) setScroller(el)
      const top = list.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop
      if (Math.abs(top - margin) > 0.5) setMargin(top)
    }
    if (scroller) return measure()
    const frame = requestAnimationFrame(() => flushSync(measure))
    return () => cancelAnimationFrame(frame)
  })

  const focused = useRef<number | null>(null)
  const rangeExtractor = useCallback((range: Range) => {
    const drawn = defaultRangeExtractor(range)
    const at = focused.current
    if (at === null || at >= range.count || drawn.includes(at)) return drawn
    return [...drawn, at].sort((a, b) => a - b)
  }, [])
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller,
    estimateSize: () => rowEstimate,
    overscan: OVERSCAN,
    scrollMargin: margin,
    initialOffset: initialScroll,
    rangeExtractor,
    getItemKey: keyOf,
  })
  const onFocus = (e: FocusEvent<L>): void => {
    const row = (e.target as HTMLElement).closest('li')
    focused.current = row ? Number(row.dataset.index) : null
  }
  const onBlur = (e: FocusEvent<L>): void => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) focused.current = null
  }
  return { listRef, virtualizer, margin, onFocus, onBlur }
}

/** The nearest ancestor that scrolls vertically (the docs column), or the document's scroller. */
export function scrollingAncestor(el: HTMLElement): HTMLElement {
  for (let at = el.parentElement; at; at = at.parentElement) {
    const { overflowY } = getComputedStyle(at)
    if (overflowY === 'auto' || overflowY === 'scroll') return at
  }
  return document.scrollingElement instanceof HTMLElement ? document.scrollingElement : document.body
}

/**
 * Scrolls the docs column so `el` (a list's filter, held at the column's top once there) sits at its top: what is
 * typed into a filter shows its matches in the column's whole height under it, not in what the tools and headings
 * above leave of a short column.
 */
export function scrollToColumnTop(el: HTMLElement): void {
  const column = scrollingAncestor(el)
  const below = el.getBoundingClientRect().top - column.getBoundingClientRect().top
  if (below > 0.5) column.scrollTop += below
}
