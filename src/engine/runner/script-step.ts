import type { ScriptPhaseReport } from '../../shared/scripts'
import { emitScriptEvent, runPhase, scriptResponse, type ScriptDeps } from '../scripts/script-host'
import { fromScriptRequest } from '../scripts/script-request'
import { ScopeOverlay, valueText, type BaseScopes } from '../scripts/script-scopes'
import type { ScopeChanges, ScriptScopes, ScriptSource } from '../scripts/script-types'
import type { HttpEngine } from '../http/http-engine'
import { Semaphore } from './pacing'
import { failed, NOTHING, result, type RunStep, type StepResult, type StepRun } from './run-step'
import { emptySecretError, scriptEmptySecrets } from '../send-rules/empty-secrets'

/**
 * A run's step with scripts: its pre-request scripts run first (they may change the request and variables),
 * then the step as any other, then its test scripts on the response. Script tests count as the step's checks;
 * a script stopped by an error or a limit fails the step and the run carries on. What scripts write to
 * variables goes where the step's extracted values go (the iteration's variables, seen by the steps after it).
 */

export interface StepScripts {
  pre: ScriptSource[]
  post: ScriptSource[]
}

/** What a run needs to run scripts; without it (or with `enabled` false) scripts are not run. */
export interface RunScripts {
  deps: ScriptDeps
  /** The run's sandbox key. */
  key: string
  enabled: boolean
  /** The run's data rows (`pm.iterationData`): iteration i has row i mod rows. */
  data?: readonly Record<string, unknown>[]
  /**
   * Steps that handed their slot back and wait for, or run, their test script; of them, those with their response
   * read (as many as the run's concurrency, as when they kept their slots). Made by the first such step.
   */
  testBacklog?: Semaphore
  testGate?: Semaphore
  /**
   * What scripts wrote, scope by scope, for the whole run (made by the first script): as in newman, a value set in
   * one iteration is there in the next, and iterations running side by side share it.
   */
  overlay?: ScopeOverlay
}

/**
 * Steps at most that wait for their test script with their slot handed back: far below the bodies the engine keeps
 * (20,000), and enough for the requests to go on while a cold sandbox starts.
 */
const TEST_BACKLOG = 1000

/**
 * A run's request slot as a step holds it: handed back once the step's response is in, so the next request goes
 * out while this one's test script waits for the sandbox (a cold sandbox takes a few hundred ms to start).
 */
export interface StepSlot {
  release(): void
  /** The run's concurrency: test scripts past this many at once wait (each holds its response's body). */
  concurrency: number
}

function overlayOf(run: RunScripts): ScopeOverlay {
  run.overlay ??= new ScopeOverlay()
  return run.overlay
}

/**
 * An iteration's starting values with what scripts wrote in the iterations before it, in Postman's order: the
 * data row wins over a script's environment, collection or globals value, a `pm.variables` (local) value wins
 * over the row. A name a script unset stays gone (unless the row has it).
 */
export function carryScriptValues(
  run: RunScripts | undefined,
  vars: Map<string, string>,
  unset: Set<string>,
  row: Readonly<Record<string, unknown>> | undefined,
): void {
  const overlay = run?.enabled === true ? run.overlay : undefined
  if (!overlay) return
  const { set, gone } = overlay.written()
  for (const scope of ['globals', 'collection', 'environment', 'local'] as const) {
    for (const k of gone[scope]) {
      if (row && k in row) continue
      vars.delete(k)
      unset.add(k)
    }
    for (const [k, v] of set[scope]) {
      if (scope !== 'local' && row && k in row) continue
      vars.set(k, valueText(v))
      unset.delete(k)
    }
  }
}

/** How a step's scripts went, on its result. */
export interface StepScriptReports {
  pre?: ScriptPhaseReport
  post?: ScriptPhaseReport
}

export async function scriptedStep(
  http: HttpEngine,
  step: RunStep,
  scripts: StepScripts,
  iteration: number,
  iterations: number,
  iterationVars: ReadonlyMap<string, string>,
  run: RunScripts,
  send: (step: RunStep, vars: ReadonlyMap<string, string>) => Promise<StepRun>,
  // Names scripts unset earlier in the iteration: the scripts' scopes read them from the iteration's overlay.
  _unsetBefore: ReadonlySet<string> = NO_NAMES,
  slot?: StepSlot,
): Promise<StepRun> {
  const written = new Map<string, string>()
  const removed = new Set<string>()
  const info = { requestName: step.name, requestId: step.id, iteration, iterationCount: iterations }
  const overlay = overlayOf(run)
  const data = run.data && run.data.length > 0 ? (run.data[iteration % run.data.length] ?? {}) : {}
  const scopes = (): ScriptScopes => {
    // Each Postman scope reads its own values; the run's values no scope holds (extracted ones, a data row's
    // columns the runner merged) are the local scope's, the nearest, as they win in {{templates}} too.
    const base: BaseScopes = step.scopeBase ?? {
      globals: Object.fromEntries(step.variables ?? NOTHING),
      collection: Object.fromEntries(step.variables ?? NOTHING),
      environment: Object.fromEntries(step.variables ?? NOTHING),
    }
    const extra: Record<string, unknown> = {}
    for (const [k, v] of iterationVars) if (!(k in data) && !overlay.touched(k)) extra[k] = v
    return overlay.view(base, data, extra)
  }
  const apply = (changes: ScopeChanges): void => {
    overlay.apply(changes)
    for (const change of Object.values(changes)) {
      // An unset name is gone for the steps after this one too (the runner drops it from the iteration).
      for (const k of change.unset) {
        written.delete(k)
        removed.add(k)
      }
      // A {{template}} gets a value's text, as in Postman.
      for (const [k, v] of Object.entries(change.set)) {
        written.set(k, valueText(v))
        removed.delete(k)
      }
    }
  }

  let sent = step
  let pre: ScriptPhaseReport | undefined
  let next: string | null | undefined
  if (scripts.pre.length > 0) {
    // An HTTP step's id is known before its script runs, so the requests the script sends name it as cause.
    const own = step.kind === undefined || step.kind === 'http' ? http.reserveSid() : undefined
    if (own !== undefined) sent = { ...sent, sid: own }
    const out = await runPhase(run.deps, {
      key: run.key,
      phase: 'pre',
      scripts: scripts.pre,
      request: step.request,
      auth: step.auth ?? { type: 'none' },
      scopes: scopes(),
      info,
      ...(own !== undefined ? { sid: own } : {}),
      ...(step.emptySecrets ? { empty: step.emptySecrets } : {}),
    })
    pre = out.report
    apply(out.output.changes)
    const empty = step.emptySecrets
    const refused = empty && out.output.read ? scriptEmptySecrets(out.output.read, written, empty) : []
    if (empty && refused.length > 0) {
      const r = failed(step, iteration, [], 0, emptySecretError(refused, empty.names, true), refused)
      r.scripts = { pre: kept(pre) }
      return finish(r, written, NOTHING, next, removed)
    }
    if (out.output.nextRequest !== undefined) next = out.output.nextRequest
    if (out.output.request) {
      const changed = fromScriptRequest(step.request, out.output.request)
      sent = { ...sent, request: changed.spec, auth: changed.auth }
    }
    if (out.output.skipRequest) {
      const r = result(step, iteration, [], 0, undefined, undefined, 0, pre.failure === undefined, [], [], [])
      r.scripts = { pre: kept(pre) }
      r.skipped = 'skipped by its pre-request script (pm.execution.skipRequest)'
      return finish(r, written, NOTHING, next, removed)
    }
  }

  const vars = new Map(iterationVars)
  for (const [k, v] of written) vars.set(k, v)
  // The pre-request script's event goes on the request's session as soon as it has one (before it is sent).
  let preShown = false
  if (pre) {
    const report = pre
    sent = {
      ...sent,
      onSession: (sid) => {
        preShown = true
        emitScriptEvent(run.deps, sid, report)
      },
    }
  }
  const r = await send(sent, vars)
  const res = r.result
  const sid = res.sids[0]
  let post: ScriptPhaseReport | undefined
  if (scripts.post.length > 0 && res.sid !== undefined) {
    // The exchange is taken now: the engine keeps only the latest settled ones for a late waitFor.
    const outcome = await http.waitFor(res.sid)
    const gates: Semaphore[] = []
    if (slot) {
      // A full backlog keeps the slot, and so holds the run's next requests back.
      const backlog = (run.testBacklog ??= new Semaphore(Math.max(TEST_BACKLOG, slot.concurrency)))
      await backlog.acquire()
      slot.release()
      const tests = (run.testGate ??= new Semaphore(Math.max(1, slot.concurrency)))
      await tests.acquire()
      gates.push(tests, backlog)
    }
    try {
      const response = await scriptResponse(http, outcome)
      if (response) {
        const out = await runPhase(run.deps, {
          key: run.key,
          phase: 'post',
          scripts: scripts.post,
          request: sent.request,
          auth: sent.auth ?? { type: 'none' },
          response,
          sent: outcome,
          scopes: scopes(),
          info,
          sid: res.sid,
          ...(step.emptySecrets ? { empty: step.emptySecrets } : {}),
        })
        post = out.report
        apply(out.output.changes)
        if (out.output.nextRequest !== undefined) next = out.output.nextRequest
      }
    } finally {
      for (const g of gates) g.release()
    }
  }
  if (sid !== undefined) {
    if (pre && !preShown) emitScriptEvent(run.deps, sid, pre)
    if (post && res.sid !== undefined) emitScriptEvent(run.deps, res.sid, post)
  }
  res.scripts = { ...(pre ? { pre: kept(pre) } : {}), ...(post ? { post: kept(post) } : {}) }
  for (const report of [pre, post])
    if (report && (report.failure || report.tests.some((t) => !t.passed && !t.skipped))) res.passed = false
  return finish(res, written, r.extracted, next, removed)
}

/** Console lines a step's result keeps per phase (the timeline's script event has them all). */
export const RESULT_CONSOLE_LINES = 20

/** A run keeps every result: its console is cut to a few lines, the rest counted. */
function kept(report: ScriptPhaseReport): ScriptPhaseReport {
  if (report.console.length <= RESULT_CONSOLE_LINES) return report
  return {
    ...report,
    console: report.console.slice(0, RESULT_CONSOLE_LINES),
    droppedConsole: report.droppedConsole + report.console.length - RESULT_CONSOLE_LINES,
  }
}

function finish(
  r: StepResult,
  written: ReadonlyMap<string, string>,
  extracted: ReadonlyMap<string, string>,
  next: string | null | undefined,
  removed: ReadonlySet<string>,
): StepRun {
  if (next !== undefined) r.nextRequest = next
  // A value the step's extraction took after the script unset it stands.
  const unset = [...removed].filter((k) => !extracted.has(k))
  const run: StepRun = { result: r, extracted }
  if (unset.length > 0) run.unset = unset
  if (written.size === 0) return run
  const all = new Map(written)
  for (const [k, v] of extracted) all.set(k, v)
  return { ...run, extracted: all }
}

const NO_NAMES: ReadonlySet<string> = new Set()

/** Most steps one iteration runs when scripts choose the next request (a loop that never ends is cut here). */
export const MAX_STEPS_IN_ORDER = 10_000

/**
 * Whether an iteration runs its steps one after another in the collection's order, following
 * `setNextRequest`: a run of one request at a time whose steps have scripts, as Postman and newman run.
 */
export function runsInOrder(
  steps: readonly RunStep[],
  concurrency: number,
  scripts: RunScripts | undefined,
): boolean {
  return concurrency <= 1 && scripts?.enabled === true && steps.some((s) => s.scripts !== undefined)
}

/**
 * One iteration in order: each step after the one before, unless a script named the next (`setNextRequest`,
 * by name or path; null ends the iteration). Bounded: past `cap` steps the iteration ends with a failed
 * result saying so.
 */
export async function runInOrder(
  steps: readonly RunStep[],
  runOne: (step: RunStep) => Promise<StepResult | null>,
  stopped: () => boolean,
  report: (r: StepResult) => void,
  iteration: number,
  cap = Math.min(MAX_STEPS_IN_ORDER, Math.max(100, steps.length * 100)),
): Promise<void> {
  let i = 0
  for (let count = 0; i < steps.length && !stopped(); count++) {
    const step = steps[i] as RunStep
    if (count >= cap) {
      const r = result(step, iteration, [], 0, undefined, undefined, 0, false, [], [], [])
      r.error = {
        code: 'limit',
        message: `setNextRequest: the iteration ran ${cap} steps (a loop?); it stops here, before "${step.name}"`,
      }
      report(r)
      return
    }
    const r = await runOne(step)
    const next = r?.nextRequest
    if (next === undefined) {
      i++
      continue
    }
    if (next === null) return
    const target = steps.findIndex((s) => s.name === next || s.id === next || s.path === next)
    if (target < 0) {
      const miss = result(step, iteration, [], 0, undefined, undefined, 0, false, [], [], [])
      miss.error = {
        code: 'not_found',
        message: `setNextRequest("${next}"): no request of that name in this run`,
      }
      report(miss)
      return
    }
    i = target
  }
}
