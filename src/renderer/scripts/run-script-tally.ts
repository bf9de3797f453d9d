import { testLabel, type ScriptPhaseReport } from '../../shared/scripts'
import { failureText } from './script-failure-text'

/** A step result as far as its scripts go (the runner's results carry each phase's report). */
export interface StepWithScripts {
  passed: boolean
  scripts?: { pre?: ScriptPhaseReport; post?: ScriptPhaseReport }
}

/** Script tests of one request over the run's iterations so far. */
export interface ScriptTestTally {
  passed: number
  failed: number
}

function reportsOf(r: StepWithScripts): ScriptPhaseReport[] {
  const out: ScriptPhaseReport[] = []
  if (r.scripts?.pre) out.push(r.scripts.pre)
  if (r.scripts?.post) out.push(r.scripts.post)
  return out
}

/** The tally after one more result; `before` unchanged (and returned) when the step ran no script test. */
export function addScriptTests(
  before: ScriptTestTally | undefined,
  r: StepWithScripts,
): ScriptTestTally | undefined {
  let passed = 0
  let failed = 0
  for (const rep of reportsOf(r))
    for (const t of rep.tests) {
      if (t.skipped) continue
      if (t.passed) passed++
      else failed++
    }
  if (passed + failed === 0) return before
  return { passed: (before?.passed ?? 0) + passed, failed: (before?.failed ?? 0) + failed }
}

/** What the runner's table says about a failed step's scripts: a stopped script, then each failed test. */
export function scriptFailureMessages(r: StepWithScripts): string[] {
  const out: string[] = []
  for (const rep of reportsOf(r)) {
    if (rep.failure) out.push(failureText(rep.phase, rep.failure))
    for (const t of rep.tests)
      if (!t.passed && !t.skipped) out.push(`✗ ${testLabel(t)}${t.error !== undefined ? `: ${t.error}` : ''}`)
  }
  return out
}

/**
 * The messages the runner's summary carries for a step's scripts (its tests and a stopped script are among the
 * step's assertions too): the table words those itself, with the test's name, so they are left out there.
 */
export function scriptAssertionMessages(r: StepWithScripts): Set<string> {
  const out = new Set<string>()
  for (const rep of reportsOf(r)) {
    if (rep.failure) out.add(rep.failure.message)
    for (const t of rep.tests) if (!t.passed && !t.skipped && t.error !== undefined) out.add(t.error)
  }
  return out
}
