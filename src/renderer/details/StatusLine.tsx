import type { SessionRow } from '../timeline/session-row'
import { useAppStore } from '../store/store-context'
import { methodText, statusClass } from '../timeline/row-labels'
import { statusLine } from './reason-phrase'
import { bidiVisible, VisibleControls } from '../app/VisibleControls'
import { CopyNote } from './CopyNote'
import { CookieJarNotice } from './CookieJarNotice'
import { EmptySecretNotice } from './EmptySecretNotice'

/**
 * "200 OK  GET https://…" (WS for a WebSocket session), or the error in plain words; under it, the secrets with no
 * value here that the request went out with empty and the Set-Cookie headers the cookie jar did not keep, seen
 * whichever tab is open.
 */
export function StatusLine({ row }: { row: SessionRow }) {
  const term = row.terminal
  const copyText = useAppStore((s) => s.copyText)
  let status: string
  if (row.state === 'error' && term?.type === 'error') status = 'Failed'
  else if (row.state === 'cancelled') status = 'Cancelled'
  else if (row.response) status = statusLine(row.response.status, row.response.statusText)
  else if (row.state === 'queued') status = 'Queued'
  else status = 'Pending'

  return (
    <>
      <div className="status-line">
        <span className={`status-pill ${statusClass(row)}`}>{status}</span>
        <span className="method">{methodText(row)}</span>
        <span className="url mono" title={bidiVisible(row.queued.url)}>
          <VisibleControls text={row.queued.url} />
        </span>
        <button
          type="button"
          className="link-button small"
          aria-label="Copy URL"
          title="Copy the URL"
          onClick={() => void copyText(row.queued.url, 'the URL', 'url')}
        >
          Copy
        </button>
      </div>
      <CopyNote bodyId="url" />
      {row.queued.emptySecrets ? <EmptySecretNotice used={row.queued.emptySecrets} /> : null}
      {row.queued.notice ? (
        // The empty-secret notice's look: both say how a credential went out.
        <div className="empty-secret-notice" role="note" aria-label="Notice">
          <span className="empty-secret-text">{row.queued.notice}</span>
        </div>
      ) : null}
      <CookieJarNotice row={row} />
    </>
  )
}
