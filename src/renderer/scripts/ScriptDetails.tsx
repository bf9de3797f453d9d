import { formatMs } from '../../shared/format'
import type { ScriptPhaseReport } from '../../shared/scripts'
import { useAppStore } from '../store/store-context'
import type { SessionRow } from '../timeline/session-row'
import { PHASE_LABEL, phaseReports, scriptCounts } from './row-scripts'
import { failureText } from './script-failure-text'
import './scripts.css'
import { groupDigits } from '../../shared/group-digits'

/**
 * The details' line about a request's scripts, above whichever tab is open: how many tests passed and failed,
 * what the console got, and a script that was stopped (with the limit it hit). Opens the Scripts tab.
 */
export function ScriptStrip({ row }: { row: SessionRow }) {
  const setTab = useAppStore((s) => s.setDetailsTab)
  if (!row.scripts) return null
  const c = scriptCounts(row.scripts)
  const failed = c.failed > 0 || c.failure !== undefined
  return (
    <div className={failed ? 'script-strip failed' : 'script-strip'} data-testid="script-strip">
      <span className="script-badge">script</span>
      {c.passed + c.failed + c.skipped + c.droppedTests > 0 ? (
        <span>
          Tests <span className="pass num">{c.passed} passed</span>
          {c.failed > 0 ? <span className="fail num"> · {c.failed} failed</span> : null}
          {c.skipped > 0 ? <span className="muted num"> · {c.skipped} skipped</span> : null}
          {c.droppedTests > 0 ? (
            <span className="fail num"> · {c.droppedTests} more past the limit, not kept</span>
          ) : null}
        </span>
      ) : null}
      {c.console > 0 ? (
        <span className="muted num">
          console {c.console} line{c.console === 1 ? '' : 's'}
        </span>
      ) : null}
      <span className="muted num">{formatMs(c.ms)} in scripts</span>
      {c.failure ? (
        <span className="fail" role="alert">
          {PHASE_LABEL[c.failure.phase]} script: {c.failure.message}
        </span>
      ) : null}
      <button type="button" className="link-button small" onClick={() => setTab('scripts')}>
        Scripts ›
      </button>
    </div>
  )
}

/** The details' Scripts tab: each phase's failure, the tests (pass/fail, name, message) and the console. */
export function ScriptDetails({ row }: { row: SessionRow }) {
  const select = useAppStore((s) => s.select)
  const parent = row.scriptParent
  const reports = phaseReports(row.scripts)
  const sent = reports.flatMap((r) => r.sentRequests)
  return (
    <div className="script-report" data-testid="script-report">
      {parent !== undefined ? (
        <p className="muted">
          Sent by a script (pm.sendRequest) of{' '}
          <button type="button" className="link-button" onClick={() => select(parent)}>
            the request that ran it
          </button>
          .
        </p>
      ) : null}
      {reports.length === 0 ? <p className="muted">No script ran for this request.</p> : null}
      {reports.map((r) =>
        r.failure ? (
          <div key={`f-${r.phase}`} className="script-failure" role="alert">
            <strong>{failureText(r.phase, r.failure)}</strong>
          </div>
        ) : null,
      )}
      {reports.length > 0 ? <Timings reports={reports} /> : null}
      <TestList reports={reports} />
      <ConsoleList reports={reports} />
      {sent.length > 0 ? (
        <p className="muted">
          Its scripts sent {sent.length} request{sent.length === 1 ? '' : 's'} (pm.sendRequest), listed under
          it on the timeline:{' '}
          {sent.slice(0, 20).map((sid, i) => (
            <button key={sid} type="button" className="link-button" onClick={() => select(sid)}>
              #{i + 1}
            </button>
          ))}
          {sent.length > 20 ? ` and ${sent.length - 20} more` : null}
        </p>
      ) : null}
    </div>
  )
}

function Timings({ reports }: { reports: ScriptPhaseReport[] }) {
  return (
    <div className="script-summary">
      {reports.map((r) => (
        <span key={r.phase} className="num">
          <span className="swatch" data-phase="script" aria-hidden="true" />
          {PHASE_LABEL[r.phase]} {formatMs(Math.max(0, r.end - r.start))}
        </span>
      ))}
    </div>
  )
}

function TestList({ reports }: { reports: ScriptPhaseReport[] }) {
  const tests = reports.flatMap((r) => r.tests.map((t) => ({ ...t, phase: r.phase })))
  const dropped = reports.reduce((n, r) => n + (r.droppedTests ?? 0), 0)
  if (tests.length === 0 && dropped === 0) return null
  const passed = tests.filter((t) => t.passed && !t.skipped).length
  const failed = tests.filter((t) => !t.passed && !t.skipped).length
  return (
    <section aria-label="Script tests">
      <h4 className="tests-heading">
        Tests{' '}
        <span className="muted">
          {passed} passed · {failed} failed
          {tests.length - passed - failed > 0 ? ` · ${tests.length - passed - failed} skipped` : ''}
        </span>
      </h4>
      {dropped > 0 ? (
        <p className="console-dropped" role="status">
          {groupDigits(dropped)} more test{dropped === 1 ? '' : 's'} past the limit: counted by the engine,
          their results not kept
        </p>
      ) : null}
      <table className="script-tests">
        <tbody>
          {tests.map((t, i) => {
            const state = t.skipped ? 'skipped' : t.passed ? 'passed' : 'failed'
            return (
              <tr key={i} className={state} data-test={t.name} data-result={state}>
                <td className="mark" aria-label={state}>
                  {t.skipped ? '–' : t.passed ? '✓' : '✗'}
                </td>
                <td>
                  {t.where !== undefined ? <span className="muted">{t.where} › </span> : null}
                  {t.name}
                  {t.error !== undefined && !t.passed ? <div className="message">{t.error}</div> : null}
                </td>
                <td className="phase">{PHASE_LABEL[t.phase]}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}

function ConsoleList({ reports }: { reports: ScriptPhaseReport[] }) {
  // Each line's time is from its phase's start (a pre-request script runs before its request is queued).
  const lines = reports.flatMap((r) => r.console.map((l) => ({ ...l, phase: r.phase, at: l.t - r.start })))
  const dropped = reports.reduce((n, r) => n + r.droppedConsole, 0)
  if (lines.length === 0 && dropped === 0) return null
  return (
    <section aria-label="Script console">
      <h4 className="tests-heading">
        Console <span className="muted">{lines.length + dropped} lines</span>
      </h4>
      <div className="script-console" role="log">
        {lines.map((l, i) => (
          <div key={i} className="console-line" data-level={l.level}>
            <span className="level">{l.level}</span>
            <span className="phase num" title={PHASE_LABEL[l.phase]}>
              {l.phase} +{formatMs(Math.max(0, l.at))}
            </span>
            <span className="text">
              {l.where !== undefined ? <span className="muted">{l.where} › </span> : null}
              {l.text}
            </span>
          </div>
        ))}
        {dropped > 0 ? (
          <div className="console-dropped" role="status">
            {groupDigits(dropped)} more line{dropped === 1 ? '' : 's'} not kept
          </div>
        ) : null}
      </div>
    </section>
  )
}
