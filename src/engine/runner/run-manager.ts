import { resolve } from 'node:path'
import type { CommandPayload } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import {
  MAX_RUN_STEPS,
  MAX_SNAPSHOT_RESULTS,
  RUN_PROGRESS_EVERY_MS,
  type RunFinished,
  type RunProgressEvent,
  type RunSnapshot,
  type RunWebhookInbox,
  type StepResultSummary,
} from '../../shared/run-schemas'
import type { AuthRunner } from '../auth/auth-runner'
import type { CollectionManager } from '../collections/manager'
import type { HttpEngine } from '../http/http-engine'
import { readDataFile, type DataRow } from './data-file'
import { planRun } from './plan'
import { runSteps } from './runner'
import { forgetScripts, newScriptKey, warmScripts, type ScriptDeps } from '../scripts/script-host'
import type { RunOptions, RunReport, RunStep, StepResult } from './run-step'
import { checkGraph } from './step-graph'
import { summarize } from './run-summary'
import { runFinishedOf, stoppedRunReport } from './run-finished'
import { ensureRunInbox } from './run-inbox'
import { PerRequestTally } from './per-request'
import { gotResponse } from './stats'
import { ResultTally } from './result-tally'
import type { StreamDeps } from './stream-step'
import type { WebhookInbox } from '../webhooks/webhook-inbox'
import type { TraceIndex } from '../trace/trace-index'

/**
 * The service side of `run.*`: plans a run from a collection path, starts it, sends `run.progress` at most
 * every RUN_PROGRESS_EVERY_MS with the results new since the last event (the last event carries the run's
 * statistics; a run that keeps only its failures sends counts alone), answers `run.get` and `run.cancel`. The CLI
 * waits on `wait()` for the full report.
 */

type StartPayload = CommandPayload<'run.start'>

export interface RunManagerDeps {
  http: HttpEngine
  auth: AuthRunner
  collections: CollectionManager
  streams: StreamDeps
  /** The engine's webhook inbox: runs whose steps use `{{$webhook}}` start it when it is not listening. */
  webhooks?: WebhookInbox
  /** Webhook calls that carry a step's trace id in a body field its `trace.bodyField` names join its lane. */
  traces?: TraceIndex
  emit(payload: RunProgressEvent): void
  /** Runs the steps' scripts; without it they are reported as not run. */
  scripts?: ScriptDeps
  /** What runs keep of their results (RunOptions['keep']); `failures` also keeps per-request latency in buckets. */
  keep?: 'all' | 'failures'
  /**
   * A run that keeps only its failures hands each finished step's sessions (its attempts, a job's polls) here: the
   * host may let go of their records and bodies at once, as nothing reads them after the step.
   */
  release?: (sids: readonly string[]) => void
}

/** Finished runs kept for `run.get`. */
const KEEP_FINISHED = 20

interface Run {
  id: string
  start: StartPayload
  dir: string
  startedAt: number
  total: number
  steps: RunStep[]
  controller: AbortController
  done: number
  passed: number
  failed: number
  pending: StepResultSummary[]
  recent: StepResultSummary[]
  /**
   * A run that keeps only its failures (`keep: 'failures'`): each result is counted here and summarised only when
   * it is one of the first failures, and its progress events carry counts, not results (`pending` and `recent`
   * stay empty; `run.get` then lists the first failures).
   */
  tally: ResultTally | null
  perRequest: Map<string, PerRequestTally>
  timer: ReturnType<typeof setTimeout> | null
  lastEmit: number
  finished?: RunFinished
  webhookInbox?: RunWebhookInbox
  warnings: string[]
  report: Promise<RunReport>
}

export class RunManager {
  private readonly runs = new Map<string, Run>()
  private next = 1

  constructor(private readonly deps: RunManagerDeps) {}

  async start(p: StartPayload): Promise<Result<{ runId: string; total: number; warnings?: string[] }>> {
    const planned = await planRun(this.deps.collections, p.dir, p.path, p.env)
    if (!planned.ok) return planned
    const { steps, dir, warnings } = planned.value
    for (const s of steps)
      if (s.trace?.bodyField !== undefined) this.deps.traces?.watchField(s.trace.bodyField)
    try {
      checkGraph(steps)
    } catch (e) {
      return fail('invalid_request', e instanceof Error ? e.message : String(e))
    }
    let data: DataRow[] | undefined
    if (p.dataFile !== undefined) {
      // A relative path names a file in the collection folder (a data set kept next to the requests).
      const rows = await readDataFile(resolve(dir, p.dataFile))
      if (!rows.ok) return rows
      if (rows.value.length === 0) return fail('invalid_request', `Data file ${p.dataFile} has no rows`)
      data = rows.value
    }
    // With a data file, an iteration is one pass over its rows.
    const iterations = p.iterations * (data?.length ?? 1)
    const total = steps.length * iterations
    if (total > MAX_RUN_STEPS)
      return fail(
        'invalid_request',
        `That run has ${total.toLocaleString('en-US')} step runs; at most ${MAX_RUN_STEPS.toLocaleString('en-US')}`,
      )

    let webhookInbox: RunWebhookInbox | undefined
    if (planned.value.usesWebhook) {
      const inbox = await ensureRunInbox(this.deps.webhooks, p.webhookPort)
      if (!inbox.ok) return inbox
      webhookInbox = inbox.value
    }

    const id = `r${this.next++}`
    const controller = new AbortController()
    const state: Omit<Run, 'report'> = {
      id,
      start: p,
      dir,
      startedAt: Date.now(),
      total,
      steps,
      controller,
      done: 0,
      passed: 0,
      failed: 0,
      pending: [],
      recent: [],
      tally: this.deps.keep === 'failures' ? new ResultTally() : null,
      perRequest: new Map(steps.map((s) => [s.id, new PerRequestTally(s, this.deps.keep === 'failures')])),
      timer: null,
      lastEmit: 0,
      ...(webhookInbox ? { webhookInbox } : {}),
      warnings,
    }
    const run: Run = Object.assign(state, { report: this.launch(state, steps, p, iterations, data) })
    this.runs.set(id, run)
    this.trim()
    return ok({
      runId: id,
      total,
      ...(webhookInbox ? { webhookInbox } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    })
  }

  private launch(
    run: Omit<Run, 'report'>,
    steps: RunStep[],
    p: StartPayload,
    iterations: number,
    data: DataRow[] | undefined,
  ): Promise<RunReport> {
    const scripts = this.deps.scripts
    const key = newScriptKey('run')
    if (scripts && p.scripts !== false && steps.some((s) => s.scripts)) warmScripts(scripts, key)
    return runSteps(this.deps.http, steps, {
      ...(scripts
        ? { scripts: { deps: scripts, key, enabled: p.scripts !== false, ...(data ? { data } : {}) } }
        : {}),
      concurrency: p.concurrency,
      iterations,
      ...(p.delayMs !== undefined ? { delayMs: p.delayMs } : {}),
      ...(p.ratePerSecond !== undefined ? { ratePerSecond: p.ratePerSecond } : {}),
      ...(data ? { data } : {}),
      ...(p.bail ? { bail: true } : {}),
      ...(p.allowUntranslatedScripts ? { allowUntranslatedScripts: true } : {}),
      ...(p.trace ? { trace: p.trace } : {}),
      ...(p.insecure || p.caFile !== undefined ? { tls: tlsOverride(p) } : {}),
      signal: run.controller.signal,
      // Cancelling the run ends an OAuth 2.0 sign-in its steps wait for (the listener closes at once).
      auth: this.deps.auth.forRun(run.controller.signal),
      streams: this.deps.streams,
      ...(this.deps.webhooks ? { webhooks: this.deps.webhooks } : {}),
      files: this.deps.collections.files.scope(run.dir),
      onResult: (r) => this.onResult(run, r),
      ...(this.deps.keep ? { keep: this.deps.keep } : {}),
    }).then(
      (report) => {
        if (scripts) forgetScripts(scripts, key)
        if (run.tally) report.counted = run.tally.result()
        this.finish(run, report)
        return report
      },
      (e: unknown) => {
        const report = stoppedRunReport(e, run)
        console.error('[flightdeck] run failed', e)
        this.finish(run, report)
        return report
      },
    )
  }

  cancel(runId: string): { cancelled: boolean } {
    const run = this.runs.get(runId)
    if (!run || run.finished || run.controller.signal.aborted) return { cancelled: false }
    run.controller.abort()
    return { cancelled: true }
  }

  get(runId: string): Result<RunSnapshot> {
    const run = this.runs.get(runId)
    if (!run) return fail('not_found', `No run ${runId}`)
    const snap: RunSnapshot = {
      runId: run.id,
      dir: run.dir,
      path: run.start.path,
      startedAt: run.startedAt,
      state: run.finished ? 'finished' : 'running',
      done: run.done,
      total: run.total,
      passed: run.passed,
      failed: run.failed,
      requests: [...run.perRequest.values()].map((p) => p.summary()),
      results: run.tally ? run.tally.result().failures : [...run.recent],
    }
    if (run.start.env !== undefined) snap.env = run.start.env
    if (run.finished) snap.finished = run.finished
    if (run.webhookInbox) snap.webhookInbox = run.webhookInbox
    if (run.warnings.length > 0) snap.warnings = run.warnings
    return ok(snap)
  }

  /** The whole report once the run ends (the CLI's reporters need every result). */
  wait(runId: string): Promise<RunReport> | null {
    return this.runs.get(runId)?.report ?? null
  }

  /** The planned steps of a run, in plan order. */
  steps(runId: string): readonly RunStep[] {
    return this.runs.get(runId)?.steps ?? []
  }

  async dispose(): Promise<void> {
    const running = [...this.runs.values()].filter((r) => !r.finished)
    for (const r of running) r.controller.abort()
    // The wait is bounded; its timer goes as soon as the runs have ended (it would hold its closure for 5 s).
    let bound: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        Promise.all(running.map((r) => r.report)),
        new Promise((resolve) => (bound = setTimeout(resolve, 5000).unref())),
      ])
    } finally {
      clearTimeout(bound)
    }
    for (const r of this.runs.values()) if (r.timer) clearTimeout(r.timer)
  }

  private onResult(run: Omit<Run, 'report'>, r: StepResult): void {
    run.done++
    if (r.passed) run.passed++
    else run.failed++
    run.perRequest.get(r.stepId)?.add(r.passed, r.timeMs, gotResponse(r))
    if (run.tally) {
      run.tally.add(r)
      this.deps.release?.(r.job ? [...r.sids, ...r.job.pollSids] : r.sids)
      this.releaseStreamLogs(r.sids)
    } else {
      const s = summarize(r)
      run.pending.push(s)
      run.recent.push(s)
      if (run.recent.length > MAX_SNAPSHOT_RESULTS * 2)
        run.recent.splice(0, run.recent.length - MAX_SNAPSHOT_RESULTS)
    }
    if (run.timer === null) {
      const wait = Math.max(0, run.lastEmit + RUN_PROGRESS_EVERY_MS - Date.now())
      run.timer = setTimeout(() => {
        run.timer = null
        this.emit(run)
      }, wait)
    }
  }

  /**
   * A stream step's session has ended by the time its result comes, and in a run that keeps only its failures
   * nothing reads its log after (no lane, no message view): the log goes now, with its memory and temp file,
   * instead of staying among the engine's last ended logs (up to 32 MB each in memory). An HTTP step's sids name
   * no log.
   */
  private releaseStreamLogs(sids: readonly string[]): void {
    const logs = this.deps.streams.streams.logs
    for (const sid of sids) if (logs.get(sid)) logs.remove(sid)
  }

  private emit(run: Omit<Run, 'report'>): void {
    run.lastEmit = Date.now()
    const results = run.pending
    run.pending = []
    const event: RunProgressEvent = {
      runId: run.id,
      done: run.done,
      total: run.total,
      passed: run.passed,
      failed: run.failed,
      results,
    }
    if (run.finished) event.finished = run.finished
    this.deps.emit(event)
  }

  private finish(run: Omit<Run, 'report'>, report: RunReport): void {
    if (run.recent.length > MAX_SNAPSHOT_RESULTS)
      run.recent.splice(0, run.recent.length - MAX_SNAPSHOT_RESULTS)
    run.finished = runFinishedOf(report)
    if (run.timer) clearTimeout(run.timer)
    run.timer = null
    this.emit(run)
  }

  private trim(): void {
    const finished = [...this.runs.values()].filter((r) => r.finished)
    for (const r of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.runs.delete(r.id)
  }
}

/** The run's own TLS settings (`flightdeck run -k`, `--cacert`), laid over every step's. */
function tlsOverride(p: StartPayload): NonNullable<RunOptions['tls']> {
  return {
    ...(p.insecure ? { insecure: true as const } : {}),
    ...(p.caFile !== undefined ? { caFile: p.caFile } : {}),
  }
}
