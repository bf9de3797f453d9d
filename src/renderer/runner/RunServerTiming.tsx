import { formatMs } from '../../shared/format'
import type { RunStats } from '../../shared/run-schemas'
import { VisibleControls } from '../app/VisibleControls'
import { groupDigits } from '../../shared/group-digits'

/**
 * Per Server-Timing name, the same percentiles as the client's latency, with the client's row first: a slow
 * p99 shows whether the time went to the database (the server's `db`) or elsewhere (the network, the queue).
 */
export function RunServerTiming({ stats }: { stats: RunStats }) {
  const rows = stats.serverTiming ?? []
  if (rows.length === 0) return null
  const all = [
    {
      name: 'client (whole request)',
      count: stats.total,
      p50: stats.p50,
      p90: stats.p90,
      p99: stats.p99,
      max: stats.max,
    },
    ...rows,
  ]
  return (
    <div className="run-requests">
      <h4>Server-Timing (as the servers say)</h4>
      <table className="run-table" aria-label="Server timing per name">
        <thead>
          <tr>
            <th>Name</th>
            <th className="num">Responses</th>
            <th className="num">p50</th>
            <th className="num">p90</th>
            <th className="num">p99</th>
            <th className="num">max</th>
          </tr>
        </thead>
        <tbody>
          {all.map((r, i) => (
            <tr key={r.name} data-server-timing={i === 0 ? '' : r.name}>
              <td className={i === 0 ? undefined : 'mono'}>
                {/* A server's name for its metric: its controls shown, as in the Timing tab. */}
                <VisibleControls text={r.name} />
              </td>
              <td className="num">{groupDigits(r.count)}</td>
              <td className="num">{formatMs(r.p50)}</td>
              <td className="num">{formatMs(r.p90)}</td>
              <td className="num">{formatMs(r.p99)}</td>
              <td className="num">{formatMs(r.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {stats.serverTimingNote !== undefined ? <p className="muted small">{stats.serverTimingNote}</p> : null}
    </div>
  )
}
