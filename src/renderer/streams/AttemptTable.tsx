import { formatMs } from '../../shared/format'
import { statusLine } from '../details/reason-phrase'
import type { SessionRow } from '../timeline/session-row'
import { olderAttempts, type StreamAttempt } from './lane-attempts'
import { waited } from './log-rows'

/**
 * The Handshake tab's list of a stream's connection attempts: when each was made, what the server answered
 * (or why it failed), the Last-Event-ID it sent, its time to first byte and how it ended. The lane keeps the
 * newest MAX_ATTEMPTS_KEPT; the ones before are counted above the table.
 */
export function AttemptTable({ row, attempts }: { row: SessionRow; attempts: readonly StreamAttempt[] }) {
  const sse = row.queued.kind === 'sse'
  const older = olderAttempts(attempts)
  // The first connection's Last-Event-ID is the one the person gave, in its request headers.
  const firstId = row.sent?.headers.find(([k]) => k.toLowerCase() === 'last-event-id')?.[1] ?? null
  return (
    <>
      <h3 className="section-title">Connection attempts</h3>
      {older > 0 ? (
        <p className="muted small">
          {older.toLocaleString()} older attempt{older === 1 ? '' : 's'} not shown (the newest{' '}
          {attempts.length.toLocaleString()} are kept).
        </p>
      ) : null}
      <table className="attempt-table" aria-label="Connection attempts">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col" className="num">
              Time
            </th>
            <th scope="col">Status</th>
            {sse ? <th scope="col">Last-Event-ID sent</th> : null}
            <th scope="col" className="num">
              TTFB
            </th>
            <th scope="col">How it ended</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => {
            const id = a.n === 0 ? firstId : a.lastEventId
            const failed = a.openedAt === null && a.ended !== null
            return (
              <tr key={a.n} data-attempt={a.n}>
                <td className="num">{a.n === 0 ? 'first' : `#${a.n}`}</td>
                <td
                  className="num"
                  title={a.delayMs !== null ? `after waiting ${waited(a.delayMs)}` : undefined}
                >
                  {((a.at - row.queued.t) / 1000).toFixed(3)} s
                </td>
                <td className={`mono${failed || (a.status !== null && a.status >= 300) ? ' warn' : ''}`}>
                  {a.status !== null ? statusLine(a.status, '') : failed ? 'failed' : '…'}
                </td>
                {sse ? <td className="mono">{id ?? <span className="muted">none</span>}</td> : null}
                <td className="num">{a.handshake ? formatMs(a.handshake.wait) : '—'}</td>
                <td className="attempt-end">{endText(a)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </>
  )
}

function endText(a: StreamAttempt): string {
  if (a.ended) return a.ended.reason
  return a.openedAt !== null ? 'Open' : 'Connecting…'
}
