import type { StepResultSummary } from '../../shared/run-schemas'
import { summarize } from './run-summary'
import type { StepResult } from './run-step'

/**
 * What the CLI's summary table needs of every result, counted as results arrive instead of kept or summarised: a
 * run that keeps only its failures (a long `flightdeck run` with only the table) counts here, so its memory and
 * its per-result work do not grow with its iterations. Only the first failures are summarised and kept (the
 * table lists the first 20); the counts cover them all.
 */

/** Failed results a tally keeps in words (the CLI's table lists the first 20). */
export const MAX_TALLIED_FAILURES = 100

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
  /** Per request file, how many of its requests went a second time (when any did). */
  resent?: ResentTally[]
}

/** One request file's requests that went a second time (StepResultSummary's `resent`). */
export interface ResentTally {
  path: string
  requests: number
}

/** What a job's tally reads of a result: the summary's fields, or the raw result's (same names and values). */
interface JobOf {
  path: string
  passed: boolean
  job?: { mode: 'follow' | 'long-poll'; outcome: string; polls: number; durationMs: number } | undefined
}

export class ResultTally {
  private done = 0
  private failed = 0
  private readonly failures: StepResultSummary[] = []
  private traceId: string | undefined
  private traces: 'none' | 'one' | 'many' = 'none'
  private readonly jobs = new Map<string, JobTally>()
  private readonly resent = new Map<string, ResentTally>()

  constructor(private readonly maxFailures = MAX_TALLIED_FAILURES) {}

  add(r: StepResult): void {
    this.done++
    if (!r.passed) {
      this.failed++
      if (this.failures.length < this.maxFailures) this.failures.push(summarize(r))
    }
    if (this.traces === 'none') {
      this.traces = 'one'
      this.traceId = r.traceId
    } else if (this.traces === 'one' && r.traceId !== this.traceId) this.traces = 'many'
    addJob(this.jobs, r)
    addResent(this.resent, r)
  }

  result(): RunTallied {
    const out: RunTallied = {
      done: this.done,
      failed: this.failed,
      failures: [...this.failures],
      jobs: [...this.jobs.values()],
    }
    if (this.resent.size > 0) out.resent = [...this.resent.values()]
    if (this.traces === 'one' && this.traceId !== undefined) out.soleTraceId = this.traceId
    return out
  }
}

/** A result's requests sent a second time, counted into its request file's tally. */
export function addResent(tallies: Map<string, ResentTally>, r: { path: string; resent?: number }): void {
  if (!r.resent) return
  const t = tallies.get(r.path)
  if (t) t.requests += r.resent
  else tallies.set(r.path, { path: r.path, requests: r.resent })
}

/** A result's job counted into its request's tally (nothing for a result that followed no job). */
export function addJob(jobs: Map<string, JobTally>, r: JobOf): void {
  const j = r.job
  if (!j) return
  const outcome = j.outcome.replace('_', ' ')
  // As the result's summary rounds it (run-summary.ts), so the table reads the same either way.
  const ms = Math.round(j.durationMs * 1000) / 1000
  const t = jobs.get(r.path)
  if (!t) {
    jobs.set(r.path, {
      path: r.path,
      mode: j.mode,
      failed: !r.passed,
      polls: { lo: j.polls, hi: j.polls },
      ms: { lo: ms, hi: ms },
      runs: 1,
      outcomes: [outcome],
    })
    return
  }
  t.runs++
  if (!r.passed) t.failed = true
  t.polls.lo = Math.min(t.polls.lo, j.polls)
  t.polls.hi = Math.max(t.polls.hi, j.polls)
  t.ms.lo = Math.min(t.ms.lo, ms)
  t.ms.hi = Math.max(t.ms.hi, ms)
  if (!t.outcomes.includes(outcome)) t.outcomes.push(outcome)
}
