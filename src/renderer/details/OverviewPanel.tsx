import type { ReactNode } from 'react'
import { formatBytes } from '../../shared/format'
import { formatWallTime } from './wall-time'
import { useAppStore } from '../store/store-context'
import { bodyBytes, wireBytes, type SessionRow } from '../timeline/session-row'
import { ErrorBox } from './ErrorBox'
import { ExchangeNotes } from './ExchangeNotes'
import { PhaseTable } from './PhaseTable'
import { FactList } from './FactList'
import { requestSizeText } from './request-size'

/** General facts about the exchange, its error if any, and the phase breakdown. */
export function OverviewPanel({ row }: { row: SessionRow }) {
  const select = useAppStore((s) => s.select)
  const term = row.terminal
  const sent = row.sent
  const tls = row.tls
  const wire = wireBytes(row)
  const decoded = bodyBytes(row)

  const facts: [string, ReactNode][] = [
    ['Started', formatWallTime(row.queued.wall)],
    [
      'Remote address',
      sent
        ? `${sent.remoteAddress}:${sent.remotePort}`
        : row.state === 'error'
          ? `${row.connect ? `${row.connect.remoteAddress}:${row.connect.remotePort}` : urlTarget(row.queued.url)} (tried; nothing was sent)`
          : row.connect
            ? `${row.connect.remoteAddress}:${row.connect.remotePort}`
            : '—',
    ],
    ['Protocol', sent ? (sent.protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1') : '—'],
    [
      'TLS',
      // A pushed stream rides on its request's connection: its TLS is that one's.
      row.queued.promised && sent
        ? `its request's (connection #${sent.connectionId})`
        : tls
          ? `${tls.version} · ${tls.cipher}${tls.alpn ? ` · ALPN ${tls.alpn}` : ''}${tls.authorized ? '' : ` · not verified${tls.authorizationError ? ` (${tls.authorizationError})` : ''}`}`
          : sent && !sent.reused && /^https:/i.test(row.queued.url)
            ? '—'
            : 'none',
    ],
    [
      'Connection reused',
      sent
        ? sent.reused
          ? `yes (connection #${sent.connectionId})`
          : `no (connection #${sent.connectionId})`
        : '—',
    ],
    ['Transferred', wire === null ? '—' : `${formatBytes(wire)} (body ${formatBytes(decoded ?? 0)} decoded)`],
    [
      'Request size',
      row.queued.promised ? 'nothing sent (the server pushed it)' : sent ? requestSizeText(sent) : '—',
    ],
  ]
  if (row.queued.batch) facts.push(['Batch', `${row.queued.batch.index + 1} of ${row.queued.batch.size}`])

  return (
    <div className="overview">
      {term?.type === 'error' ? <ErrorBox error={term} /> : null}
      {term?.type === 'cancelled' ? <div className="note-box">Cancelled before it finished.</div> : null}
      <ExchangeNotes row={row} />
      {row.queued.promised && row.queued.initiator ? (
        <div className="note-box" data-testid="pushed-by">
          Pushed by the server with{' '}
          <button type="button" className="link-button" onClick={() => select(row.queued.initiator ?? null)}>
            its request
          </button>{' '}
          (HTTP/2 PUSH_PROMISE); its timings run from the promise. Promised request headers:
          {row.queued.promised.map(([k, v], i) => (
            <div key={i} className="mono small">
              {k}: {v}
            </div>
          ))}
        </div>
      ) : row.queued.initiator ? (
        <div className="note-box">
          Redirect hop {row.queued.hop}, from{' '}
          <button type="button" className="link-button" onClick={() => select(row.queued.initiator ?? null)}>
            the previous request
          </button>
        </div>
      ) : null}
      {term?.type === 'done' && term.pushes ? (
        <div className="note-box" data-testid="push-count">
          Server push: {term.pushes.accepted} pushed {term.pushes.accepted === 1 ? 'stream' : 'streams'}{' '}
          accepted (rows under this one)
          {term.pushes.note ? `; ${term.pushes.note}` : ''}
        </div>
      ) : null}
      {term?.type === 'redirect' ? (
        <div className="note-box">
          {term.status} redirect to <span className="mono">{term.location}</span> —{' '}
          <button type="button" className="link-button" onClick={() => select(term.next)}>
            show next hop
          </button>
        </div>
      ) : null}
      <FactList facts={facts} />
      <h3 className="section-title">Timing</h3>
      <PhaseTable row={row} />
    </div>
  )
}

/** `host:port` a URL names, with the scheme's default port: where a connection that never opened was going. */
export function urlTarget(url: string): string {
  try {
    const u = new URL(url)
    const port = u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? '443' : '80')
    return `${u.hostname}:${port}`
  } catch {
    return url
  }
}
