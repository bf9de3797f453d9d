import { useEffect, useMemo, useState } from 'react'
import { formatBytes } from '../../shared/format'
import { useAppStore } from '../store/store-context'
import type { SessionRow } from '../timeline/session-row'
import { isJsonContentType, prettyJson } from './body-text'

/** The response body, read from the engine a page at a time. */
export function BodyPanel({ row }: { row: SessionRow }) {
  const done = row.terminal?.type === 'done' ? row.terminal : null
  const body = useAppStore((s) => (s.body && s.body.sid === row.sid ? s.body : null))
  const loadBody = useAppStore((s) => s.loadBody)
  const loadMoreBody = useAppStore((s) => s.loadMoreBody)
  const [raw, setRaw] = useState(false)

  useEffect(() => {
    if (done) void loadBody(row.sid)
  }, [done, row.sid, loadBody])

  const complete = body !== null && !body.binary && body.loaded >= body.total
  const json = body !== null && isJsonContentType(body.contentType)
  const pretty = useMemo(
    () => (complete && json && body ? prettyJson(body.text) : null),
    [complete, json, body],
  )

  if (!done) {
    const why =
      row.state === 'error'
        ? 'The request failed before a body arrived.'
        : row.state === 'cancelled'
          ? 'Cancelled: no body was kept.'
          : row.terminal?.type === 'redirect'
            ? 'A redirect hop: the body is on the next hop.'
            : 'The body is shown once the response has finished.'
    return <p className="muted body-note">{why}</p>
  }
  if (!body) return <p className="muted body-note">Loading…</p>

  return (
    <div className="body-panel">
      <div className="body-meta">
        <span className="mono">{body.contentType || 'no content type'}</span>
        <span className="num">{formatBytes(body.total)}</span>
        {!body.binary && body.total > 0 && !complete ? (
          <span className="muted">showing the first {formatBytes(body.loaded)}</span>
        ) : null}
        {pretty !== null ? (
          <span className="segmented small" role="group" aria-label="Body view">
            <button
              type="button"
              className={raw ? 'segment' : 'segment active'}
              aria-pressed={!raw}
              onClick={() => setRaw(false)}
            >
              Pretty
            </button>
            <button
              type="button"
              className={raw ? 'segment active' : 'segment'}
              aria-pressed={raw}
              onClick={() => setRaw(true)}
            >
              Raw
            </button>
          </span>
        ) : null}
      </div>
      {body.error ? (
        <div className="error-box" role="alert">
          Could not read the body: {body.error.message}
        </div>
      ) : null}
      {body.binary ? (
        <p className="muted body-note">
          Binary body ({formatBytes(body.total)}
          {body.contentType ? `, ${body.contentType}` : ''}): not shown as text.
        </p>
      ) : body.total === 0 ? (
        <p className="muted body-note">Empty body.</p>
      ) : (
        <pre className="body-text mono" aria-label="Response body" tabIndex={0}>
          {pretty !== null && !raw ? pretty : body.text}
        </pre>
      )}
      {!body.binary && body.loaded < body.total ? (
        <button
          type="button"
          className="secondary-button load-more"
          disabled={body.loading}
          onClick={() => void loadMoreBody()}
        >
          {body.loading ? 'Loading…' : `Load more (${formatBytes(body.total - body.loaded)} left)`}
        </button>
      ) : null}
    </div>
  )
}
