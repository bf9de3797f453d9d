import { describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { statusLine } from '../../src/renderer/details/reason-phrase'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import {
  durationText,
  rowLabel,
  sizeText,
  statusClass,
  statusText,
} from '../../src/renderer/timeline/row-labels'
import { displayPath, hostOf } from '../../src/renderer/timeline/session-row'
import { freshHttpsExchange, queued, timings } from './event-builders'

function rowOf(events: TimelineEvent[], sid: string) {
  const r = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }).rows[sid]
  if (!r) throw new Error('no row')
  return r
}

describe('row labels', () => {
  it('names a row by method, URL and status through its life', () => {
    const events = freshHttpsExchange('s', 0)
    expect(rowLabel(rowOf(events.slice(0, 1), 's'))).toBe('GET https://api.test/items queued')
    expect(rowLabel(rowOf(events.slice(0, 3), 's'))).toBe('GET https://api.test/items pending')
    expect(rowLabel(rowOf(events.slice(0, 6), 's'))).toBe('GET https://api.test/items 200 receiving')
    const done = rowOf(events, 's')
    expect(rowLabel(done)).toBe('GET https://api.test/items 200')
    expect(statusText(done)).toBe('200')
    expect(statusClass(done)).toBe('st-2xx')
    expect(durationText(done)).toBe('84 ms')
    expect(sizeText(done)).toBe('1000 B')
  })

  it('says ERR with the code, or cancelled', () => {
    const err = rowOf(
      [
        queued('e', 0),
        {
          type: 'error',
          sid: 'e',
          t: 3,
          code: 'dns',
          message: 'No such host',
          timings: timings({ time: 3 }),
        },
      ],
      'e',
    )
    expect(rowLabel(err)).toBe('GET https://api.test/items error dns')
    expect(statusText(err)).toBe('ERR')
    expect(statusClass(err)).toBe('st-error')
    const c = rowOf(
      [queued('c', 0), { type: 'cancelled', sid: 'c', t: 3, timings: timings({ time: 1500 }) }],
      'c',
    )
    expect(rowLabel(c)).toBe('GET https://api.test/items cancelled')
    expect(statusText(c)).toBe('cancelled')
    expect(durationText(c)).toBe('1.50 s')
  })

  it('shows the path in the name column and the host beside it', () => {
    expect(displayPath('https://api.test:8443/v1/items?page=2#x')).toBe('/v1/items?page=2#x')
    expect(displayPath('http://h')).toBe('/')
    expect(displayPath('not a url')).toBe('not a url')
    expect(hostOf('https://api.test:8443/v1')).toBe('api.test:8443')
  })

  it('fills in reason phrases HTTP/2 does not send', () => {
    expect(statusLine(200, '')).toBe('200 OK')
    expect(statusLine(404, 'Nope')).toBe('404 Nope')
    expect(statusLine(299, '')).toBe('299')
  })
})
