import type { Assertion, WebhookAssertion } from '../../shared/run-spec'
import type { StepResultSummary } from '../../shared/run-schemas'
import type { StepResult, WebhookOutcome } from './run-step'

/**
 * A step's result in words, as the runner's view, the CLI's reports and `run.get` show it: each check named
 * (`status equals 200`, `webhook call within 2000 ms`) with what it found.
 */

export function summarize(r: StepResult): StepResultSummary {
  // Built with pushes, not spreads of per-kind arrays: this runs once per step run, inside the run.
  const checks: StepResultSummary['assertions'] = []
  const j = r.job
  if (j) checks.push({ name: j.check, passed: j.done && r.error === undefined, message: j.message })
  for (const a of r.assertions)
    checks.push({ name: describeAssertion(a.assertion), passed: a.passed, message: a.message })
  if (r.webhook) webhookOutcomes(r.webhook, checks)
  for (const m of r.missing) checks.push({ name: `extract ${m.name}`, passed: false, message: m.why })
  if (r.scriptsNotRun)
    checks.push({ name: 'scripts', passed: r.scriptsNotRun.allowed, message: r.scriptsNotRun.message })
  if (r.scripts) scriptOutcomes(r, checks)
  const s: StepResultSummary = {
    stepId: r.stepId,
    name: r.name,
    path: r.path,
    iteration: r.iteration,
    attempts: r.attempts,
    timeMs: Math.round(r.timeMs * 1000) / 1000,
    passed: r.passed,
    assertions: checks,
  }
  if (r.scripts) s.scripts = r.scripts
  if (r.sid !== undefined) s.sid = r.sid
  if (r.status !== undefined) s.status = r.status
  if (r.error !== undefined) s.error = r.error
  if (r.traceId !== undefined) s.traceId = r.traceId
  if (r.resent !== undefined) s.resent = r.resent
  if (j) {
    s.job = {
      mode: j.mode,
      outcome: j.outcome,
      polls: j.polls,
      durationMs: Math.round(j.durationMs * 1000) / 1000,
      message: j.message,
      ...(j.statusUrl !== undefined ? { statusUrl: j.statusUrl } : {}),
    }
  }
  const w = r.webhook
  if (w) {
    s.webhook = { timeoutMs: w.timeoutMs }
    if (w.call)
      Object.assign(s.webhook, {
        callSid: w.call.id,
        method: w.call.method,
        path: w.call.path,
        waitedMs: w.call.waitedMs,
      })
  }
  return s
}

/** Each script test as a check (by its name), then a script that was stopped. */
function scriptOutcomes(r: StepResult, out: StepResultSummary['assertions']): void {
  for (const report of [r.scripts?.pre, r.scripts?.post]) {
    if (!report) continue
    for (const t of report.tests)
      if (!t.skipped)
        out.push({
          name: t.name,
          passed: t.passed,
          message: t.error ?? 'passed',
          ...(t.where !== undefined ? { where: t.where } : {}),
        })
    if (report.failure)
      out.push({
        name: report.phase === 'pre' ? 'pre-request script' : 'test script',
        passed: false,
        message: report.failure.message,
      })
  }
}

/** The wait as a check of its own (`webhook call within 2000 ms`), then the checks on the call. */
function webhookOutcomes(w: WebhookOutcome, out: StepResultSummary['assertions']): void {
  const c = w.call
  out.push({
    name: `webhook call within ${w.timeoutMs} ms`,
    passed: c !== undefined,
    message: c
      ? `webhook ${c.method} ${c.path} came ${Math.round(c.waitedMs)} ms after the response`
      : (w.missed ?? `No webhook call within ${w.timeoutMs} ms`),
  })
  for (const a of w.assertions)
    out.push({ name: describeWebhookAssertion(a.assertion), passed: a.passed, message: a.message })
}

/** A check on a webhook call in a few words, e.g. `webhook method equals POST`. */
export function describeWebhookAssertion(a: WebhookAssertion): string {
  if (a.kind === 'method') return `webhook method equals ${a.equals}`
  if (a.kind === 'path') return `webhook path equals ${JSON.stringify(a.equals)}`
  return `webhook ${describeAssertion(a)}`
}

/**
 * A step's assertions are the same objects run after run (unless their templates resolve per run): each one's
 * words are made once.
 */
const described = new WeakMap<Assertion, string>()

/** An assertion in a few words, e.g. `status equals 200`, `$.token exists`. */
export function describeAssertion(a: Assertion): string {
  let words = described.get(a)
  if (words === undefined) {
    words = assertionWords(a)
    described.set(a, words)
  }
  return words
}

function assertionWords(a: Assertion): string {
  const q = (v: unknown): string => JSON.stringify(v)
  switch (a.kind) {
    case 'status':
      if (a.equals !== undefined) return `status equals ${a.equals}`
      if (a.oneOf) return `status one of ${a.oneOf.join(', ')}`
      return `status ${a.min ?? 100}–${a.max ?? 999}`
    case 'header':
      if (a.exists !== undefined) return `header ${a.name} ${a.exists ? 'exists' : 'is absent'}`
      if (a.equals !== undefined) return `header ${a.name} equals ${q(a.equals)}`
      if (a.contains !== undefined) return `header ${a.name} contains ${q(a.contains)}`
      return `header ${a.name} exists`
    case 'json':
      if (a.exists !== undefined) return `${a.path} ${a.exists ? 'exists' : 'does not exist'}`
      return `${a.path} equals ${q(a.equals ?? null)}`
    case 'body-contains':
      return `body contains ${q(a.text)}`
    case 'duration-under':
      return `duration under ${a.ms} ms`
    case 'message-count':
      if (a.equals !== undefined) return `message count equals ${a.equals}`
      if (a.max === undefined) return `message count at least ${a.min ?? 0}`
      return `message count ${a.min ?? 0}–${a.max}`
    case 'grpc-status':
      return `gRPC status ${a.equals}`
  }
}
