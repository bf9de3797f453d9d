import { formatMs } from '../../shared/format'
import { VisibleControls } from '../app/VisibleControls'
import '../styles/server-timing.css'
import { rowTimings } from '../timeline/segments'
import { serverSlices, serverTimingEntries } from '../timeline/server-slices'
import type { SessionRow } from '../timeline/session-row'

/**
 * What the server says it spent its time on (Server-Timing), beside the client's phases: each entry with its
 * duration, description and whether it came in a trailer. A duration longer than the waiting phase is marked:
 * the bar clips its slice, the number here is the server's own.
 */
/** The hover card lists this many; the Timing tab lists them all. */
const CARD_ENTRIES = 8

export function ServerTimingTable({ row, compact = false }: { row: SessionRow; compact?: boolean }) {
  const entries = serverTimingEntries(row)
  if (entries.length === 0) return null
  const clipped = new Set(
    serverSlices(row)
      .filter((s) => s.clipped)
      .map((s) => s.name),
  )
  const cut = compact && entries.length > CARD_ENTRIES ? entries.length - CARD_ENTRIES : 0
  const note = cut
    ? `${cut} more in the Timing tab`
    : row.terminal?.type === 'done'
      ? row.terminal.serverTiming?.note
      : undefined
  // The tab draws each duration as a share of the client's total, as the phase bars above it are.
  const total = compact ? 0 : rowTimings(row, row.lastT).time
  let drawn = 0
  return (
    <div className={compact ? 'server-timing compact' : 'server-timing'}>
      <div className="server-timing-title">Server-Timing (as the server says)</div>
      <table className={compact ? 'phase-table compact' : 'phase-table'} aria-label="Server timing">
        <tbody>
          {(cut ? entries.slice(0, CARD_ENTRIES) : entries).map((e, i) => {
            const sliced = e.dur !== undefined && e.dur > 0
            const shade = sliced ? drawn++ % 2 : null
            return (
              <tr key={`${i}-${e.name}`} data-server-timing={e.name}>
                <th scope="row">
                  <span
                    className="swatch server-slice"
                    data-shade={shade === null ? 'none' : String(shade)}
                    aria-hidden="true"
                  />
                  <span className="mono">
                    <VisibleControls text={e.name} />
                  </span>
                  {e.desc && !compact ? (
                    <span className="server-timing-desc">
                      {' '}
                      <VisibleControls text={e.desc} />
                    </span>
                  ) : null}
                  {e.source === 'trailer' ? <span className="server-timing-tag">trailer</span> : null}
                  {clipped.has(e.name) ? (
                    <span
                      className="server-timing-tag"
                      title="Longer than what is left of the waiting phase: the bar clips it"
                    >
                      past wait
                    </span>
                  ) : null}
                </th>
                <td className="num">{e.dur === undefined ? '—' : formatMs(e.dur)}</td>
                {compact ? null : (
                  <td className="phase-bar-cell" aria-hidden="true">
                    {e.dur !== undefined && e.dur > 0 && total > 0 ? (
                      <span
                        className="phase-bar server-slice"
                        data-shade={String(shade)}
                        style={{ width: `${Math.min(100, Math.max(1, (e.dur / total) * 100))}%` }}
                      />
                    ) : null}
                  </td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
      {note !== undefined ? <p className="server-timing-note">{note}</p> : null}
    </div>
  )
}
