import { describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import { queued } from './event-builders'

/** Pushed streams are listed under the request they came with, even when other requests' rows came between. */

const apply = (s: TimelineState, events: TimelineEvent[]): TimelineState =>
  applyBatch(s, { events, dropped: 0 })

const pushed = (sid: string, t: number, parent: string, path: string): TimelineEvent =>
  queued(sid, t, {
    url: `https://api.test${path}`,
    initiator: parent,
    promised: [
      [':method', 'GET'],
      [':path', path],
    ],
  })

describe('pushed stream rows', () => {
  it('sit under their request in promise order, across batches, while other requests run', () => {
    let s = apply(EMPTY_TIMELINE, [queued('a', 0), queued('b', 1)])
    s = apply(s, [pushed('a1', 5, 'a', '/a.css'), queued('c', 6), pushed('b1', 7, 'b', '/b.css')])
    s = apply(s, [pushed('a2', 9, 'a', '/a.js')])
    expect(s.order).toEqual(['a', 'a1', 'a2', 'b', 'b1', 'c'])
  })

  it('a redirect hop (initiator, no promised headers) keeps its place at the end', () => {
    let s = apply(EMPTY_TIMELINE, [queued('a', 0), queued('b', 1)])
    s = apply(s, [queued('a-hop', 5, { initiator: 'a', hop: 1 })])
    expect(s.order).toEqual(['a', 'b', 'a-hop'])
  })
})
