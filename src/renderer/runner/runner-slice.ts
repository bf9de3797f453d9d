import type { StateCreator } from 'zustand/vanilla'
import type { AppError } from '../../shared/result'
import type {
  RequestSummary,
  RunFinished,
  RunProgressEvent,
  StepResultSummary,
} from '../../shared/run-schemas'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import {
  addScriptTests,
  scriptAssertionMessages,
  scriptFailureMessages,
  type ScriptTestTally,
} from '../scripts/run-script-tally'
import { addExchange, addTrace, type TallyExchange, type TallyTrace } from './run-traces'
import { addFailureKinds, NO_FAILURES, type FailureKinds } from './run-failure-kinds'

/**
 * The runner's results view: a run configured from a collection or folder ("Run" in the sidebar), started
 * through `run.start`, followed by `run.progress` events (applied here, one store update each), cancelled with
 * `run.cancel`. Per-request pass/fail is counted from the results as they arrive; once the run ends the
 * engine's own per-request percentiles are read with `run.get`.
 */

export type Pacing = 'none' | 'delay' | 'rate'

export interface RunConfig {
  dir: string
  /** '' for the whole collection, or a folder path. */
  path: string
  /** What the person clicked "Run" on. */
  label: string
  env: string
  concurrency: number
  iterations: number
  pacing: Pacing
  delayMs: number
  ratePerSecond: number
  dataFile: string
  bail: boolean
  /** Requests with imported scripts Flightdeck did not translate pass on their other checks (scripts off). */
  allowUntranslatedScripts?: boolean
  /** Run the requests' scripts (the default); false: they are not run, and such requests fail unless allowed. */
  runScripts?: boolean
}

/** Pass/fail of one request of the run (all iterations so far), with the first few failure messages. */
export interface RequestTally {
  stepId: string
  name: string
  path: string
  passed: number
  failed: number
  /** Distinct failure messages (assertions, script tests, a stopped script or errors), at most MAX_MESSAGES. */
  messages: string[]
  /** The request's script tests (pm.test …) over every iteration so far, when it has any. */
  scriptTests?: ScriptTestTally
  /** The trace to look up for this request: its first failed iteration's, else its latest's. */
  trace?: TallyTrace
  /** The exchange a click on the row opens on the timeline: the first failed iteration's, else the latest's. */
  exchange?: TallyExchange
  /** The engine's percentiles, once the run has finished. */
  summary?: RequestSummary
  /**
   * Its sends that went a second time over every iteration so far (the server closed or refused the first before
   * any response), when any did.
   */
  resent?: number
}

export interface RunView {
  runId: string
  total: number
  done: number
  passed: number
  failed: number
  /**
   * Steps that Cancel run cut short (their error's code `cancelled`): failed, and among the stats' `errors`, but
   * the person stopped them, so the results say so apart from the requests that got no response.
   */
  cancelled?: number
  /** The failed requests by what went wrong (not sent, not answered, a script's error), once any failed so. */
  failures?: FailureKinds
  /** Per request, in the order they first finished. */
  requests: RequestTally[]
  finished: RunFinished | null
  cancelling: boolean
  /** What the engine's plan found that the run says above its results (a carried-down script that runs twice). */
  warnings?: string[]
}

export interface RunnerSlice {
  runnerOpen: boolean
  runConfig: RunConfig | null
  run: RunView | null
  runError: AppError | null
  runStarting: boolean
  openRunner(dir: string, path: string, label: string): void
  /** Hides the runner; a run keeps going and the toolbar's run button brings it back. */
  closeRunner(): void
  reopenRunner(): void
  /**
   * Shows a run's exchange in the details pane (the runner steps aside; the toolbar brings it back). False when the
   * timeline no longer holds that session (its oldest finished rows are let go).
   */
  openRunExchange(sid: string): boolean
  /** The exchange a runner row opened, while the runner is aside: Esc on it goes back to the runner. */
  runExchangeSid: string | null
  setRunConfig(patch: Partial<RunConfig>): void
  startRun(): Promise<void>
  cancelRun(): Promise<void>
  applyRunProgress(event: RunProgressEvent): void
}

const MAX_MESSAGES = 3

export function tallyResults(
  before: readonly RequestTally[],
  results: readonly StepResultSummary[],
): RequestTally[] {
  if (results.length === 0) return before as RequestTally[]
  const list = [...before]
  const at = new Map(list.map((r, i) => [r.stepId, i]))
  for (const r of results) {
    let i = at.get(r.stepId)
    if (i === undefined) {
      i = list.length
      at.set(r.stepId, i)
      list.push({ stepId: r.stepId, name: r.name, path: r.path, passed: 0, failed: 0, messages: [] })
    }
    const cur = list[i] as RequestTally
    const counted: RequestTally = r.passed
      ? { ...cur, passed: cur.passed + 1 }
      : { ...cur, failed: cur.failed + 1, messages: addMessages(cur.messages, r) }
    const next = r.resent ? { ...counted, resent: (cur.resent ?? 0) + r.resent } : counted
    const scriptTests = addScriptTests(cur.scriptTests, r)
    const trace = addTrace(cur.trace, r)
    const exchange = addExchange(cur.exchange, r)
    const withExchange = exchange ? { ...next, exchange } : next
    const withTrace = trace ? { ...withExchange, trace } : withExchange
    list[i] = scriptTests ? { ...withTrace, scriptTests } : withTrace
  }
  return list
}

function addMessages(messages: string[], r: StepResultSummary): string[] {
  if (messages.length >= MAX_MESSAGES) return messages
  const out = [...messages]
  // Script tests are among the assertions too; the table words them with their names (scriptFailureMessages).
  const fromScripts = scriptAssertionMessages(r)
  const found = r.error
    ? [r.error.message]
    : [
        ...r.assertions
          .filter((a) => !a.passed && !fromScripts.has(a.message))
          .map((a) => a.message || a.name),
        ...scriptFailureMessages(r),
      ]
  for (const m of found) if (out.length < MAX_MESSAGES && !out.includes(m)) out.push(m)
  return out
}

/** Results failed because the person cancelled the run (cancelled-steps.ts gives them that code). */
function cancelledCount(results: readonly StepResultSummary[]): number {
  let n = 0
  for (const r of results) if (r.error?.code === 'cancelled') n++
  return n
}

/** The `run.start` payload for a configuration (the contract's names and limits). */
export function runPayload(c: RunConfig) {
  return {
    dir: c.dir,
    path: c.path,
    ...(c.env !== '' ? { env: c.env } : {}),
    concurrency: c.concurrency,
    iterations: c.iterations,
    ...(c.pacing === 'delay' ? { delayMs: c.delayMs } : {}),
    ...(c.pacing === 'rate' ? { ratePerSecond: c.ratePerSecond } : {}),
    ...(c.dataFile.trim() !== '' ? { dataFile: c.dataFile.trim() } : {}),
    ...(c.bail ? { bail: true } : {}),
    ...(c.allowUntranslatedScripts ? { allowUntranslatedScripts: true } : {}),
    ...(c.runScripts === false ? { scripts: false } : {}),
  }
}

export function createRunnerSlice(client: ApiClient): StateCreator<AppState, [], [], RunnerSlice> {
  return (set, get) => ({
    runnerOpen: false,
    runConfig: null,
    run: null,
    runError: null,
    runStarting: false,
    runExchangeSid: null,
    openRunner: (dir, path, label) => {
      const prev = get().runConfig
      const env = get().envByDir[dir] ?? ''
      // Keep the last settings when the same place is run again.
      const keep = prev && prev.dir === dir && prev.path === path ? prev : null
      set({
        runnerOpen: true,
        runExchangeSid: null,
        runError: null,
        runConfig: keep ?? {
          dir,
          path,
          label,
          env,
          concurrency: prev?.concurrency ?? 10,
          iterations: prev?.iterations ?? 1,
          pacing: 'none',
          delayMs: 100,
          ratePerSecond: 50,
          dataFile: '',
          bail: false,
        },
        // A finished run's results give way to the new configuration; a running one stays on show.
        ...(get().run?.finished ? { run: null } : {}),
      })
    },
    closeRunner: () => set({ runnerOpen: false, runExchangeSid: null }),
    reopenRunner: () => {
      if (get().runConfig) set({ runnerOpen: true, runExchangeSid: null })
    },
    openRunExchange: (sid) => {
      if (get().timeline.rows[sid] === undefined) return false
      set({ runnerOpen: false, runExchangeSid: sid })
      get().select(sid)
      return true
    },
    setRunConfig: (patch) => set((s) => (s.runConfig ? { runConfig: { ...s.runConfig, ...patch } } : {})),
    startRun: async () => {
      const config = get().runConfig
      if (!config || get().runStarting) return
      set({ runStarting: true, runError: null })
      const r = await client.invoke('run.start', runPayload(config))
      if (!r.ok) {
        set({ runStarting: false, runError: r.error })
        return
      }
      set({
        runStarting: false,
        run: {
          runId: r.value.runId,
          total: r.value.total,
          done: 0,
          passed: 0,
          failed: 0,
          requests: [],
          finished: null,
          cancelling: false,
          ...(r.value.warnings ? { warnings: r.value.warnings } : {}),
        },
      })
    },
    cancelRun: async () => {
      const run = get().run
      if (!run || run.finished) return
      set({ run: { ...run, cancelling: true } })
      await client.invoke('run.cancel', { runId: run.runId })
    },
    applyRunProgress: (e) => {
      const run = get().run
      if (!run || run.runId !== e.runId || run.finished) return
      const cancelled = (run.cancelled ?? 0) + cancelledCount(e.results)
      const failures = addFailureKinds(run.failures ?? NO_FAILURES, e.results)
      const next: RunView = {
        ...run,
        ...(cancelled > 0 ? { cancelled } : {}),
        ...(failures !== NO_FAILURES ? { failures } : {}),
        total: e.total,
        done: e.done,
        passed: e.passed,
        failed: e.failed,
        requests: tallyResults(run.requests, e.results),
        finished: e.finished ?? null,
      }
      set({ run: next })
      if (e.finished) {
        // The engine's per-request percentiles (over every iteration).
        void client.invoke('run.get', { runId: e.runId }).then((snap) => {
          const cur = get().run
          if (!snap.ok || !cur || cur.runId !== e.runId) return
          const byId = new Map(snap.value.requests.map((q) => [q.stepId, q]))
          const known = new Set(cur.requests.map((q) => q.stepId))
          const requests = cur.requests.map((q) => {
            const summary = byId.get(q.stepId)
            return summary ? { ...q, summary } : q
          })
          for (const q of snap.value.requests)
            if (!known.has(q.stepId)) requests.push({ ...q, messages: [], summary: q })
          set({ run: { ...cur, requests } })
        })
      }
    },
  })
}
