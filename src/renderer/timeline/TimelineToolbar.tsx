import { useState, type ReactNode } from 'react'
import { useMenuDismiss } from '../hooks/use-menu-dismiss'
import { useAppStore, useAppStoreApi, useLiveClockApi } from '../store/store-context'
import { COLUMNS } from './columns'
import { DetailsPlacementSwitch } from './DetailsPlacementSwitch'
import { HarMenu } from './HarMenu'
import { WaterfallLegend } from './WaterfallLegend'
import { FilterControl, OPTIONAL_FILTERS } from './TimelineFilters'
import type { ViewItem } from './table-view'
import { fitAllView, followView, freezeView, resolveWindow, timelineExtent, zoomView } from './time-view'

export { METHOD_FILTERS } from './TimelineFilters'

/**
 * Above the table: filters, grouping, columns, where the details pane sits, and the time window's controls
 * (zoom, fit all, follow live). Extra controls from other modules (HAR import/export) come in as `children`.
 * It is always one line: as the panel narrows, the optional filters leave the line for the "More" menu
 * (container queries in timeline-toolbar.css), the last ones first.
 */
export function TimelineToolbar({
  shown,
  items,
  children,
}: {
  shown: number
  items: readonly ViewItem[]
  children?: ReactNode
}) {
  const filters = useAppStore((s) => s.tableFilters)
  const setFilters = useAppStore((s) => s.setFilters)
  const following = useAppStore((s) => s.timeView.follow)
  const total = useAppStore((s) => s.timeline.order.length)
  const marked = useAppStore((s) => s.compareSids.length)
  const clearCompare = useAppStore((s) => s.clearCompare)
  const store = useAppStoreApi()
  const clock = useLiveClockApi()

  const withExtent = (f: (s: ReturnType<typeof store.getState>) => void) => () => f(store.getState())
  const extentOf = (s: ReturnType<typeof store.getState>) => timelineExtent(s.timeline, clock.getState().now)
  const zoom = (factor: number) =>
    withExtent((s) => {
      const extent = extentOf(s)
      const win = resolveWindow(s.timeView, extent)
      if (win) s.setTimeView(zoomView(s.timeView, factor, (win.start + win.end) / 2, extent))
    })

  return (
    <div className="tl-toolbar" role="toolbar" aria-label="Timeline tools">
      <input
        type="search"
        className="tl-filter"
        placeholder="Filter"
        aria-label="Filter"
        title="Method, URL, status, name or trace id (trace:<id> shows one trace's requests and calls)"
        value={filters.text}
        onChange={(e) => setFilters({ text: e.target.value })}
      />
      {OPTIONAL_FILTERS.map((id) => (
        <FilterControl key={id} id={id} className={`tl-opt tl-opt-${id}`} />
      ))}
      <MoreMenu />
      <ColumnsMenu />
      {shown !== total ? (
        <span className="muted small num" aria-live="polite">
          {shown} of {total}
        </span>
      ) : null}
      <span className="spacer" />
      {marked > 0 ? (
        <span className="small compare-note">
          {marked === 1 ? 'Ctrl/Cmd+click another row' : 'Comparing 2'}
          <button type="button" className="link-button" onClick={clearCompare}>
            clear
          </button>
        </span>
      ) : null}
      <HarMenu items={items} />
      <WaterfallLegend />
      {children}
      <DetailsPlacementSwitch />
      <span className="segmented small" role="group" aria-label="Time window">
        <button type="button" className="segment" title="Zoom out (-)" onClick={zoom(1 / 1.5)}>
          −
        </button>
        <button type="button" className="segment" title="Zoom in (+)" onClick={zoom(1.5)}>
          +
        </button>
        <button
          type="button"
          className="segment"
          title="Fit all (0)"
          onClick={withExtent((s) => s.setTimeView(fitAllView(s.timeView, extentOf(s))))}
        >
          Fit all
        </button>
        <button
          type="button"
          className={following ? 'segment active' : 'segment'}
          aria-pressed={following}
          title="Keep the newest activity in view (F)"
          onClick={withExtent((s) =>
            s.setTimeView(
              s.timeView.follow ? freezeView(s.timeView, extentOf(s)) : followView(s.timeView, extentOf(s)),
            ),
          )}
        >
          Follow live
        </button>
      </span>
    </div>
  )
}

/** The optional filters that left the line, shown again here (timeline-toolbar.css decides which). */
function MoreMenu() {
  const [open, setOpen] = useState(false)
  const wrap = useMenuDismiss<HTMLSpanElement>(open, setOpen)
  return (
    <span className="menu-wrap tl-more" ref={wrap}>
      <button
        type="button"
        className="secondary-button small"
        aria-haspopup="true"
        aria-expanded={open}
        title="More filters"
        onClick={() => setOpen((o) => !o)}
      >
        More
      </button>
      {open ? (
        <div className="menu" role="group" aria-label="More filters" onMouseLeave={() => setOpen(false)}>
          {OPTIONAL_FILTERS.map((id) => (
            <FilterControl key={id} id={id} className={`more-opt more-opt-${id}`} />
          ))}
        </div>
      ) : null}
    </span>
  )
}

function ColumnsMenu() {
  const visible = useAppStore((s) => s.visibleColumns)
  const toggleColumn = useAppStore((s) => s.toggleColumn)
  const [open, setOpen] = useState(false)
  const wrap = useMenuDismiss<HTMLSpanElement>(open, setOpen)
  return (
    <span className="menu-wrap" ref={wrap}>
      <button
        type="button"
        className="secondary-button small"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Columns
      </button>
      {open ? (
        <div className="menu" role="group" aria-label="Columns" onMouseLeave={() => setOpen(false)}>
          {COLUMNS.map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={visible.includes(c.id)} onChange={() => toggleColumn(c.id)} />
              {c.label}
            </label>
          ))}
        </div>
      ) : null}
    </span>
  )
}
