import { describe, expect, it } from 'vitest'
import type { RequestSentEvent, TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { NO_FILTERS, rowFilter } from '../../src/renderer/timeline/table-view'
import { freshHttpsExchange, queued } from './event-builders'

/** The timeline filter finds a trace's rows by its id, typed as is or as `trace:<id or its start>`. */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

function traced(sid: string, t0: number, traceId: string | undefined): TimelineEvent[] {
  return freshHttpsExchange(sid, t0).map((e) =>
    e.type === 'request-sent' && traceId !== undefined
      ? ({ ...e, traceId, spanId: '00f067aa0ba902b7' } satisfies RequestSentEvent)
      : e,
  )
}

const rows = applyBatch(EMPTY_TIMELINE, {
  events: [
    ...traced('a', 0, TRACE),
    ...traced('b', 20, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
    ...traced('c', 40, undefined),
    queued('h', 60, { kind: 'webhook', method: 'POST', url: 'http://127.0.0.1:1/hooks/tok', initiator: 'a' }),
    {
      type: 'webhook-call',
      sid: 'h',
      t: 61,
      method: 'POST',
      path: '/',
      query: '',
      headers: [],
      body: { id: 'b1', size: 0, contentType: '', onDisk: false },
      remoteAddress: '127.0.0.1',
      owner: 'a',
      traceId: TRACE,
    },
  ],
  dropped: 0,
}).rows
const all = ['a', 'b', 'c', 'h'].map((sid) => rows[sid]!)
const pick = (text: string) => all.filter(rowFilter({ ...NO_FILTERS, text })).map((r) => r.sid)

describe('filtering by trace id', () => {
  it('typing the id finds the request and the webhook call that carried it', () => {
    expect(pick(TRACE)).toEqual(['a', 'h'])
    expect(pick(TRACE.toUpperCase())).toEqual(['a', 'h'])
  })

  it('trace:<start of the id> finds the same; trace: alone finds every traced row', () => {
    expect(pick('trace:4bf92f35')).toEqual(['a', 'h'])
    expect(pick('trace:')).toEqual(['a', 'b', 'h'])
    expect(pick('trace:ffff')).toEqual([])
  })
})
