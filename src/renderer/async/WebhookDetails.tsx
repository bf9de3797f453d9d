import { useEffect, type ReactNode } from 'react'
import { formatBytes } from '../../shared/format'
import { useAppStore } from '../store/store-context'
import type { SessionRow } from '../timeline/session-row'
import { formatWallTime } from '../details/wall-time'
import { TraceLine } from '../timeline/TraceLink'
import { FactList } from '../details/FactList'

/**
 * An incoming webhook call: who called, the request that caused it, headers and body. A call the inbox cut before
 * it was whole (too large, too slow, hung up) says why instead, and from where; nothing of it was kept.
 */
export function WebhookDetails({ row }: { row: SessionRow }) {
  const call = row.webhook
  const cut = row.terminal?.type === 'error' ? row.terminal : undefined
  // A call to a URL the inbox did not give out was refused (404), not cut short.
  const refused = cut?.code === 'not_found'
  const cause = useAppStore((s) =>
    row.queued.initiator === undefined ? undefined : s.timeline.rows[row.queued.initiator],
  )
  const select = useAppStore((s) => s.select)
  const loadBody = useAppStore((s) => s.loadBody)
  const loadMore = useAppStore((s) => s.loadMoreBody)
  const body = useAppStore((s) => (s.body?.sid === row.sid ? s.body : null))

  useEffect(() => {
    void loadBody(row.sid)
  }, [loadBody, row.sid, call])

  // Laid out as every details pane lays out its facts: each value beside its label.
  const facts: [string, ReactNode][] = [
    ['Received', formatWallTime(row.queued.wall)],
    [
      'Caused by',
      cause ? (
        <button type="button" className="link-button" onClick={() => select(cause.sid)}>
          {cause.queued.method} {cause.queued.url}
        </button>
      ) : row.queued.initiator ? (
        <span className="muted">a request no longer on the timeline</span>
      ) : (
        <span className="muted">unknown (a token no send minted)</span>
      ),
    ],
    ['From', <span className="mono">{call?.remoteAddress ?? cut?.detail ?? ''}</span>],
    ['Inbox URL', <span className="mono">{row.queued.url}</span>],
  ]

  return (
    <section className="details hook-details" aria-label="Webhook call" data-sid={row.sid}>
      <div className="status-line">
        <span className={`status-pill ${cut ? 'st-error' : 'st-hook'}`}>
          {refused ? 'Webhook 404' : cut ? 'Webhook cut' : 'Webhook'}
        </span>
        <span className="method">{row.queued.method}</span>
        <span className="url mono" title={row.queued.url}>
          {call ? `${call.path}${call.query ? `?${call.query}` : ''}` : row.queued.url}
        </span>
      </div>
      {call?.traceId !== undefined ? <TraceLine traceId={call.traceId} /> : null}
      {cut ? (
        <p className="webhook-error" role="status">
          {cut.message}
        </p>
      ) : null}
      <FactList facts={facts} />
      {cut ? (
        <p className="muted">
          {refused
            ? 'Nothing of a refused call is kept: its body is let go unread.'
            : 'Nothing of a cut call is kept: its head and any body it sent are let go.'}
        </p>
      ) : null}
      <h4 hidden={cut !== undefined}>Headers</h4>
      <table className="hook-headers mono" aria-label="Webhook headers">
        <tbody>
          {(call?.headers ?? []).map(([k, v], i) => (
            <tr key={i}>
              <td>{k}</td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4 hidden={cut !== undefined}>
        Body{' '}
        <span className="muted num">
          {call
            ? `${formatBytes(call.body.size)}${call.body.contentType ? ` · ${call.body.contentType}` : ''}`
            : ''}
        </span>
      </h4>
      {call && call.body.size === 0 ? <p className="muted">No body</p> : null}
      {body?.error ? <p className="webhook-error">{body.error.message}</p> : null}
      {body?.binary ? <p className="muted">Binary body ({formatBytes(body.total)})</p> : null}
      {body && !body.binary && body.text !== '' ? (
        <pre className="hook-body mono" aria-label="Webhook body">
          {prettyJson(body.text, body.contentType)}
        </pre>
      ) : null}
      {body && !body.binary && body.loaded < body.total ? (
        <button type="button" className="secondary-button" onClick={() => void loadMore()}>
          Load more
        </button>
      ) : null}
    </section>
  )
}

function prettyJson(text: string, contentType: string): string {
  if (!/json/i.test(contentType) || text.length > 256 * 1024) return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
