import { formatMs } from '../../shared/format'
import { useAppStore, useLiveNow } from '../store/store-context'
import { rowLabel } from './row-labels'
import { phaseLines, rowTimings } from './segments'
import { ServerTimingTable } from '../details/ServerTimingTable'
import { serverTimingEntries } from './server-slices'
import { isInFlight } from './session-row'
import { ScriptHoverLines, scriptHoverLineCount } from '../scripts/ScriptHoverLines'

const CARD_WIDTH = 250
/** About the card's height (a title and eight phase lines): enough to tell whether it fits below the pointer. */
const CARD_HEIGHT = 176

/** The phase breakdown of the row under the pointer, counting up live while it is in flight. */
export function HoverCard({
  sid,
  left,
  top,
  frameWidth,
  frameHeight,
}: {
  sid: string
  left: number
  top: number
  frameWidth: number
  frameHeight: number
}) {
  const row = useAppStore((s) => s.timeline.rows[sid])
  const liveNow = useLiveNow()
  if (!row) return null
  const now = isInFlight(row) ? Math.max(liveNow, row.lastT) : row.lastT
  const lines = phaseLines(rowTimings(row, now))
  // Keep the card inside the frame: flip to the pointer's left near the right edge.
  const x = left + 14 + CARD_WIDTH > frameWidth ? Math.max(0, left - 14 - CARD_WIDTH) : left + 14
  // The server's entries add a title and a line each (the card lists at most eight, then a line).
  const extra = Math.min(9, serverTimingEntries(row).length)
  const height = CARD_HEIGHT + (extra > 0 ? 28 + extra * 20 : 0) + scriptHoverLineCount(row) * 20
  // And above the pointer near the bottom, so its last lines are not cut off by the frame.
  const y = top + 12 + height > frameHeight ? Math.max(0, top - 12 - height) : top + 12
  return (
    <div className="hover-card" role="tooltip" style={{ left: x, top: y, width: CARD_WIDTH }}>
      <div className="hover-title mono">{rowLabel(row)}</div>
      <table className="phase-table compact" aria-label="Phases of the hovered request">
        <tbody>
          {lines.map((l) => (
            <tr key={l.label} className={l.phase === 'total' ? 'total' : undefined}>
              <th scope="row">
                {l.phase === 'total' ? null : (
                  <span className="swatch" data-phase={l.phase} aria-hidden="true" />
                )}
                {l.label}
              </th>
              <td className="num">{formatMs(l.ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ScriptHoverLines row={row} />
      <ServerTimingTable row={row} compact />
    </div>
  )
}
