import { formatMs } from '../../shared/format'
import type { SessionRow } from '../timeline/session-row'
import { PHASE_LABEL, phaseReports, scriptCounts } from './row-scripts'
import { groupDigits } from '../../shared/group-digits'

/** Lines the hover card adds for a row whose scripts ran: 0 when it has none. */
export function scriptHoverLineCount(row: SessionRow): number {
  const n = phaseReports(row.scripts).length
  return n === 0 ? 0 : n + 1
}

/**
 * A row's script lines, in the hover card and the Timing tab: each phase's time (script swatch), then tests and
 * console in one line.
 */
export function ScriptHoverLines({
  row,
  label = 'Scripts of the hovered request',
  compact = true,
}: {
  row: SessionRow
  label?: string
  compact?: boolean
}) {
  const reports = phaseReports(row.scripts)
  if (!row.scripts || reports.length === 0) return null
  const c = scriptCounts(row.scripts)
  const tests = c.passed + c.failed + c.skipped
  return (
    <table className={compact ? 'phase-table compact' : 'phase-table'} aria-label={label}>
      <tbody>
        {reports.map((r) => (
          <tr key={r.phase} data-phase="script">
            <th scope="row">
              <span className="swatch" data-phase="script" aria-hidden="true" />
              {PHASE_LABEL[r.phase]} script
            </th>
            <td className="num">{formatMs(Math.max(0, r.end - r.start))}</td>
          </tr>
        ))}
        <tr>
          <th scope="row" className={c.failed > 0 || c.failure ? 'fail' : undefined}>
            {c.failure
              ? 'Script stopped'
              : tests > 0
                ? `Tests ${groupDigits(c.passed)} passed${c.failed > 0 ? `, ${groupDigits(c.failed)} failed` : ''}`
                : 'No tests'}
          </th>
          <td className="num">{c.console > 0 ? `console ${c.console}` : ''}</td>
        </tr>
      </tbody>
    </table>
  )
}
