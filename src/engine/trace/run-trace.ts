import type { TraceSetting } from '../../shared/trace-context'
import type { TimelineEvent } from '../../shared/timeline'
import type { TracePlan } from './trace-headers'

/**
 * Trace context in a run. A step follows its request's `trace:` setting (inherited as for any send);
 * `per-run` shares the run's one trace id across every step (each with a span of its own), `per-send` draws a
 * fresh trace per request. A run's override (`flightdeck run --trace`) replaces the mode for every step, and
 * keeps a step's tracestate.
 */

export const TRACE_OVERRIDES = ['per-run', 'per-send', 'off'] as const
export type TraceOverride = (typeof TRACE_OVERRIDES)[number]

export function stepTracePlan(
  setting: TraceSetting | undefined,
  override: TraceOverride | undefined,
  runTraceId: string,
): TracePlan | undefined {
  const mode = override ?? setting?.mode
  if (mode !== 'per-run' && mode !== 'per-send') return undefined
  const state = setting?.tracestate !== undefined ? { tracestate: setting.tracestate } : {}
  return mode === 'per-run' ? { ...state, traceId: runTraceId } : state
}

/** The trace id a request's events say it went out with (its first request-sent that had one). */
export function sentTraceId(events: readonly TimelineEvent[]): string | undefined {
  for (const e of events) if (e.type === 'request-sent' && e.traceId) return e.traceId
  return undefined
}
