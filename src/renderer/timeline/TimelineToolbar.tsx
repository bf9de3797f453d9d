import { useState, type ReactNode } from 'react'
import { HTTP_METHODS } from '../../shared/constants'
import { useAppStore, useAppStoreApi, useLiveClockApi } from '../store/store-context'
import { COLUMNS } from './columns'
import { HarMenu } from './HarMenu'
import type { GroupBy, ProtocolFilter, StatusClassFilter, ViewItem } from './table-view'
import { fitAllView, followView, freezeView, resolveWindow, timelineExtent, zoomView } from './time-view'

/** The Method filter's choices: HTTP methods (SSE streams go by theirs), and WS for WebSocket sessions. */
export const METHOD_FILTERS: readonly string[] = [...HTTP_METHODS, 'WS']

/**
 * Above the table: filters, grouping, columns, and the time window's controls (zoom, fit all, follow live).
 * Extra controls from other modules (HAR import/export) come in as `children`.
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
  const groupBy = useAppStore((s) => s.groupBy)
  const setGroupBy = useAppStore((s) => s.setGroupBy)
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
        value={filters.text}
        onChange={(e) => setFilters({ text: e.target.value })}
      />
      <select
        aria-label="Method filter"
        value={filters.method}
        onChange={(e) => setFilters({ method: e.target.value })}
      >
        <option value="all">Method</option>
        {METHOD_FILTERS.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <select
        aria-label="Status filter"
        value={filters.status}
        onChange={(e) => setFilters({ status: e.target.value as StatusClassFilter })}
      >
        <option value="all">Status</option>
        <option value="2xx">2xx</option>
        <option value="3xx">3xx</option>
        <option value="4xx">4xx</option>
        <option value="5xx">5xx</option>
      </select>
      <select
        aria-label="Protocol filter"
        value={filters.protocol}
        onChange={(e) => setFilters({ protocol: e.target.value as ProtocolFilter })}
      >
        <option value="all">Protocol</option>
        <option value="http/1.1">HTTP/1.1</option>
        <option value="h2">HTTP/2</option>
      </select>
      <label className="check" title="Failed, cancelled, 4xx and 5xx">
        <input
          type="checkbox"
          checked={filters.errorsOnly}
          onChange={(e) => setFilters({ errorsOnly: e.target.checked })}
        />
        Errors
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.inFlightOnly}
          onChange={(e) => setFilters({ inFlightOnly: e.target.checked })}
        />
        In flight
      </label>
      <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
        <option value="none">No groups</option>
        <option value="batch">By batch</option>
        <option value="origin">By origin</option>
      </select>
      <ColumnsMenu />
      {shown !== total ? (
        <span className="muted small num" aria-live="polite">
          {shown} of {total}
        </span>
      ) : null}
      <span className="spacer" />
      {marked > 0 ? (
        <span className="small compare-note">
          {marked === 1 ? 'Ctrl/Cmd+click a second row to compare' : 'Comparing 2'}
          <button type="button" className="link-button" onClick={clearCompare}>
            clear
          </button>
        </span>
      ) : null}
      <HarMenu items={items} />
      {children}
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

function ColumnsMenu() {
  const visible = useAppStore((s) => s.visibleColumns)
  const toggleColumn = useAppStore((s) => s.toggleColumn)
  const [open, setOpen] = useState(false)
  return (
    <span className="menu-wrap">
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
