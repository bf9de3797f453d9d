import { formatMs } from '../../shared/format'
import { useAppStore, useLiveNow } from '../store/store-context'
import { rowLabel } from '../timeline/row-labels'
import { rowTimings } from '../timeline/segments'
import { isInFlight, type SessionRow } from '../timeline/session-row'
import { compareTimings, formatDelta } from './compare'
import { PhaseRow } from './PhaseRow'

/** Two marked sessions' timings side by side, on one scale, with B − A per phase; live while in flight. */
export function ComparePanel({ sids }: { sids: readonly string[] }) {
  const a = useAppStore((s) => s.timeline.rows[sids[0] ?? ''])
  const b = useAppStore((s) => s.timeline.rows[sids[1] ?? ''])
  const clearCompare = useAppStore((s) => s.clearCompare)
  const liveNow = useLiveNow()
  if (!a || !b) return null
  const timingsOf = (r: SessionRow) => rowTimings(r, isInFlight(r) ? Math.max(liveNow, r.lastT) : r.lastT)
  const lines = compareTimings(timingsOf(a), timingsOf(b))
  const scale = Math.max(1, ...lines.filter((l) => l.phase === 'total').flatMap((l) => [l.a, l.b]))

  return (
    <section className="details compare" aria-label="Compare timings">
      <div className="status-line">
        <span className="status-pill">Compare</span>
        <span className="spacer" />
        <button type="button" className="secondary-button small" onClick={clearCompare}>
          Close
        </button>
      </div>
      <div className="details-panel">
        <ol className="compare-names">
          <li>
            <span className="compare-tag">A</span> <span className="mono">{rowLabel(a)}</span>
          </li>
          <li>
            <span className="compare-tag">B</span> <span className="mono">{rowLabel(b)}</span>
          </li>
        </ol>
        <table className="phase-table compare-table" aria-label="Timings compared">
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col" className="num">
                A
              </th>
              <th scope="col" className="num">
                B
              </th>
              <th scope="col" className="num">
                B − A
              </th>
              <th scope="col" aria-hidden="true" />
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <PhaseRow key={l.label} line={l}>
                <td className="num">{formatMs(l.a)}</td>
                <td className="num">{formatMs(l.b)}</td>
                <td className={`num ${l.delta !== null && l.delta > 0 ? 'slower' : 'faster'}`}>
                  {formatDelta(l.delta, formatMs)}
                </td>
                <td className="phase-bar-cell" aria-hidden="true">
                  {l.phase === 'total' ? null : (
                    <div className="compare-bars">
                      <span
                        className="phase-bar"
                        data-phase={l.phase}
                        style={{ width: `${Math.max(0, (l.a / scale) * 100)}%` }}
                      />
                      <span
                        className="phase-bar b"
                        data-phase={l.phase}
                        style={{ width: `${Math.max(0, (l.b / scale) * 100)}%` }}
                      />
                    </div>
                  )}
                </td>
              </PhaseRow>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
