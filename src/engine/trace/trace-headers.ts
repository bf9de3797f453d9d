import { formatTraceparent, traceOfHeaders } from '../../shared/trace-context'
import type { HeaderList, RequestSentEvent } from '../../shared/timeline'
import type { RequestSpec } from '../../shared/request'
import { newSpanId, newTraceId } from './trace-ids'

/**
 * What a send's requests carry for trace context, decided once per send (request.send, a job, a run's step) and
 * applied to each copy as it starts: `traceId` shared by every copy (a run's per-run trace, a job's polls),
 * or, without it, a fresh trace per copy. Every copy gets its own span id.
 */
export interface TracePlan {
  traceId?: string
  tracestate?: string
}

/**
 * The headers with a traceparent (and the configured tracestate) added. A request that already has a
 * traceparent keeps it as written, and its own tracestate: the user's header wins (the engine reads its trace
 * id from what was sent, see traceOfHeaders).
 */
export function withTraceHeaders(headers: HeaderList, plan: TracePlan): HeaderList {
  const has = (name: string): boolean => headers.some(([k]) => k.toLowerCase() === name)
  if (has('traceparent')) return headers
  const out: HeaderList = [
    ...headers,
    ['traceparent', formatTraceparent(plan.traceId ?? newTraceId(), newSpanId())],
  ]
  if (plan.tracestate !== undefined && plan.tracestate !== '' && !has('tracestate'))
    out.push(['tracestate', plan.tracestate])
  return out
}

/**
 * A request (a stream's handshake) with the traceparent the plan asks for, when it has none enabled: a stream's
 * reconnects send the same one, so a stream is one span of one trace.
 */
export function withTraceSpec(spec: RequestSpec, plan: TracePlan | undefined): RequestSpec {
  if (!plan) return spec
  const enabled = spec.headers.filter((h) => h.enabled).map((h): [string, string] => [h.name, h.value])
  const traced = withTraceHeaders(enabled, plan)
  if (traced === enabled) return spec
  const added = traced.slice(enabled.length).map(([name, value]) => ({ name, value, enabled: true }))
  return { ...spec, headers: [...spec.headers, ...added] }
}

/** The last header list withSentTrace read and what it found (a traceparent is per request, so a traced
 * request's list is new each time and never matches). */
let lastSent: { headers: HeaderList | null; trace: ReturnType<typeof traceOfHeaders> } = {
  headers: null,
  trace: null,
}

/**
 * A request-sent event with the trace read from the headers it went out with (whoever set them: the trace
 * setting, or the user's own header); a malformed traceparent is noted, beside any note the event has.
 */
export function withSentTrace(event: RequestSentEvent): RequestSentEvent {
  // A header block sent again is the same list (parseSentHeaders keeps it): read its trace once.
  let trace: ReturnType<typeof traceOfHeaders>
  if (event.headers === lastSent.headers) trace = lastSent.trace
  else {
    trace = traceOfHeaders(event.headers)
    lastSent = { headers: event.headers, trace }
  }
  if (trace === null) return event
  if ('note' in trace) return { ...event, note: event.note ? `${event.note}. ${trace.note}` : trace.note }
  return { ...event, traceId: trace.traceId, spanId: trace.spanId }
}
