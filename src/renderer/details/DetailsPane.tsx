import type { DetailsTab } from '../store/app-state'
import { useAppStore } from '../store/store-context'
import { shownDetailsTab } from '../store/selection-slice'
import { isInFlight } from '../timeline/session-row'
import { rowLabel } from '../timeline/row-labels'
import { CookiesPanel } from './CookiesPanel'
import { PhaseTable } from './PhaseTable'
import { RequestActions } from './RequestActions'
import { HarFilesNotice } from './HarFilesNotice'
import { ResponsePanel } from './ResponsePanel'
import { ComparePanel } from './ComparePanel'
import { HeadersPanel } from './HeadersPanel'
import { OverviewPanel } from './OverviewPanel'
import { StatusLine } from './StatusLine'
import { JobPanel } from '../async/JobPanel'
import { WebhookDetails } from '../async/WebhookDetails'
import { ScriptDetails, ScriptStrip } from '../scripts/ScriptDetails'
import { TraceLine } from '../timeline/TraceLink'

const TABS: { id: DetailsTab; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'headers', label: 'Headers' },
  { id: 'cookies', label: 'Cookies' },
  { id: 'timing', label: 'Timing' },
  { id: 'response', label: 'Response' },
]

/** Everything about the selected row: status, connection, phases, headers and body. */
export function DetailsPane() {
  const sid = useAppStore((s) => s.selectedSid)
  const row = useAppStore((s) => (s.selectedSid === null ? undefined : s.timeline.rows[s.selectedSid]))
  const chosen = useAppStore(shownDetailsTab)
  const setTab = useAppStore((s) => s.setDetailsTab)
  const compareSids = useAppStore((s) => s.compareSids)

  if (compareSids.length === 2) return <ComparePanel sids={compareSids} />
  if (sid === null || !row) {
    return (
      <section className="details details-empty" aria-label="Details">
        <p className="muted">Select a request on the timeline to see its details.</p>
        <p className="muted small">
          <kbd>↑</kbd> <kbd>↓</kbd> move through the timeline · <kbd>Esc</kbd> cancels the selected request ·{' '}
          <kbd>P</kbd> pins it
        </p>
      </section>
    )
  }

  if (row.queued.kind === 'webhook') return <WebhookDetails row={row} />
  // The Scripts tab is there for a request whose scripts ran (or that a script sent); else the response shows.
  const scripted = row.scripts !== undefined || row.scriptParent !== undefined
  const tabs = scripted ? [...TABS, { id: 'scripts' as const, label: 'Scripts' }] : TABS
  const tab = chosen === 'scripts' && !scripted ? 'response' : chosen

  return (
    <section className="details" aria-label="Details" data-sid={sid}>
      <StatusLine row={row} />
      <RequestActions sid={sid} />
      <HarFilesNotice sid={sid} />
      {row.sent?.traceId !== undefined ? <TraceLine traceId={row.sent.traceId} /> : null}
      {row.job || row.laneOf !== undefined ? <JobPanel row={row} /> : null}
      <ScriptStrip row={row} />
      <div className="tabs" role="tablist" aria-label={`Details of ${rowLabel(row)}`}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`details-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`details-panel-${t.id}`}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
        {isInFlight(row) ? <span className="tab-note muted">in flight · Esc cancels</span> : null}
      </div>
      <div
        className="details-panel"
        role="tabpanel"
        id={`details-panel-${tab}`}
        aria-labelledby={`details-tab-${tab}`}
      >
        {tab === 'overview' ? <OverviewPanel row={row} /> : null}
        {tab === 'headers' ? <HeadersPanel row={row} /> : null}
        {tab === 'cookies' ? <CookiesPanel row={row} /> : null}
        {tab === 'timing' ? <PhaseTable row={row} /> : null}
        {tab === 'response' ? <ResponsePanel row={row} /> : null}
        {tab === 'scripts' ? <ScriptDetails row={row} /> : null}
      </div>
    </section>
  )
}
