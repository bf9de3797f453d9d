import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import { flushSync } from 'react-dom'
import { scaledWindow } from './scaled-window'

/**
 * Keeps what the person is reading at the top edge when rows above it change (a wrapped page of lines arrives,
 * the pane is resized, wrap is switched): `anchorOf` names what is at a (fractional) top row, `offsetOf` finds
 * where it is now. A new `keepTop` object means "the rows changed": the list scrolls to the anchor's new place
 * before the browser paints.
 */
export interface KeepTop<A> {
  anchorOf(offsetRows: number): A
  offsetOf(anchor: A): number
}

interface ScaledListProps<A> {
  count: number
  rowHeight: number
  label: string
  renderRow: (index: number) => ReactNode
  /** Told which rows are on screen (first inclusive, last exclusive) whenever that changes. */
  onRange?: (first: number, last: number) => void
  /**
   * Scroll so that `index` is in view (roughly centred, or at the top edge) whenever `seq` changes. `anchor`,
   * when given, is what is kept in place from then on (a search hit's line and column), instead of what row
   * `index` shows now.
   */
  scrollTo?: { seq: number; index: number; align?: 'center' | 'top'; anchor?: A }
  keepTop?: KeepTop<A>
  className?: string
}

/**
 * A windowed list that stays usable past the browser's maximum element height: with 10 million rows the
 * scrollbar maps proportionally onto the rows instead of one pixel per pixel. Only the rows on screen are
 * in the DOM.
 */
export function ScaledList<A = never>({
  count,
  rowHeight,
  label,
  renderRow,
  onRange,
  scrollTo,
  keepTop,
  className,
}: ScaledListProps<A>) {
  const ref = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ scrollTop: 0, height: 300 })
  /** What to keep in place, and how many rows below the top edge it is. */
  const anchor = useRef<{ value: A; below: number } | null>(null)
  /** The scrollTop this list set itself: its scroll event must not move the anchor (a search hit's, say). */
  const ownScroll = useRef<number | null>(null)

  /** True until the list is scrolled (by the person or by itself): its scrollTop is then still 0. */
  const atTop = useRef(true)

  const setScrollTop = (el: HTMLDivElement, top: number): void => {
    atTop.current = false
    el.scrollTop = top
    ownScroll.current = el.scrollTop
    setView({ scrollTop: el.scrollTop, height: el.clientHeight })
  }

  /** Read the scroll position after the browser moved it; the person scrolled, so keep their top edge. */
  const sync = (el: HTMLDivElement): void => {
    atTop.current = false
    setView({ scrollTop: el.scrollTop, height: el.clientHeight })
    if (ownScroll.current !== null && Math.abs(ownScroll.current - el.scrollTop) < 1) return
    ownScroll.current = null
    if (keepTop) {
      const top = scaledWindow(count, rowHeight, el.scrollTop, el.clientHeight).offsetRows
      anchor.current = { value: keepTop.anchorOf(top), below: 0 }
    }
  }

  // The list's height is read in the ResizeObserver's callbacks, the first of them in the frame that lays the
  // new list out (after its layout, before its paint), and the rows for it are rendered there at once, so that
  // frame shows the pane full. Read in the commit that mounts the list, it forced a layout of the whole page
  // inside that commit's task: a live burst's task applying a batch laid out the timeline's new rows (1-7 ms).
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => {
      const next = { scrollTop: el.scrollTop, height: el.clientHeight }
      flushSync(() => setView((v) => (v.scrollTop === next.scrollTop && v.height === next.height ? v : next)))
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const w = scaledWindow(count, rowHeight, view.scrollTop, view.height)

  useEffect(() => {
    onRange?.(w.first, w.last)
  }, [w.first, w.last, onRange])

  useLayoutEffect(() => {
    if (!keepTop) return
    if (anchor.current === null) {
      // The first rows: the list is where this render drew it from.
      anchor.current = { value: keepTop.anchorOf(w.offsetRows), below: 0 }
      return
    }
    const el = ref.current
    if (!el) return
    const was = anchor.current
    const want = Math.max(0, keepTop.offsetOf(was.value) - was.below)
    // Still at the top it mounted at, and the anchor still there: nothing to move, and reading the position
    // would force a layout of the page inside this commit (a body opened during a live burst gets its first
    // lines in the task applying a batch, which then laid out the timeline's new rows).
    if (atTop.current && want < 0.01) return
    const now = scaledWindow(count, rowHeight, el.scrollTop, el.clientHeight)
    if (Math.abs(want - now.offsetRows) > 0.01) setScrollTop(el, now.scrollTopForOffset(want))
    // Only new rows (a new keepTop) move the view; the count changes with them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keepTop])

  const seq = scrollTo?.seq
  useLayoutEffect(() => {
    const el = ref.current
    if (!el || seq === undefined || !scrollTo) return
    // Still at its top and asked for the top (a body just opened): no scroll, and no read of the position
    // forcing a layout inside the commit that mounted the list.
    const index = scrollTo.index
    if (
      atTop.current &&
      (scrollTo.align === 'top' ? w.scrollTopForOffset(index) : w.scrollTopFor(index, 0)) < 1
    ) {
      if (keepTop)
        anchor.current = { value: scrollTo.anchor ?? keepTop.anchorOf(index), below: index - w.offsetRows }
      return
    }
    const top =
      scrollTo.align === 'top'
        ? w.scrollTopForOffset(scrollTo.index)
        : w.scrollTopFor(scrollTo.index, el.clientHeight)
    setScrollTop(el, top)
    // Keep the row asked for where it landed while the rows above it settle.
    if (keepTop) {
      const offset = scaledWindow(count, rowHeight, el.scrollTop, el.clientHeight).offsetRows
      anchor.current = {
        value: scrollTo.anchor ?? keepTop.anchorOf(scrollTo.index),
        below: scrollTo.index - offset,
      }
    }
    // Only a new request scrolls; a growing list must not move the view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seq])

  const rows: ReactNode[] = []
  for (let i = w.first; i < w.last; i++) {
    rows.push(
      <div key={i} className="sl-row" style={{ top: (i - w.offsetRows) * rowHeight, height: rowHeight }}>
        {renderRow(i)}
      </div>,
    )
  }
  return (
    <div
      ref={ref}
      className={`sl-scroll ${className ?? ''}`}
      role="list"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => sync(e.currentTarget)}
    >
      <div className="sl-space" style={{ height: w.contentHeight }}>
        <div className="sl-window" style={{ height: view.height }}>
          {rows}
        </div>
      </div>
    </div>
  )
}
