import { asTraceId, parseTraceparent } from '../../shared/trace-context'
import type { HeaderList, RequestSentEvent } from '../../shared/timeline'
import { parseJsonBody, selectJson } from '../jobs/json-select'

/**
 * Which session sent which trace, so a webhook call that carries a trace id joins the lane of the request that
 * started it. A call whose traceparent names one of our spans as its parent belongs to that very request; one
 * that only shares the trace id (the server made a span of its own) belongs to the latest request of that
 * trace (a per-run trace spans many steps). Bounded: the oldest sessions are forgotten first.
 */

/** Sessions remembered (a send's trace and span id each); past it the oldest go. */
export const MAX_TRACED_SESSIONS = 50_000
/** Bytes of a webhook call's body read back to look for a trace id in it. */
export const MAX_TRACE_BODY_SCAN = 256 * 1024
/** Body fields looked at (requests' `trace.bodyField`); past it the least recently named goes. */
export const MAX_BODY_FIELDS = 16

export interface TraceMatch {
  sid: string
  traceId: string
}

export class TraceIndex {
  private readonly bySpan = new Map<string, string>()
  private readonly byTrace = new Map<string, string>()
  private readonly fields = new Map<string, true>()

  constructor(private readonly max = MAX_TRACED_SESSIONS) {}

  /** Note a request that went out with a well-formed traceparent. */
  record(e: RequestSentEvent): void {
    if (e.traceId === undefined || e.spanId === undefined) return
    this.bySpan.set(e.spanId, e.sid)
    // Re-inserted so the latest request of a trace is the one kept, and the last to be forgotten.
    this.byTrace.delete(e.traceId)
    this.byTrace.set(e.traceId, e.sid)
    trim(this.bySpan, this.max)
    trim(this.byTrace, this.max)
  }

  /** A request names a JSON body field where webhook calls carry its trace id. */
  watchField(path: string): void {
    this.fields.delete(path)
    this.fields.set(path, true)
    trim(this.fields, MAX_BODY_FIELDS)
  }

  /** True when a call's body may name a trace (some request named a body field). */
  get readsBodies(): boolean {
    return this.fields.size > 0
  }

  /** The request a call's traceparent points at, or null. */
  matchHeaders(headers: HeaderList): TraceMatch | null {
    const value = headers.find(([k]) => k.toLowerCase() === 'traceparent')?.[1]
    if (value === undefined) return null
    const parsed = parseTraceparent(value)
    if (!parsed.ok) return null
    const { traceId, parentId } = parsed.value
    const sid = this.bySpan.get(parentId) ?? this.byTrace.get(traceId)
    return sid === undefined ? null : { sid, traceId }
  }

  /** The request whose trace id a call's JSON body carries in one of the watched fields, or null. */
  matchBody(text: string): TraceMatch | null {
    if (this.fields.size === 0) return null
    const json = parseJsonBody(text)
    if (json === undefined) return null
    for (const path of [...this.fields.keys()].reverse()) {
      let value: unknown
      try {
        value = selectJson(json, path)
      } catch {
        continue
      }
      const traceId = typeof value === 'string' ? asTraceId(value) : null
      const sid = traceId === null ? undefined : this.byTrace.get(traceId)
      if (traceId !== null && sid !== undefined) return { sid, traceId }
    }
    return null
  }
}

function trim<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next()
    if (oldest.done === true) return
    map.delete(oldest.value)
  }
}
