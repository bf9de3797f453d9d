import { useEffect, useRef, type KeyboardEvent } from 'react'
import { useAppStore } from '../store/store-context'
import { AxisHeader } from './AxisHeader'
import { rowDomId, TimelineRow } from './TimelineRow'
import { useAxisVars } from './use-axis'

/**
 * The live timeline: one row per session on a shared time axis. The column header sits outside the grid
 * (sticky in the same scroller, so columns line up), so the grid's rows are exactly the sessions. Rows have a fixed height and are rendered from `order`, which
 * is what a windowed list (issue 3) will slice.
 */
export function Timeline() {
  const order = useAppStore((s) => s.timeline.order)
  const selectedSid = useAppStore((s) => s.selectedSid)
  const moveSelection = useAppStore((s) => s.moveSelection)
  const selectEdge = useAppStore((s) => s.selectEdge)
  const gridRef = useRef<HTMLDivElement>(null)
  const scrollRef = useRef<HTMLDivElement>(null)
  const stick = useRef(true)
  useAxisVars(gridRef)

  // Follow new rows while the person is at the bottom; stay put once they scroll up to read.
  useEffect(() => {
    const el = scrollRef.current
    if (el && stick.current) el.scrollTop = el.scrollHeight
  }, [order.length])

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveSelection(1),
      ArrowUp: () => moveSelection(-1),
      PageDown: () => moveSelection(10),
      PageUp: () => moveSelection(-10),
      Home: () => selectEdge('first'),
      End: () => selectEdge('last'),
    }
    const move = moves[e.key]
    if (!move || e.ctrlKey || e.metaKey || e.altKey) return
    e.preventDefault()
    move()
  }

  return (
    <section className="timeline" aria-label="Timeline panel">
      <div
        ref={scrollRef}
        className="tl-scroll"
        onScroll={(e) => {
          const el = e.currentTarget
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 4
        }}
      >
        <div className="tl-head" aria-hidden="true">
          <div className="c-status">Status</div>
          <div className="c-method">Method</div>
          <div className="c-name">Name</div>
          <div className="c-time num">Time</div>
          <div className="c-size num">Size</div>
          <div className="c-bar">
            <AxisHeader />
          </div>
          <div className="c-act" />
        </div>
        <div
          ref={gridRef}
          className="tl-grid"
          role="grid"
          aria-label="Timeline"
          aria-rowcount={order.length}
          aria-activedescendant={selectedSid === null ? undefined : rowDomId(selectedSid)}
          tabIndex={0}
          onKeyDown={onKeyDown}
        >
          {order.map((sid) => (
            <TimelineRow key={sid} sid={sid} />
          ))}
        </div>
      </div>
      {order.length === 0 ? (
        <div className="tl-empty">
          <p>Nothing on the timeline yet.</p>
          <p className="muted">
            Type a URL and press <kbd>Ctrl</kbd>+<kbd>Enter</kbd>, or fire many at once with <em>Send ×N</em>.
          </p>
        </div>
      ) : null}
    </section>
  )
}
