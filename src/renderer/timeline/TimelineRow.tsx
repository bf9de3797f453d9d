import { memo, useEffect, useRef, type CSSProperties } from 'react'
import { useAppStore } from '../store/store-context'
import { layoutSegments } from './segments'
import { displayPath, hostOf, isInFlight } from './session-row'
import { durationText, rowLabel, sizeText, statusClass, statusText } from './row-labels'

type CssVars = CSSProperties & Record<`--${string}`, number | string>

export const rowDomId = (sid: string): string => `tl-row-${sid}`

/**
 * One session's row. It re-renders only when its own row object or its selection changes: the bar is placed
 * by CSS variables (`--s`, `--e` per segment; `--t0`, `--k`, `--now` on the grid), so a moving axis or a
 * growing in-flight segment costs no React work here.
 */
export const TimelineRow = memo(function TimelineRow({ sid }: { sid: string }) {
  const row = useAppStore((s) => s.timeline.rows[sid])
  const selected = useAppStore((s) => s.selectedSid === sid)
  const select = useAppStore((s) => s.select)
  const cancel = useAppStore((s) => s.cancel)
  const ref = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' })
  }, [selected])

  if (!row) return null
  const inFlight = isInFlight(row)
  const { method, url, hop } = row.queued
  const segments = layoutSegments(row, row.lastT)
  const error = row.terminal?.type === 'error' ? row.terminal : null
  const title = error ? `${url}\n${error.code}: ${error.message}` : url

  return (
    <div
      ref={ref}
      id={rowDomId(sid)}
      role="row"
      aria-selected={selected}
      aria-label={rowLabel(row)}
      className={`tl-row${selected ? ' selected' : ''} state-${row.state}`}
      data-sid={sid}
      data-state={row.state}
      data-status={row.status ?? ''}
      data-start={row.queued.t}
      {...(row.end === null ? {} : { 'data-end': row.end })}
      onClick={() => select(sid)}
    >
      <div
        role="gridcell"
        className={`c-status ${statusClass(row)}`}
        title={error ? `${error.code}: ${error.message}` : undefined}
      >
        {inFlight ? <span className="live-dot" aria-hidden="true" /> : null}
        {statusText(row)}
      </div>
      <div role="gridcell" className="c-method">
        {method}
      </div>
      <div role="gridcell" className="c-name" title={title}>
        {hop > 0 ? (
          <span className="hop" aria-hidden="true">
            ↳
          </span>
        ) : null}
        <span className="path mono">{displayPath(url)}</span>
        <span className="host">{error ? error.message : hostOf(url)}</span>
      </div>
      <div role="gridcell" className="c-time num">
        {inFlight ? <span className="muted">…</span> : durationText(row)}
      </div>
      <div role="gridcell" className="c-size num">
        {sizeText(row)}
      </div>
      <div role="gridcell" className="c-bar">
        <div className="wf-track">
          {segments.map((seg) => (
            <div
              key={seg.phase + seg.start}
              className={seg.open ? 'seg open' : 'seg'}
              data-phase={seg.phase}
              style={{ '--s': seg.start, '--e': seg.end } as CssVars}
            />
          ))}
        </div>
      </div>
      <div role="gridcell" className="c-act">
        {inFlight ? (
          <button
            type="button"
            className="icon-button cancel-button"
            aria-label="Cancel"
            title="Cancel (Esc when selected)"
            onClick={(e) => {
              e.stopPropagation()
              void cancel(sid)
            }}
          >
            ×
          </button>
        ) : null}
      </div>
    </div>
  )
})
