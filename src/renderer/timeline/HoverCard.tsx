import { useLayoutEffect, useRef, useState } from 'react'
import { formatMs } from '../../shared/format'
import { useAppStore, useLiveNow } from '../store/store-context'
import { rowLabel } from './row-labels'
import { phaseLines, rowTimings } from './segments'
import { ServerTimingTable } from '../details/ServerTimingTable'
import { serverTimingEntries } from './server-slices'
import { isInFlight, type SessionRow } from './session-row'
import { ScriptHoverLines, scriptHoverLineCount } from '../scripts/ScriptHoverLines'
import { interimSummary } from '../details/ExchangeNotes'
import { rowTraceId } from './trace-row'
import { incomingLines, incomingNote, incomingTitle } from './hover-incoming'
import { PhaseRow } from '../details/PhaseRow'
import { VisibleControls } from '../app/VisibleControls'

const CARD_WIDTH = 250
/**
 * About the card's height (a title and eight phase lines), to place it before it is measured: enough to tell
 * whether it fits below the pointer. Once drawn, its own height is used (a wrapped path, a long reason).
 */
const CARD_HEIGHT = 176

/** The start of a trace id the card shows: enough to tell traces apart, and what `trace:` in the filter takes. */
const TRACE_SHOWN = 8

/**
 * What the card says besides the phases: the trace the request went out with (its start), interim responses
 * before the response, or that the server pushed it.
 */
export function hoverNotes(row: SessionRow): string[] {
  const out: string[] = []
  const traceId = rowTraceId(row)
  if (traceId !== undefined) out.push(`trace ${traceId.slice(0, TRACE_SHOWN)}…`)
  if (row.informational) {
    const at = row.informational.kept.map((m) => `+${formatMs(m.t - row.queued.t)}`)
    const more = row.informational.count > at.length ? ', …' : ''
    out.push(`${interimSummary(row.informational)} (${at.join(', ')}${more})`)
  }
  if (row.queued.promised) out.push('Pushed by the server (HTTP/2 server push)')
  const why = incomingNote(row)
  if (why !== undefined) out.push(why)
  return out
}

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
  const card = useRef<HTMLDivElement>(null)
  const [drawnHeight, setDrawnHeight] = useState<number | null>(null)
  // Measured before the browser paints, so a card taller than guessed is moved up before it shows; again when
  // its row changes (a call cut, a response come), which may add lines.
  useLayoutEffect(() => {
    const h = card.current?.offsetHeight
    if (h !== undefined && h !== drawnHeight) setDrawnHeight(h)
  }, [row, drawnHeight])
  if (!row) return null
  const now = isInFlight(row) ? Math.max(liveNow, row.lastT) : row.lastT
  // A webhook call came in: it has no DNS, connect or wait, but a time, a size and a caller.
  const incoming = incomingLines(row)
  const title = incomingTitle(row)
  const lines = phaseLines(rowTimings(row, now))
  // Keep the card inside the frame: flip to the pointer's left near the right edge.
  const x = left + 14 + CARD_WIDTH > frameWidth ? Math.max(0, left - 14 - CARD_WIDTH) : left + 14
  // The server's entries add a title and a line each (the card lists at most eight, then a line).
  const extra = Math.min(9, serverTimingEntries(row).length)
  const notes = hoverNotes(row)
  const height =
    drawnHeight ??
    CARD_HEIGHT + (extra > 0 ? 28 + extra * 20 : 0) + (scriptHoverLineCount(row) + notes.length) * 20
  // And above the pointer near the bottom, so its last lines are not cut off by the frame.
  const y = top + 12 + height > frameHeight ? Math.max(0, top - 12 - height) : top + 12
  return (
    <div ref={card} className="hover-card" role="tooltip" style={{ left: x, top: y, width: CARD_WIDTH }}>
      {title ? (
        <>
          <div className="hover-title mono">
            <VisibleControls text={title.head} />
          </div>
          <div className="hover-path mono" data-testid="hover-path">
            <VisibleControls text={title.path} />
          </div>
        </>
      ) : (
        <div className="hover-title mono">
          <VisibleControls text={rowLabel(row)} />
        </div>
      )}
      {incoming ? (
        <table className="phase-table compact" aria-label="The hovered incoming call">
          <tbody>
            {incoming.map((l) => (
              <tr key={l.label}>
                <th scope="row">{l.label}</th>
                <td className="num">{l.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <table className="phase-table compact" aria-label="Phases of the hovered request">
          <tbody>
            {lines.map((l) => (
              <PhaseRow key={l.label} line={l}>
                <td className="num">{formatMs(l.ms)}</td>
              </PhaseRow>
            ))}
          </tbody>
        </table>
      )}
      {notes.map((n) => (
        <div key={n} className="hover-note">
          <VisibleControls text={n} />
        </div>
      ))}
      <ScriptHoverLines row={row} />
      <ServerTimingTable row={row} compact />
    </div>
  )
}
