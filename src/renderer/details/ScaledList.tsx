import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import { scaledWindow } from './scaled-window'

interface ScaledListProps {
  count: number
  rowHeight: number
  label: string
  renderRow: (index: number) => ReactNode
  /** Told which rows are on screen (first inclusive, last exclusive) whenever that changes. */
  onRange?: (first: number, last: number) => void
  /** Scroll so that `index` is in view whenever `seq` changes. */
  scrollTo?: { seq: number; index: number }
  className?: string
}

/**
 * A windowed list that stays usable past the browser's maximum element height: with 10 million rows the
 * scrollbar maps proportionally onto the rows instead of one pixel per pixel. Only the rows on screen are
 * in the DOM.
 */
export function ScaledList({
  count,
  rowHeight,
  label,
  renderRow,
  onRange,
  scrollTo,
  className,
}: ScaledListProps) {
  const ref = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ scrollTop: 0, height: 300 })

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = (): void => setView({ scrollTop: el.scrollTop, height: el.clientHeight })
    measure()
    const ro = new ResizeObserver(measure)
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  const w = scaledWindow(count, rowHeight, view.scrollTop, view.height)

  useEffect(() => {
    onRange?.(w.first, w.last)
  }, [w.first, w.last, onRange])

  const seq = scrollTo?.seq
  useEffect(() => {
    const el = ref.current
    if (!el || seq === undefined || !scrollTo) return
    el.scrollTop = w.scrollTopFor(scrollTo.index, view.height)
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
      onScroll={(e) =>
        setView({ scrollTop: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
      }
    >
      <div className="sl-space" style={{ height: w.contentHeight }}>
        <div className="sl-window" style={{ height: view.height }}>
          {rows}
        </div>
      </div>
    </div>
  )
}
