import { memo, useLayoutEffect, useRef, type MouseEvent, type ReactNode } from 'react'
import { groupDigits } from '../../shared/group-digits'
import { bidiVisible, VisibleControls, VisibleLine } from '../app/VisibleControls'
import { useAppStore } from '../store/store-context'
import { connectionText, protocolText, remoteText, startedText, type ColumnId } from './columns'
import { isInFlight, jobRunning, rowName, type SessionRow } from './session-row'
import {
  durationText,
  jobBadge,
  methodText,
  rowLabel,
  sizeText,
  statusClass,
  statusText,
  statusTitle,
} from './row-labels'
import { isImported, type GroupItem } from './table-view'
import { scriptRowBadge } from '../scripts/row-scripts'

export const rowDomId = (sid: string): string => `tl-row-${sid}`

interface RowProps {
  sid: string
  index: number
  top: number
  columns: readonly ColumnId[]
}

/**
 * One session's row in the table. Only rows on screen are mounted (the list is virtualised), and a row
 * re-renders only when its own session, its selection, pin or comparison mark changes. The waterfall cell
 * stays empty: the bars are painted on the canvas laid over that column.
 */
export const TimelineRow = memo(function TimelineRow({ sid, index, top, columns }: RowProps) {
  const row = useAppStore((s) => s.timeline.rows[sid])
  const selected = useAppStore((s) => s.selectedSid === sid)
  const pinned = useAppStore((s) => s.pinned.has(sid))
  const marked = useAppStore((s) => s.compareSids.includes(sid))
  const select = useAppStore((s) => s.select)
  const toggleCompare = useAppStore((s) => s.toggleCompare)
  const cancel = useAppStore((s) => s.cancel)
  const togglePin = useAppStore((s) => s.togglePin)
  const element = useRef<HTMLDivElement>(null)
  useFocusLeavesWithSession(element, sid)

  if (!row) return null
  const inFlight = isInFlight(row)
  const onClick = (e: MouseEvent): void => {
    if (e.ctrlKey || e.metaKey) toggleCompare(sid)
    else select(sid)
  }

  return (
    <div
      ref={element}
      id={rowDomId(sid)}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      aria-label={rowLabel(row)}
      className={`tl-row${selected ? ' selected' : ''}${marked ? ' marked' : ''} state-${row.state}`}
      style={{ transform: `translateY(${top}px)` }}
      data-sid={sid}
      data-state={row.state}
      data-status={row.status ?? ''}
      data-start={row.queued.t}
      {...(row.job ? { 'data-job': row.job.state, 'data-polls': row.job.polls } : {})}
      {...(row.queued.kind === 'webhook' ? { 'data-kind': 'webhook' } : {})}
      {...(row.end === null ? {} : { 'data-end': row.end })}
      onClick={onClick}
    >
      {columns.map((id) => (
        <Cell key={id} id={id} row={row} inFlight={inFlight} />
      ))}
      <div role="gridcell" className="c-bar" aria-label={inFlight ? 'in flight' : durationText(row)} />
      <div role="gridcell" className="c-act">
        {inFlight || jobRunning(row) ? (
          <button
            type="button"
            className="icon-button cancel-button"
            aria-label="Cancel"
            title="Cancel (Esc when selected)"
            // One tab stop for the whole grid: the keys (Esc, P) reach these for the selected row.
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation()
              void cancel(sid)
            }}
          >
            ×
          </button>
        ) : null}
        <button
          type="button"
          className={pinned ? 'icon-button pin-button pinned' : 'icon-button pin-button'}
          aria-label={pinned ? 'Unpin' : 'Pin'}
          aria-pressed={pinned}
          title={
            pinned
              ? 'Pinned: kept when clearing (P when selected)'
              : 'Pin: keep this request when clearing (P)'
          }
          tabIndex={-1}
          onClick={(e) => {
            e.stopPropagation()
            togglePin(sid)
          }}
        >
          <PinIcon />
        </button>
      </div>
    </div>
  )
})

/**
 * Rows are keyed by slot (row-slots.ts): when a row scrolls or is followed out of view its elements are given
 * to another session. A Pin or Cancel button clicked on the first session keeps the focus, so Space or Enter
 * would then pin or cancel a request the person never chose. When the session changes under the focus, the
 * focus goes back to the grid (its one tab stop), where the keys act on the selected row.
 */
function useFocusLeavesWithSession(element: { readonly current: HTMLDivElement | null }, sid: string): void {
  const shown = useRef(sid)
  useLayoutEffect(() => {
    if (shown.current === sid) return
    shown.current = sid
    const row = element.current
    const focused = row?.ownerDocument.activeElement
    if (!row || !(focused instanceof HTMLElement) || !row.contains(focused)) return
    const grid = row.closest<HTMLElement>('[role="grid"]')
    if (grid) grid.focus({ preventScroll: true })
    else focused.blur()
  }, [element, sid])
}

function PinIcon() {
  return (
    <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M10 1l5 5-2 1-3 3 .5 3.5L9 15l-3-3-4 4-1-1 4-4-3-3 1.5-1.5L7 7l3-3z" fill="currentColor" />
    </svg>
  )
}

/** A GraphQL result with errors, even on a 200: how many and the first, on the status cell's hover. */
function graphqlErrorsTitle(row: SessionRow): string | undefined {
  const g = row.graphql
  if (!g || g.errorCount === 0) return undefined
  const first = g.errors[0]?.message ?? ''
  return `${g.errorCount} GraphQL error${g.errorCount === 1 ? '' : 's'}${first ? `: ${first}` : ''}`
}

function Cell({ id, row, inFlight }: { id: ColumnId; row: SessionRow; inFlight: boolean }) {
  const error = row.terminal?.type === 'error' ? row.terminal : null
  let content: ReactNode
  let title: string | undefined
  let cls = `c-${id}`
  switch (id) {
    case 'status':
      cls += ` ${statusClass(row)}`
      title = error ? `${error.code}: ${error.message}` : (graphqlErrorsTitle(row) ?? statusTitle(row))
      content = (
        <>
          {inFlight ? <span className="live-dot" aria-hidden="true" /> : null}
          {statusText(row)}
          {row.graphql && row.graphql.errorCount > 0 ? (
            // The status column is narrow: the mark alone, its count said on hover and to screen readers.
            <span
              className="gql-error-mark"
              data-testid="graphql-error-mark"
              aria-label={graphqlErrorsTitle(row)}
            >
              {' '}
              ⚠
            </span>
          ) : null}
        </>
      )
      break
    case 'method':
      content = methodText(row)
      break
    case 'name': {
      const named = rowName(row.queued.kind, row.queued.url)
      title = bidiVisible(error ? `${row.queued.url}\n${error.code}: ${error.message}` : row.queued.url)
      content = (
        <>
          {row.queued.hop > 0 ||
          row.scriptParent !== undefined ||
          row.queued.promised !== undefined ||
          row.queued.connection !== undefined ? (
            <span className="hop" aria-hidden="true">
              ↳
            </span>
          ) : null}
          {row.scriptParent !== undefined ? (
            <span className="script-badge" title="Sent by a script (pm.sendRequest) of the request above">
              script
            </span>
          ) : null}
          {row.queued.promised !== undefined ? (
            <span
              className="push-badge"
              title="Pushed by the server (HTTP/2 server push) with the request above"
            >
              push
            </span>
          ) : null}
          {row.queued.connection !== undefined ? (
            <span
              className="mux-badge"
              data-testid="mux-badge"
              title={`Multiplexed over the GraphQL connection above (${row.queued.connection})`}
            >
              shared
            </span>
          ) : null}
          <ScriptRowBadge row={row} />
          {row.job ? (
            <span className={`job-badge job-${row.job.state}`} title={row.job.message}>
              {jobBadge(row.job)}
            </span>
          ) : null}
          {row.queued.kind === 'webhook' ? (
            <span className="hook-badge" title="An incoming call to the webhook inbox">
              webhook
            </span>
          ) : null}
          {isImported(row) ? (
            <span className="imported-badge" title="Imported from a HAR file: a recording, read-only">
              HAR
            </span>
          ) : null}
          <FilesToChooseBadge sid={row.sid} />
          {row.queued.name ? (
            <>
              <span className="req-name">
                <VisibleLine text={row.queued.name} />
              </span>
              <span className="host mono">
                <VisibleControls text={error ? error.message : named.name} />
              </span>
            </>
          ) : (
            <>
              <span className="path mono">
                <VisibleLine text={named.name} />
              </span>
              <span className="host">
                <VisibleControls text={error ? error.message : named.where} />
              </span>
            </>
          )}
        </>
      )
      break
    }
    case 'protocol':
      content = protocolText(row)
      break
    case 'remote':
      cls += ' mono'
      content = remoteText(row)
      break
    case 'connection':
      content = connectionText(row)
      title = row.sent ? `connection #${row.sent.connectionId}` : undefined
      break
    case 'size':
      cls += ' num'
      content = sizeText(row)
      break
    case 'time':
      cls += ' num'
      content = inFlight || jobRunning(row) ? <span className="muted">…</span> : durationText(row)
      break
    case 'started':
      cls += ' num'
      content = startedText(row)
      break
  }
  return (
    <div role="gridcell" className={cls} title={title}>
      {content}
    </div>
  )
}

/** A group header ("Send ×50: GET host/path", or an origin): click to fold or unfold. */
export function GroupRow({ item, index, top }: { item: GroupItem; index: number; top: number }) {
  const toggleGroup = useAppStore((s) => s.toggleGroup)
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-expanded={!item.collapsed}
      aria-label={`${item.label}, ${groupDigits(item.count)} requests`}
      className="tl-row tl-group"
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => toggleGroup(item.key)}
    >
      <div role="gridcell" className="c-group">
        <span className="chevron" aria-hidden="true">
          {item.collapsed ? '▸' : '▾'}
        </span>
        <span className="group-label">
          <VisibleControls text={item.label} />
        </span>
        <span className="muted num">
          {groupDigits(item.count)} · {item.inFlight > 0 ? `${groupDigits(item.inFlight)} in flight` : 'done'}
          {item.failed > 0 ? <span className="st-error"> · {groupDigits(item.failed)} failed</span> : null}
        </span>
      </div>
    </div>
  )
}

/** On a HAR row whose file parts came without their files: Send needs them chosen (its details say how). */
function FilesToChooseBadge({ sid }: { sid: string }) {
  const parts = useAppStore((s) => s.harFilesToChoose.get(sid))
  if (parts === undefined || parts.length === 0) return null
  const names = parts.map((p) => p.fileName).join(', ')
  return (
    <span
      className="files-badge"
      data-testid="files-badge"
      title={`Recorded without its file${parts.length === 1 ? '' : 's'} (${names}): choose ${parts.length === 1 ? 'it' : 'them'} after Edit as new request to send again`}
    >
      needs file
    </span>
  )
}

/** A red badge on a row whose script tests failed or whose script was stopped. */
function ScriptRowBadge({ row }: { row: SessionRow }) {
  const badge = scriptRowBadge(row.scripts)
  return badge ? (
    <span className="script-badge fail" title={badge.title}>
      {badge.text}
    </span>
  ) : null
}
