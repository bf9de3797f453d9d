import { useEffect, useRef, useState } from 'react'
import { groupDigits } from '../../shared/group-digits'
import { formatMs } from '../../shared/format'
import { FactList } from '../details/FactList'
import { LabeledNumber } from '../app/NumberField'
import { bidiVisible, VisibleControls, VisibleLine } from '../app/VisibleControls'
import { BidiFieldNote } from '../app/BidiNote'
import { useAppStore } from '../store/store-context'
import { Histogram, Throughput } from './RunCharts'
import type { Pacing } from './runner-slice'
import { RunServerTiming } from './RunServerTiming'
import { RunFailureNotes } from './RunFailureNotes'
import { notRunReason, resentWords, RunRequestTable } from './RunRequestTable'
import { focusRunnerReturn, RUNNER_LABEL } from './RunnerReturn'

/**
 * The runner in the details pane's place: the run's configuration, then live progress with Cancel, then the
 * results (pass/fail per request with failure messages, percentiles, a histogram and throughput over time).
 * The run's requests are on the timeline beside it, as any others.
 */
export function RunnerPanel() {
  const config = useAppStore((s) => s.runConfig)
  const run = useAppStore((s) => s.run)
  const close = useAppStore((s) => s.closeRunner)
  // Once a run has results they lead: in a short window the form above them pushed the verdict out of view.
  // The form comes back with Settings (and leaves once the next run starts).
  const [settingsFor, setSettingsFor] = useState<string | null>(null)
  const running = run !== null && run.finished === null
  const settings = run !== null && settingsFor === run.runId
  if (!config) return null
  // Esc puts the runner aside, as it closes a dialog; a run keeps going (Cancel stops it) and the toolbar's run
  // button, which gets the focus, brings it back. Esc never stops a run: that is one key from an accident.
  const stepAside = (): void => {
    close()
    if (run !== null) focusRunnerReturn()
  }
  return (
    <section
      className="details runner"
      aria-label={RUNNER_LABEL}
      // A click on its words (nothing focusable) keeps the focus here, so Esc is the runner's, not the window's
      // (which cancels the selected request: one of this run's, maybe).
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return
        e.preventDefault()
        stepAside()
      }}
    >
      <div className="runner-head">
        <span className="status-pill st-3xx">Run</span>
        <span
          className="runner-title"
          title={bidiVisible(`${config.dir}${config.path ? `/${config.path}` : ''}`)}
        >
          <VisibleLine text={config.label} />
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="secondary-button"
          onClick={stepAside}
          title={
            running ? 'Back to request details; the run keeps going (Esc)' : 'Back to request details (Esc)'
          }
        >
          Close
        </button>
      </div>
      <RunError />
      {!running && (run === null || settings) ? <RunConfigForm /> : null}
      {run ? (
        <RunProgress settingsOpen={settings} onSettings={() => setSettingsFor(settings ? null : run.runId)} />
      ) : null}
      {/* The requests first, as a Postman runner lists them: each row opens its exchange; the figures follow. */}
      {run && run.requests.length > 0 ? <RunRequestTable requests={run.requests} /> : null}
      {run?.finished ? <RunResults /> : null}
    </section>
  )
}

function RunConfigForm() {
  const c = useAppStore((s) => s.runConfig)
  const set = useAppStore((s) => s.setRunConfig)
  const start = useAppStore((s) => s.startRun)
  const starting = useAppStore((s) => s.runStarting)
  const envs = useAppStore((s) => s.collections.find((x) => x.dir === c?.dir)?.environments ?? [])
  // Opened from a folder's Run (or Settings): the focus comes along to Start run, so Enter starts the run and
  // Shift+Tab reaches the settings; it stayed on the sidebar's hover-only button. Without scrolling: in a short
  // pane (a tall composer above it) the focus scrolled the form to Start run and cut the runner's header off.
  const startButton = useRef<HTMLButtonElement>(null)
  const dir = c?.dir
  useEffect(() => startButton.current?.focus({ preventScroll: true }), [dir])
  if (!c) return null
  return (
    <form
      className="run-config"
      aria-label="Run configuration"
      onSubmit={(e) => {
        e.preventDefault()
        void start()
      }}
    >
      <LabeledNumber
        label="Concurrency"
        min={1}
        max={1000}
        value={c.concurrency}
        onValue={(concurrency) => set({ concurrency })}
      />
      <LabeledNumber
        label="Iterations"
        min={1}
        max={100_000}
        value={c.iterations}
        onValue={(iterations) => set({ iterations })}
      />
      <label>
        Pacing
        <select
          aria-label="Pacing"
          value={c.pacing}
          onChange={(e) => set({ pacing: e.target.value as Pacing })}
        >
          <option value="none">As fast as allowed</option>
          <option value="delay">Delay between starts</option>
          <option value="rate">Requests per second</option>
        </select>
      </label>
      {c.pacing === 'delay' ? (
        <LabeledNumber
          label="Delay (ms)"
          min={0}
          max={3_600_000}
          value={c.delayMs}
          onValue={(delayMs) => set({ delayMs })}
        />
      ) : c.pacing === 'rate' ? (
        <LabeledNumber
          label="Per second"
          aria-label="Requests per second"
          min={1}
          max={1_000_000}
          value={c.ratePerSecond}
          onValue={(ratePerSecond) => set({ ratePerSecond })}
        />
      ) : (
        <span />
      )}
      <label className="wide">
        Data file
        <input
          className="mono"
          aria-label="Data file"
          value={c.dataFile}
          placeholder="rows.csv or rows.json (optional)"
          onChange={(e) => set({ dataFile: e.target.value })}
        />
      </label>
      <BidiFieldNote label="The data file's name" text={c.dataFile} />
      <label>
        Environment
        <select aria-label="Run environment" value={c.env} onChange={(e) => set({ env: e.target.value })}>
          <option value="">None</option>
          {envs.map((env) => (
            <option key={env.id} value={env.id}>
              {bidiVisible(env.name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input type="checkbox" checked={c.bail} onChange={(e) => set({ bail: e.target.checked })} />
        Stop at the first failure
      </label>
      <label title="The requests' pre-request and test scripts run in the engine's sandbox; their tests count as the requests' checks">
        <input
          type="checkbox"
          checked={c.runScripts !== false}
          onChange={(e) => set({ runScripts: e.target.checked })}
        />
        Run the requests' scripts
      </label>
      {c.runScripts === false ? (
        <label title="Requests whose scripts are not run fail, since their checks were not made; with this they pass on their other checks (the result still says the scripts were not run)">
          <input
            type="checkbox"
            checked={c.allowUntranslatedScripts === true}
            onChange={(e) => set({ allowUntranslatedScripts: e.target.checked })}
          />
          Pass requests whose imported scripts were not run
        </label>
      ) : null}
      <div className="run-actions">
        <button ref={startButton} type="submit" className="primary-button" disabled={starting}>
          {starting ? 'Starting…' : 'Start run'}
        </button>
      </div>
    </form>
  )
}

/** Why a run did not start, above the form and the last results alike (Run again has no form open). */
function RunError() {
  const error = useAppStore((s) => s.runError)
  if (!error) return null
  return (
    <p className="webhook-error run-error" role="alert">
      {/* It names requests and files, text others chose: invisible characters as escapes, line breaks kept. */}
      <VisibleControls text={error.message} />
    </p>
  )
}

export function RunProgress({ settingsOpen, onSettings }: { settingsOpen: boolean; onSettings(): void }) {
  const run = useAppStore((s) => s.run)
  const cancel = useAppStore((s) => s.cancelRun)
  const start = useAppStore((s) => s.startRun)
  const starting = useAppStore((s) => s.runStarting)
  const action = useRef<HTMLButtonElement>(null)
  const running = run !== null && run.finished === null
  // Start run leaves with its form: the focus goes to Cancel, in its place, not to the page's start.
  useEffect(() => {
    const active = document.activeElement
    if (running && (active === null || active === document.body)) action.current?.focus()
  }, [running])
  if (!run) return null
  const pct = run.total > 0 ? Math.min(100, (run.done / run.total) * 100) : 0
  const f = run.finished
  const state = f ? (f.cancelled ? 'Cancelled' : f.bailed ? 'Stopped at a failure' : 'Finished') : 'Running'
  return (
    <div className="run-progress" aria-label="Run progress">
      <div className="run-progress-line">
        <span className={`run-state${f ? ' done' : ''}`} data-testid="run-state">
          {state}
        </span>
        <span className="num muted">
          {groupDigits(run.done)} / {groupDigits(run.total)}
        </span>
        <span className="num pass">{groupDigits(run.passed)} passed</span>
        <span className={run.failed > 0 ? 'num fail' : 'num muted'}>
          {groupDigits(run.failed)} failed
          {/* Among them, those the person stopped: "failed" alone read as the server's or the checks' doing. */}
          {run.cancelled ? ` (${groupDigits(run.cancelled)} cancelled)` : ''}
        </span>
        {f && run.done < run.total && !f.directed ? (
          <span className="num not-run" title={`Not run: ${notRunReason(f)}`}>
            {groupDigits(run.total - run.done)} not run
          </span>
        ) : null}
        <span className="spacer" />
        {f ? <span className="num muted">{formatMs(f.durationMs)}</span> : null}
        {f ? (
          <button
            type="button"
            className="secondary-button"
            aria-expanded={settingsOpen}
            onClick={onSettings}
          >
            Settings
          </button>
        ) : null}
        {/* One button for Cancel and Run again, so the focus stays on it from one to the other. */}
        <button
          ref={action}
          type="button"
          className={f ? 'primary-button' : 'secondary-button'}
          disabled={f ? starting : run.cancelling}
          onClick={() => void (f ? start() : cancel())}
        >
          {f ? (starting ? 'Starting…' : 'Run again') : run.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <div
        className="run-bar"
        role="progressbar"
        aria-label="Requests done"
        aria-valuemin={0}
        aria-valuemax={run.total}
        aria-valuenow={run.done}
      >
        <div
          className="run-bar-pass"
          style={{ width: `${run.total > 0 ? (run.passed / run.total) * 100 : 0}%` }}
        />
        <div
          className="run-bar-fail"
          style={{ width: `${run.total > 0 ? (run.failed / run.total) * 100 : 0}%` }}
        />
        <span className="sr-only">{Math.round(pct)}%</span>
      </div>
      {run.warnings?.map((w, i) => (
        <p key={i} className="run-warning" role="alert" data-testid="run-warning">
          <VisibleControls text={w} />
        </p>
      ))}
    </div>
  )
}

function RunResults() {
  const f = useAppStore((s) => s.run?.finished)
  const requests = useAppStore((s) => s.run?.requests)
  const cancelled = useAppStore((s) => s.run?.cancelled ?? 0)
  if (!f) return null
  const resent = requests?.reduce((n, r) => n + (r.resent ?? 0), 0) ?? 0
  const s = f.stats
  const secs = f.durationMs / 1000
  // Latency and rate are of the responses alone, as the CLI's summary: a request never sent or never answered
  // ends in a few ms or at its timeout, and counted it reads as a fast or a slow server.
  const responses = s.responses ?? s.total
  const ms = (x: number): string => (responses > 0 ? formatMs(x) : '—')
  const rate = secs > 0 ? responses / secs : 0
  const tiles: [string, string][] = [
    ['p50', ms(s.p50)],
    ['p90', ms(s.p90)],
    ['p99', ms(s.p99)],
    ['max', ms(s.max)],
    ['mean', ms(s.mean)],
    ['req/s', secs > 0 ? rate.toFixed(rate >= 100 ? 0 : 1) : '—'],
  ]
  return (
    <div className="run-results">
      {/* A facts list as every pane's: each figure beside its label, three a line. */}
      <FactList facts={tiles} className="run-facts" label="Latency percentiles" />
      <RunFailureNotes />
      {cancelled > 0 ? (
        <p className="muted small" data-testid="run-cancelled">
          {cancelled === 1 ? '1 request was' : `${groupDigits(cancelled)} requests were`} cut short by Cancel
          run (cancelled).
        </p>
      ) : null}
      {resent > 0 ? (
        <p className="muted small" data-testid="run-resent">
          {resentWords(resent)}, the server having closed or refused the first before any response (each
          request's count is beside its name).
        </p>
      ) : null}
      <RunServerTiming stats={s} />
      <h4>Latency</h4>
      <Histogram stats={s} />
      <h4>Throughput (finished per second)</h4>
      <Throughput series={f.throughput} />
    </div>
  )
}
