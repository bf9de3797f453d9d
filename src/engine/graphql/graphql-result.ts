import {
  MAX_KEPT_ERRORS,
  summarizeResult,
  type GraphqlErrorInfo,
  type PickedOperation,
} from '../../shared/graphql'
import { MAX_BODY_READ } from '../../shared/constants'
import type { DoneEvent, GraphqlEvent } from '../../shared/timeline'
import type { BodyStore } from '../http/body-store'

/**
 * A query's result read for its errors once the exchange ended. Bodies past MAX_RESULT_BYTES are not parsed
 * (memory stays bounded): the event says so in its note rather than claiming the result had no errors.
 */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024

export async function resultEvent(
  bodies: BodyStore,
  done: DoneEvent,
  op: PickedOperation,
): Promise<GraphqlEvent> {
  const base = {
    type: 'graphql' as const,
    sid: done.sid,
    t: done.t,
    operation: op.type,
    ...(op.name ? { name: op.name } : {}),
  }
  const empty = { hasData: false, errorCount: 0, errors: [] }
  const size = done.body.size
  if (size > MAX_RESULT_BYTES)
    return {
      ...base,
      ...empty,
      note: `The result (${size.toLocaleString('en-US')} bytes) is larger than ${MAX_RESULT_BYTES / (1024 * 1024)} MB: not read for errors`,
    }
  const text = await readAll(bodies, done.body.id, size)
  if (text === null) return { ...base, ...empty, note: 'The result could not be read back' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return {
      ...base,
      ...empty,
      note: `The response is not JSON${done.status ? ` (HTTP ${done.status})` : ''}: not a GraphQL result`,
    }
  }
  const summary = summarizeResult(value)
  if (!summary)
    return { ...base, ...empty, note: 'The response is JSON without data or errors: not a GraphQL result' }
  return { ...base, ...summary }
}

/** A stored body's text, read in slices; null when it cannot be read back. */
export async function readAll(bodies: BodyStore, id: string, size: number): Promise<string | null> {
  const parts: string[] = []
  let offset = 0
  // Bounded: at most MAX_RESULT_BYTES / MAX_BODY_READ reads (each returns at least one byte until the end).
  for (let i = 0; offset < size && i <= MAX_RESULT_BYTES / MAX_BODY_READ + 1; i++) {
    const r = await bodies.read(id, offset, MAX_BODY_READ, 'utf8')
    if (!r.ok) return null
    if (r.value.length === 0) break
    parts.push(r.value.data)
    offset += r.value.length
  }
  return parts.join('')
}

/**
 * A subscription's results, tallied as they arrive: how many, how many carried errors, the errors (the first
 * MAX_KEPT_ERRORS kept, the rest counted). Once the session ends its `graphql` event marks the row as a
 * query's does (a ⚠ and the first error on hover), when some result carried errors.
 */
export class ResultTally {
  private results = 0
  private withErrors = 0
  private errorCount = 0
  private hasData = false
  private readonly errors: GraphqlErrorInfo[] = []

  /** One result (`next` / `data` payload, parsed). */
  add(result: unknown): void {
    this.results++
    if (!resultHasErrors(result)) {
      if (!this.hasData && typeof result === 'object' && result !== null)
        this.hasData = (result as { data?: unknown }).data != null
      return
    }
    const summary = summarizeResult(result)
    if (!summary) return
    this.withErrors++
    this.errorCount += summary.errorCount
    this.hasData ||= summary.hasData
    for (const e of summary.errors) if (this.errors.length < MAX_KEPT_ERRORS) this.errors.push(e)
  }

  /** A result the caller already knows has no errors (not parsed again). */
  clean(): void {
    this.results++
  }

  /** The session's `graphql` event, or null when no result carried errors. */
  event(sid: string, t: number, op: PickedOperation): GraphqlEvent | null {
    if (this.withErrors === 0) return null
    return {
      type: 'graphql',
      sid,
      t,
      operation: op.type,
      ...(op.name ? { name: op.name } : {}),
      hasData: this.hasData,
      errorCount: this.errorCount,
      errors: [...this.errors],
      note: `${this.withErrors.toLocaleString('en-US')} of ${this.results.toLocaleString('en-US')} results carried errors`,
    }
  }
}

/** A result (`next` / `data` payload) whose `errors` list is not empty, with or without data. */
export function resultHasErrors(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false
  const errors = (payload as { errors?: unknown }).errors
  return Array.isArray(errors) && errors.length > 0
}
