import type { SessionRow } from './session-row'

/**
 * A row's W3C trace id: the one its request went out with, or the one a webhook call carried. The timeline
 * filter finds rows by it (typing the id, or `trace:<id or its start>`).
 */
export function rowTraceId(row: SessionRow): string | undefined {
  return row.sent?.traceId ?? row.webhook?.traceId
}

const TRACE_QUERY = /^trace:\s*([0-9a-f]*)$/

/** The id (or its start) a `trace:` filter asks for, or null when the filter text is not one. */
export function traceQuery(text: string): string | null {
  return TRACE_QUERY.exec(text)?.[1] ?? null
}

/** Whether a row answers a `trace:` filter: its trace id starts with what was typed (`trace:` alone: any trace). */
export function matchesTrace(row: SessionRow, wanted: string): boolean {
  const id = rowTraceId(row)
  return id !== undefined && id.startsWith(wanted)
}
