import type { StepResultSummary } from '../shared/run-schemas'

/**
 * What the summary table needs of every result, counted as results arrive instead of keeping them: a long
 * `flightdeck run` with only the table (no json, junit or har report, which need each result) keeps this, its
 * memory bounded by the run's requests, not its iterations. Failures are kept in detail up to `maxFailures`
 * (the table lists no more); the count covers them all.
 */

/** One request's followed jobs (or long polls) across the run: how they ended, their polls and times. */
export interface JobTally {
  path: string
  mode: 'follow' | 'long-poll'
  /** A run of this request failed. */
  failed: boolean
  polls: { lo: number; hi: number }
  ms: { lo: number; hi: number }
  runs: number
  /** How the jobs ended (`completed`, `timed out`…), in the order first seen. */
  outcomes: string[]
}

export interface RunTallied {
  done: number
  failed: number
  /** The first failed results, in the order they came. */
  failures: StepResultSummary[]
  /** The one trace id every result carried, when they all carried the same. */
  soleTraceId?: string
  jobs: JobTally[]
}

export class RunTally {
  private done = 0
  private failed = 0
  private readonly failures: StepResultSummary[] = []
  private traceId: string | undefined
  private traces: 'none' | 'one' | 'many' = 'none'
  private readonly jobs = new Map<string, JobTally>()

  constructor(private readonly maxFailures: number) {}

  add(r: StepResultSummary): void {
    this.done++
    if (!r.passed) {
      this.failed++
      if (this.failures.length < this.maxFailures) this.failures.push(r)
    }
    if (this.traces === 'none') {
      this.traces = 'one'
      this.traceId = r.traceId
    } else if (this.traces === 'one' && r.traceId !== this.traceId) this.traces = 'many'
    addJob(this.jobs, r)
  }

  result(): RunTallied {
    const out: RunTallied = {
      done: this.done,
      failed: this.failed,
      failures: this.failures,
      jobs: [...this.jobs.values()],
    }
    if (this.traces === 'one' && this.traceId !== undefined) out.soleTraceId = this.traceId
    return out
  }
}

/** A result's job counted into its request's tally (nothing for a result that followed no job). */
export function addJob(jobs: Map<string, JobTally>, r: StepResultSummary): void {
  const j = r.job
  if (!j) return
  const outcome = j.outcome.replace('_', ' ')
  const t = jobs.get(r.path)
  if (!t) {
    jobs.set(r.path, {
      path: r.path,
      mode: j.mode,
      failed: !r.passed,
      polls: { lo: j.polls, hi: j.polls },
      ms: { lo: j.durationMs, hi: j.durationMs },
      runs: 1,
      outcomes: [outcome],
    })
    return
  }
  t.runs++
  if (!r.passed) t.failed = true
  t.polls.lo = Math.min(t.polls.lo, j.polls)
  t.polls.hi = Math.max(t.polls.hi, j.polls)
  t.ms.lo = Math.min(t.ms.lo, j.durationMs)
  t.ms.hi = Math.max(t.ms.hi, j.durationMs)
  if (!t.outcomes.includes(outcome)) t.outcomes.push(outcome)
}
