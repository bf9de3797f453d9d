import { formatMs } from '../../shared/format'
import { statusLine } from '../details/reason-phrase'
import type { SessionRow } from '../timeline/session-row'
import { olderAttempts, type StreamAttempt } from './lane-attempts'
import { waited } from './log-rows'
import { groupDigits } from '../../shared/group-digits'

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
          {groupDigits(older)} older attempt{older === 1 ? '' : 's'} not shown: the newest are kept.
        </p>
      ) : null}
      <table className="attempt-table" aria-label="Connection attempts">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col" className="num" title="When its request was made, from the stream's start">
              Time
            </th>
            <th scope="col">Status</th>
            {sse ? (
              <th scope="col" title="The Last-Event-ID header the attempt sent">
                Last-Event-ID
              </th>
            ) : null}
            <th scope="col" className="num">
              TTFB
            </th>
          </tr>
        </thead>
        {attempts.map((a) => {
          const id = a.n === 0 ? firstId : a.lastEventId
          const failed = a.openedAt === null && a.ended !== null
          // How it ended goes on a line of its own under the attempt: a reason is a sentence, and the pane is
          // often narrow.
          return (
            <tbody key={a.n} className="attempt" data-attempt={a.n}>
              <tr>
                <td className="num">{a.n === 0 ? 'first' : `#${a.n}`}</td>
                <td
                  className="num"
                  title={a.delayMs !== null ? `after waiting ${waited(a.delayMs)}` : undefined}
                >
                  {((madeAt(a, row.queued.t) - row.queued.t) / 1000).toFixed(3)} s
                </td>
                <td className={`mono${failed || (a.status !== null && a.status >= 300) ? ' warn' : ''}`}>
                  {a.status !== null ? statusLine(a.status, '') : failed ? 'failed' : '…'}
                </td>
                {sse ? <td className="mono">{id ?? <span className="muted">none</span>}</td> : null}
                <td className="num">{a.handshake ? formatMs(a.handshake.wait) : '—'}</td>
              </tr>
              <tr className="attempt-end-row">
                <td />
                <td colSpan={sse ? 4 : 3} className="attempt-end" title="How it ended">
                  <span aria-hidden="true">↳ </span>
                  {endText(a)}
                </td>
              </tr>
            </tbody>
          )
        })}
      </table>
    </>
  )
}

/** When the attempt's request was made: the session's start, or a reconnect's schedule plus its wait. */
function madeAt(a: StreamAttempt, queuedAt: number): number {
  if (a.n === 0) return queuedAt
  return a.delayMs !== null ? a.at + a.delayMs : a.at
}

function endText(a: StreamAttempt): string {
  if (a.ended) return a.ended.reason
  return a.openedAt !== null ? 'Open' : 'Connecting…'
}
