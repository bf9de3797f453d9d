import type { StepResultSummary } from '../../shared/run-schemas'

/**
 * Which trace a request's row in the Runner names, to look it up in the tracing backend: the first failed
 * iteration's (what a person wants to see), else the latest iteration's. A run with one trace for all its
 * steps (`per-run`) names it once, above the table.
 */
export interface TallyTrace {
  id: string
  /** 0-based iteration the id is from. */
  iteration: number
  failed: boolean
  /** Every traced result of this request so far carried this id. */
  one: boolean
}

/** The tally's trace after one more result (an untraced result changes nothing). */
export function addTrace(cur: TallyTrace | undefined, r: StepResultSummary): TallyTrace | undefined {
  if (r.traceId === undefined) return cur
  const one = cur === undefined || (cur.one && cur.id === r.traceId)
  if (cur?.failed === true) return cur.one === one ? cur : { ...cur, one }
  return { id: r.traceId, iteration: r.iteration, failed: !r.passed, one }
}

/** The run's one trace: every request's results so far carried the same id, and there were at least two. */
export function wholeRunTrace(
  requests: readonly { trace?: TallyTrace; passed: number; failed: number }[],
): string | null {
  const first = requests[0]?.trace
  if (first === undefined) return null
  let results = 0
  for (const r of requests) {
    if (r.trace === undefined || !r.trace.one || r.trace.id !== first.id) return null
    results += r.passed + r.failed
  }
  return results > 1 ? first.id : null
}

/** The exchange a request's row opens: its first failed iteration's session, else its latest's. */
export interface TallyExchange {
  sid: string
  /** 0-based iteration the session is from. */
  iteration: number
  failed: boolean
}

/** The tally's exchange after one more result (a result with no session, e.g. refused before sending, keeps it). */
export function addExchange(cur: TallyExchange | undefined, r: StepResultSummary): TallyExchange | undefined {
  if (r.sid === undefined || cur?.failed === true) return cur
  return { sid: r.sid, iteration: r.iteration, failed: !r.passed }
}
