import type { SessionRow } from '../timeline/session-row'
import { methodText, statusClass } from '../timeline/row-labels'
import { statusLine } from './reason-phrase'

/** "200 OK  GET https://…" (WS for a WebSocket session), or the error in plain words. */
export function StatusLine({ row }: { row: SessionRow }) {
  const term = row.terminal
  let status: string
  if (row.state === 'error' && term?.type === 'error') status = 'Failed'
  else if (row.state === 'cancelled') status = 'Cancelled'
  else if (row.response) status = statusLine(row.response.status, row.response.statusText)
  else if (row.state === 'queued') status = 'Queued'
  else status = 'Pending'

  return (
    <div className="status-line">
      <span className={`status-pill ${statusClass(row)}`}>{status}</span>
      <span className="method">{methodText(row)}</span>
      <span className="url mono" title={row.queued.url}>
        {row.queued.url}
      </span>
    </div>
  )
}
