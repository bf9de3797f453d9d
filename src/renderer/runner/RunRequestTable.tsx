import { useRef, useState } from 'react'
import { useOverflowsSideways } from '../hooks/use-overflows-sideways'
import { groupDigits } from '../../shared/group-digits'
import { formatMs } from '../../shared/format'
import { bidiVisible, VisibleControls, VisibleLine } from '../app/VisibleControls'
import type { RunFinished } from '../../shared/run-schemas'
import { useAppStore } from '../store/store-context'
import { statusClass, statusText } from '../timeline/row-labels'
import type { RequestTally } from './runner-slice'
import { RequestTraceLine, RunTraceLine } from './RunTraces'
import { wholeRunTrace } from './run-traces'

/**
 * The run's results per request. A row opens its exchange (the first failed iteration's, else the latest's) in
 * the details pane, as a Postman runner's row opens its request and response; the toolbar's run button brings
 * the runner back.
 */
export function RunRequestTable({ requests }: { requests: readonly RequestTally[] }) {
  const whole = wholeRunTrace(requests) !== null
  const finished = useAppStore((s) => s.run?.finished ?? null)
  const open = useAppStore((s) => s.openRunExchange)
  const [gone, setGone] = useState<string | null>(null)
  const scroller = useRef<HTMLDivElement>(null)
  const sideways = useOverflowsSideways(scroller)
  const openRow = (r: RequestTally): void => {
    if (!r.exchange) return
    setGone(open(r.exchange.sid) ? null : r.name)
  }
  return (
    <div className="run-requests">
      <h4>Requests</h4>
      <RunTraceLine requests={requests} />
      {gone !== null ? (
        <p className="run-warning" role="alert">
          The exchange of {gone} is no longer on the timeline (its oldest finished rows are let go).
        </p>
      ) : null}
      {/* In a narrow pane the table scrolls sideways on its own; the pane, its head and its buttons stay put.
          Then it is a named stop for the keyboard, whose arrows bring its last columns in: the browser made it an
          unnamed stop by itself when no row had a button, and none when rows had (p99 and max out of reach). */}
      <div
        ref={scroller}
        className="run-table-scroll"
        {...(sideways
          ? { role: 'region', 'aria-label': 'Results per request (scrolls sideways)', tabIndex: 0 }
          : {})}
      >
        <table className="run-table" aria-label="Results per request">
          <thead>
            <tr>
              <th>Request</th>
              <th className="num">Pass</th>
              <th className="num">Fail</th>
              <th className="num">p50</th>
              <th className="num">p90</th>
              <th className="num">p99</th>
              <th className="num">max</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => {
              // A request of a finished run that never ran (a request it depends on failed) passed nothing.
              const notRun = finished !== null && r.passed + r.failed === 0
              const outcome = r.failed > 0 ? 'failed' : notRun ? 'not-run' : 'passed'
              return (
                <tr
                  key={r.stepId}
                  className={`${outcome}${r.exchange ? ' opens' : ''}`}
                  data-path={r.path}
                  onClick={(e) => {
                    // A click on the row's own button or a trace link does its own thing.
                    if ((e.target as Element).closest('button, a') === null) openRow(r)
                  }}
                >
                  <td>
                    <span className={`run-mark ${OUTCOME_MARK[outcome].cls}`} aria-hidden="true">
                      {OUTCOME_MARK[outcome].mark}
                    </span>
                    {r.exchange ? (
                      <button
                        type="button"
                        className="run-name run-open"
                        title={`${bidiVisible(r.path)}: open the ${r.exchange.failed ? 'first failed' : 'latest'} exchange (iteration ${r.exchange.iteration + 1})`}
                        aria-label={`Open ${r.name}'s exchange`}
                        onClick={() => openRow(r)}
                      >
                        <VisibleLine text={r.name} />
                      </button>
                    ) : (
                      <span className="run-name" title={bidiVisible(r.path)}>
                        <VisibleLine text={r.name} />
                      </span>
                    )}
                    {r.exchange ? <ExchangeStatus sid={r.exchange.sid} /> : null}
                    {r.scriptTests ? (
                      <span
                        className={r.scriptTests.failed > 0 ? 'run-script-tests fail' : 'run-script-tests'}
                        data-script-tests={`${r.scriptTests.passed}/${r.scriptTests.failed}`}
                        title="Script tests (pm.test) over every iteration"
                      >
                        tests {groupDigits(r.scriptTests.passed)} ✓
                        {r.scriptTests.failed > 0 ? ` ${groupDigits(r.scriptTests.failed)} ✗` : ''}
                      </span>
                    ) : null}
                    {r.resent ? <ResentCount count={r.resent} /> : null}
                    {notRun && finished ? (
                      <div className="run-message not-run">Not run: {notRunReason(finished)}</div>
                    ) : null}
                    {r.messages.map((m, i) => (
                      <div key={i} className="run-message">
                        {/* A failed check quotes what the server sent. */}
                        <VisibleControls text={m} />
                      </div>
                    ))}
                    <RequestTraceLine tally={r} whole={whole} />
                  </td>
                  <td className="num">{groupDigits(r.passed)}</td>
                  <td className={r.failed > 0 ? 'num fail' : 'num'}>{groupDigits(r.failed)}</td>
                  <td className="num">{latency(r, notRun, 'p50')}</td>
                  <td className="num">{latency(r, notRun, 'p90')}</td>
                  <td className="num">{latency(r, notRun, 'p99')}</td>
                  <td className="num">{latency(r, notRun, 'max')}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </div>
  )
}

/**
 * The status the row's exchange was answered with, coloured as on the timeline: a request with no checks passes on
 * any answer (as in Postman's runner), so its 500 would otherwise read as a plain ✓.
 */
function ExchangeStatus({ sid }: { sid: string }) {
  const row = useAppStore((s) => s.timeline.rows[sid])
  const text = row ? statusText(row) : ''
  if (!row || text === '') return null
  return (
    <span className={`run-status ${statusClass(row)}`} title="The status of the exchange this row opens">
      {text}
    </span>
  )
}

/**
 * How many of the request's sends went a second time, beside its name: each was safe to send again and passed or
 * failed on its second send, but the server cut its connection under the run (as `flightdeck run`'s line says).
 */
function ResentCount({ count }: { count: number }) {
  return (
    <span
      className="run-resent"
      data-resent={count}
      title={`${resentWords(count)}, the server having closed or refused the first before any response`}
    >
      {groupDigits(count)} sent again
    </span>
  )
}

/** `1 request was sent a second time` / `N requests were …`, the CLI's words. */
export function resentWords(count: number): string {
  return `${groupDigits(count)} ${count === 1 ? 'request was' : 'requests were'} sent a second time`
}

/**
 * A percentile of the request's runs that got a response: blank until the engine sends it or for a request never
 * run, `—` when none of its runs got a response (a refused port has no latency; 0.0 ms would read as instant).
 */
function latency(r: RequestTally, notRun: boolean, key: 'p50' | 'p90' | 'p99' | 'max'): string {
  if (!r.summary || notRun) return ''
  if ((r.summary.responses ?? r.summary.passed + r.summary.failed) === 0) return '—'
  return formatMs(r.summary[key])
}

const OUTCOME_MARK = {
  failed: { mark: '✗', cls: 'fail' },
  passed: { mark: '✓', cls: 'pass' },
  'not-run': { mark: '–', cls: 'not-run' },
} as const

/** Why requests of a finished run never ran, in the words of what ended or directed the run. */
export function notRunReason(f: RunFinished): string {
  if (f.cancelled) return 'the run was cancelled'
  if (f.bailed) return 'the run stopped at the first failure'
  if (f.internalError !== undefined) return 'the run stopped on an error'
  if (f.directed) return "a script's setNextRequest passed it by"
  return 'a request it depends on (dependsOn) failed, so its inputs were not there'
}
