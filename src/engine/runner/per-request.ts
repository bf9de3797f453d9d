import type { RequestSummary } from '../../shared/run-schemas'
import { LatencyHistogram } from './latency-histogram'
import type { RunStep } from './run-step'
import { percentile } from './stats'

/**
 * One request's pass/fail counts and latency across a run, for its row in `run.get` and the CLI's table: every
 * duration (exact percentiles), or, for a run that keeps only failures, log buckets (within
 * LATENCY_RELATIVE_ERROR) so the row costs the same at any iteration count.
 */
export class PerRequestTally {
  private passed = 0
  private failed = 0
  private responses = 0
  private readonly times: number[] | LatencyHistogram

  constructor(
    private readonly step: Pick<RunStep, 'id' | 'name' | 'path'>,
    bucketed: boolean,
  ) {
    this.times = bucketed ? new LatencyHistogram() : []
  }

  /** `timeMs` of a result without a response (never sent or never answered) is left out of the latency. */
  add(passed: boolean, timeMs: number, responded: boolean): void {
    if (passed) this.passed++
    else this.failed++
    if (!responded) return
    this.responses++
    if (Array.isArray(this.times)) this.times.push(timeMs)
    else this.times.add(timeMs)
  }

  summary(): RequestSummary {
    const t = this.times
    let at: (p: number) => number
    if (Array.isArray(t)) {
      const sorted = [...t].sort((a, b) => a - b)
      at = (p) => percentile(sorted, p)
    } else at = (p) => round(t.percentile(p))
    return {
      stepId: this.step.id,
      name: this.step.name,
      path: this.step.path ?? '',
      passed: this.passed,
      failed: this.failed,
      responses: this.responses,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      max: at(100),
    }
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000
