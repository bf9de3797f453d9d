import { testLabel, type ScriptPhase, type ScriptPhaseReport } from '../../shared/scripts'
import type { QueuedEvent } from '../../shared/timeline'
import type { SessionRow } from '../timeline/session-row'

/**
 * What a timeline row keeps of its scripts: the latest report of each phase (pre-request, post-response), with
 * its console cut to MAX_ROW_CONSOLE lines (the rest counted in `droppedConsole`, as the engine counts what it
 * dropped). A phase that reports again replaces its report, so a row's scripts cost at most two reports,
 * however long a run goes. Counts are derived from the reports when asked for.
 */
export interface RowScripts {
  readonly pre?: ScriptPhaseReport
  readonly post?: ScriptPhaseReport
}

/** Console lines a row keeps per phase; a chattier script's extra lines are counted, not kept. */
export const MAX_ROW_CONSOLE = 200

/** The row's scripts after a phase's report arrived. */
export function withScriptReport(prev: RowScripts | undefined, report: ScriptPhaseReport): RowScripts {
  const over = report.console.length - MAX_ROW_CONSOLE
  const kept: ScriptPhaseReport =
    over > 0
      ? {
          ...report,
          console: report.console.slice(0, MAX_ROW_CONSOLE),
          droppedConsole: report.droppedConsole + over,
        }
      : report
  return report.phase === 'pre' ? { ...prev, pre: kept } : { ...prev, post: kept }
}

export interface ScriptCounts {
  passed: number
  failed: number
  skipped: number
  /** Tests past the engine's limit: counted there, their results not kept. */
  droppedTests: number
  /** Console lines logged (kept or not). */
  console: number
  /** Script time over both phases, ms. */
  ms: number
  /** The first failure (pre-request first): the script was stopped. */
  failure?: { phase: ScriptPhase; message: string }
}

export function scriptCounts(s: RowScripts): ScriptCounts {
  const out: ScriptCounts = { passed: 0, failed: 0, skipped: 0, droppedTests: 0, console: 0, ms: 0 }
  for (const r of phaseReports(s)) {
    for (const t of r.tests) {
      if (t.skipped) out.skipped++
      else if (t.passed) out.passed++
      else out.failed++
    }
    out.droppedTests += r.droppedTests ?? 0
    out.console += r.console.length + r.droppedConsole
    out.ms += Math.max(0, r.end - r.start)
    if (r.failure && !out.failure) out.failure = { phase: r.phase, message: r.failure.message }
  }
  return out
}

/** The reports a row has, pre-request first. */
export function phaseReports(s: RowScripts | undefined): ScriptPhaseReport[] {
  if (!s) return []
  const out: ScriptPhaseReport[] = []
  if (s.pre) out.push(s.pre)
  if (s.post) out.push(s.post)
  return out
}

export const PHASE_LABEL: Readonly<Record<ScriptPhase, string>> = {
  pre: 'Pre-request',
  post: 'Post-response',
}

/**
 * Whether a queued session was started by a script (`pm.sendRequest`): linked to the request that made it by
 * `initiator`, with no lane (a job's polls and a retry's attempts have one), not a redirect hop and not a
 * webhook call or a stream the server pushed (those carry `initiator` too).
 */
export function isScriptChild(e: QueuedEvent): boolean {
  return (
    e.initiator !== undefined &&
    e.lane === undefined &&
    e.hop === 0 &&
    e.kind !== 'webhook' &&
    e.promised === undefined
  )
}

/**
 * `order` with `sid` placed right after its parent's row and the children it already has (`after`), so a
 * request's `pm.sendRequest` calls are listed under it; at the end when the parent is not listed.
 */
export function insertAfter(order: string[], after: string, sid: string): void {
  const at = order.lastIndexOf(after)
  if (at === -1) order.push(sid)
  else order.splice(at + 1, 0, sid)
}

/**
 * Link the sessions a script sent (its report's `sentRequests`) to the row whose script sent them, when they came
 * without a link (a pre-request script's requests are queued before their parent): each is marked and moved
 * right under the parent, after its other children. `rows` is updated in place; returns the order to use.
 */
export function adoptSentRequests(
  rows: Record<string, SessionRow>,
  order: string[],
  parentSid: string,
  sent: readonly string[],
): string[] {
  for (const sid of sent) {
    const child = rows[sid]
    const parent = rows[parentSid]
    if (!child || !parent || child.scriptParent !== undefined || child.laneOf !== undefined) continue
    const at = order.indexOf(sid)
    if (at !== -1) order.splice(at, 1)
    insertAfter(order, parent.lastScriptChild ?? parentSid, sid)
    rows[sid] = { ...child, scriptParent: parentSid }
    rows[parentSid] = { ...parent, lastScriptChild: sid }
  }
  return order
}

/**
 * The row's badge when its scripts went wrong: `tests ✗ 2` (failed pm.tests) or `script stopped`, with the first
 * failure in its title; null when every test passed (the details say the rest).
 */
export function scriptRowBadge(s: RowScripts | undefined): { text: string; title: string } | null {
  if (!s) return null
  const c = scriptCounts(s)
  if (c.failure)
    return { text: 'script stopped', title: `${PHASE_LABEL[c.failure.phase]} script: ${c.failure.message}` }
  if (c.failed === 0) return null
  const first = phaseReports(s)
    .flatMap((r) => r.tests)
    .find((t) => !t.passed && !t.skipped)
  return {
    text: `tests ✗ ${c.failed}`,
    title: first
      ? `${testLabel(first)}${first.error !== undefined ? `: ${first.error}` : ''}`
      : 'Script tests failed',
  }
}
