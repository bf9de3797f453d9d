import type { PointerEvent as ReactPointerEvent } from 'react'
import { useAppStore } from '../store/store-context'
import { COLUMN_BY_ID, type ColumnLayout } from './columns'
import { HEADER_HEIGHT } from './waterfall-paint'

/**
 * Column headers: click to sort (ascending, descending, arrival order), drag the right edge to resize. The
 * waterfall's header cell is left empty for the canvas with the concurrency strip and the time ticks.
 */
export function TableHeader({ layout }: { layout: ColumnLayout }) {
  const sort = useAppStore((s) => s.tableSort)
  const sortBy = useAppStore((s) => s.sortBy)
  const setColumnWidth = useAppStore((s) => s.setColumnWidth)

  const startResize = (e: ReactPointerEvent<HTMLElement>, id: keyof typeof COLUMN_BY_ID, width: number) => {
    e.preventDefault()
    e.stopPropagation()
    const handle = e.currentTarget
    const x0 = e.clientX
    handle.setPointerCapture(e.pointerId)
    const move = (ev: PointerEvent): void => setColumnWidth(id, width + ev.clientX - x0)
    const up = (): void => {
      handle.removeEventListener('pointermove', move)
      handle.removeEventListener('pointerup', up)
      handle.removeEventListener('pointercancel', up)
    }
    handle.addEventListener('pointermove', move)
    handle.addEventListener('pointerup', up)
    handle.addEventListener('pointercancel', up)
  }

  return (
    <div className="tl-head" role="presentation" style={{ height: HEADER_HEIGHT }}>
      {layout.columns.map((c) => {
        const def = COLUMN_BY_ID[c.id]
        const dir = sort?.column === c.id ? sort.dir : null
        return (
          <div
            key={c.id}
            className={`th th-${c.id}${def.numeric ? ' num' : ''}`}
            style={{ left: c.x, width: c.width }}
            aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
          >
            <button
              type="button"
              className="th-button"
              title={`Sort by ${def.label.toLowerCase()}`}
              onClick={() => sortBy(c.id)}
            >
              {def.label}
              {dir ? <span aria-hidden="true">{dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
            </button>
            <span
              className="th-resize"
              role="separator"
              aria-orientation="vertical"
              aria-label={`Resize ${def.label}`}
              onPointerDown={(e) => startResize(e, c.id, c.width)}
              onDoubleClick={() => setColumnWidth(c.id, def.width)}
            />
          </div>
        )
      })}
    </div>
  )
}
