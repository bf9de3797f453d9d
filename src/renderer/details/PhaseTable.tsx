import { formatMs } from '../../shared/format'
import { useLiveNow } from '../store/store-context'
import { phaseLines, rowTimings } from '../timeline/segments'
import { isInFlight, type SessionRow } from '../timeline/session-row'
import { ServerTimingTable } from './ServerTimingTable'
import { ScriptHoverLines } from '../scripts/ScriptHoverLines'
import { PhaseRow } from './PhaseRow'

/** Queued, DNS, Connect, TLS, Request sent, Waiting (TTFB), Content download, Total: counting up live. */
export function PhaseTable({ row }: { row: SessionRow }) {
  const liveNow = useLiveNow()
  const now = isInFlight(row) ? liveNow : row.lastT
  const lines = phaseLines(rowTimings(row, now))
  const total = lines.find((l) => l.phase === 'total')?.ms ?? 0
  return (
    <>
      <table className="phase-table" aria-label="Phase timings">
        <tbody>
          {lines.map((l) => (
            <PhaseRow key={l.label} line={l}>
              <td className="num">{formatMs(l.ms)}</td>
              <td className="phase-bar-cell" aria-hidden="true">
                {l.phase !== 'total' && l.ms > 0 && total > 0 ? (
                  <span
                    className="phase-bar"
                    data-phase={l.phase}
                    style={{ width: `${Math.max(1, (l.ms / total) * 100)}%` }}
                  />
                ) : null}
              </td>
            </PhaseRow>
          ))}
        </tbody>
      </table>
      <ScriptHoverLines row={row} label="Script timings" compact={false} />
      <ServerTimingTable row={row} />
    </>
  )
}
