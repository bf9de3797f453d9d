import type { HeaderList } from '../../shared/timeline'
import type { ResponseBodyWriter } from './unkept-body'
import { connectionPhases, timingOf } from './connector'
import { classifyError } from './errors'
import { cancelledEvent, doneEvent, endFailedAttempt, errorEvent } from './exchange-events'
import type { ExchangeInit } from './exchange-types'
import { harTimings, type ExchangeMarks } from './timings'

/**
 * How an exchange (./exchange.ts) reports its end to its owner, once: the response complete, a failure, or the
 * user's cancel; each as its last timeline event and its outcome, with the timings up to `endAt`.
 */

/** What the exchange knew of the response by its end. */
export interface CompleteResponse {
  status: number
  headers: HeaderList
  trailers: HeaderList
  wireBytes: number
  redirecting: boolean
}

export function reportResponse(
  init: ExchangeInit,
  marks: ExchangeMarks,
  endAt: number,
  writer: ResponseBodyWriter,
  r: CompleteResponse,
): void {
  marks.endAt = endAt
  const timings = harTimings(marks, endAt)
  if (!r.redirecting) {
    const event = doneEvent(init.sid, endAt, r.status, r.wireBytes, writer, timings, r.headers, r.trailers)
    init.owner.exchangeEvent(init.context, event)
  } else {
    // No event names a redirect hop's body (its redirect event carries none, a HAR gives it no content), so
    // nothing can read it: it goes now, not when 20,000 later bodies have pushed it out of the store.
    init.bodies.discard(writer)
  }
  init.owner.exchangeOutcome(init.context, {
    kind: 'response',
    status: r.status,
    headers: r.headers,
    timings,
    redirect: r.redirecting,
    endAt,
  })
}

/**
 * `err` is the failure as explained from what the exchange knew; `partial`, the bytes of the body it let go of. A
 * failed connection attempt still reports how far it got.
 */
export function reportFailure(
  init: ExchangeInit,
  marks: ExchangeMarks,
  endAt: number,
  err: unknown,
  partial: number,
): void {
  const timing = timingOf(err)
  if (timing && !timing.claimed) {
    endFailedAttempt(timing, endAt)
    for (const e of connectionPhases(init.sid, timing, marks)) init.owner.exchangeEvent(init.context, e)
  }
  const timings = harTimings(marks, endAt)
  const error = classifyError(err, init.url.host)
  init.owner.exchangeEvent(init.context, errorEvent(init.sid, endAt, error, timings, partial))
  init.owner.exchangeOutcome(init.context, { kind: 'error', error, timings })
}

export function reportCancelled(
  init: ExchangeInit,
  marks: ExchangeMarks,
  endAt: number,
  partial: number,
): void {
  const timings = harTimings(marks, endAt)
  init.owner.exchangeEvent(init.context, cancelledEvent(init.sid, endAt, timings, partial))
  init.owner.exchangeOutcome(init.context, { kind: 'cancelled', timings })
}
