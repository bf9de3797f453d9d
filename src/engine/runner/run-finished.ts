import type { RunFinished } from '../../shared/run-schemas'
import { isTooDeep } from './checks'
import type { RunReport } from './run-step'
import type { ResultTally } from './result-tally'

/** What a run's last progress event and `run.get` say of a finished run: its report's statistics, in wire form. */
export function runFinishedOf(report: RunReport): RunFinished {
  const st = report.stats
  return {
    stats: {
      total: st.total,
      passed: st.passed,
      failed: st.failed,
      errors: st.errors,
      responses: st.responses,
      ...st.latency,
      histogram: st.histogram.map((b) => ({
        upToMs: Number.isFinite(b.upToMs) ? b.upToMs : null,
        count: b.count,
      })),
      ...(st.serverTiming ? { serverTiming: st.serverTiming } : {}),
      ...(st.serverTimingNote !== undefined ? { serverTimingNote: st.serverTimingNote } : {}),
    },
    throughput: st.throughput.map((x) => ({ t: x.second, rps: x.count })),
    bailed: report.bailed,
    cancelled: report.cancelled,
    durationMs: report.durationMs,
    ...(report.directed ? { directed: true } : {}),
    ...(report.internalError !== undefined ? { internalError: report.internalError } : {}),
  }
}

/**
 * The report of a run whose steps threw. The graph was checked before the run, so this is a bug (or a value past
 * what a check can walk); the run still ends, with the results its progress events carried, saying what stopped
 * it (not "cancelled").
 */
export function stoppedRunReport(
  e: unknown,
  run: { startedAt: number; controller: AbortController; tally: ResultTally | null },
): RunReport {
  return {
    results: [],
    stats: emptyStats(),
    bailed: false,
    cancelled: run.controller.signal.aborted,
    durationMs: Date.now() - run.startedAt,
    internalError: isTooDeep(e)
      ? 'a response is nested too deeply to check (thousands of levels)'
      : e instanceof Error
        ? e.message
        : String(e),
    ...(run.tally ? { counted: run.tally.result() } : {}),
  }
}

function emptyStats(): RunReport['stats'] {
  return {
    total: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    responses: 0,
    latency: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
    histogram: [],
    throughput: [],
    requestsPerSecond: 0,
  }
}
