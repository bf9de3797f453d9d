import { describe, expect, it } from 'vitest'
import type { TimelineBatch } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import {
  applyBatch,
  clearFinished,
  EMPTY_TIMELINE,
  trimOldest,
  type TimelineState,
} from '../../src/renderer/timeline/apply-batch'
import { freshHttpsExchange, queued, reusedExchange, timings } from './event-builders'

const batch = (events: TimelineEvent[], dropped = 0): TimelineBatch => ({ events, dropped })

function row(state: TimelineState, sid: string) {
  const r = state.rows[sid]
  if (!r) throw new Error(`no row ${sid}`)
  return r
}

describe('applyBatch', () => {
  it('returns the same state for an empty batch', () => {
    expect(applyBatch(EMPTY_TIMELINE, batch([]))).toBe(EMPTY_TIMELINE)
  })

  it('follows one session from queued through its phases to done', () => {
    const events = freshHttpsExchange('s1', 100)
    let s = applyBatch(EMPTY_TIMELINE, batch(events.slice(0, 1)))
    expect(row(s, 's1').state).toBe('queued')
    expect(s.inFlight).toBe(1)
    expect(s.origin).toBe(100)
    expect(s.order).toEqual(['s1'])

    s = applyBatch(s, batch(events.slice(1, 4)))
    const mid = row(s, 's1')
    expect(mid.state).toBe('active')
    expect(mid.tls?.version).toBe('TLSv1.3')
    expect(mid.status).toBeNull()
    expect(mid.end).toBeNull()

    s = applyBatch(s, batch(events.slice(4, 6)))
    expect(row(s, 's1').status).toBe(200)
    expect(row(s, 's1').state).toBe('active')

    s = applyBatch(s, batch(events.slice(6)))
    const done = row(s, 's1')
    expect(done.state).toBe('done')
    expect(done.end).toBe(184)
    expect(done.terminal?.type).toBe('done')
    expect(s.inFlight).toBe(0)
    expect(s.maxT).toBe(184)
    expect(s.latestT).toBe(184)
  })

  it('keeps only the newest of coalesced progress events and never goes back in time', () => {
    const [q] = freshHttpsExchange('s1', 0)
    const s = applyBatch(
      EMPTY_TIMELINE,
      batch(
        [
          q!,
          { type: 'body-progress', sid: 's1', t: 10, wireBytes: 100, bodyBytes: 100 },
          { type: 'body-progress', sid: 's1', t: 20, wireBytes: 900, bodyBytes: 1800 },
        ],
        7,
      ),
    )
    expect(row(s, 's1').progress?.wireBytes).toBe(900)
    expect(row(s, 's1').lastT).toBe(20)
    expect(s.dropped).toBe(7)
    expect(applyBatch(s, batch([], 3)).dropped).toBe(10)
  })

  it('lists each redirect hop as its own row, linked by initiator', () => {
    const s = applyBatch(
      EMPTY_TIMELINE,
      batch([
        queued('a', 0, { url: 'http://h/old' }),
        {
          type: 'response-headers',
          sid: 'a',
          t: 10,
          status: 301,
          statusText: 'Moved',
          httpVersion: '1.1',
          headers: [['location', '/new']],
          headersBytes: 50,
        },
        { type: 'redirect', sid: 'a', t: 11, status: 301, location: '/new', next: 'b' },
        queued('b', 11, { url: 'http://h/new', hop: 1, initiator: 'a' }),
      ]),
    )
    expect(s.order).toEqual(['a', 'b'])
    expect(row(s, 'a').state).toBe('done')
    expect(row(s, 'a').status).toBe(301)
    expect(row(s, 'a').end).toBe(11)
    expect(row(s, 'b').queued.initiator).toBe('a')
    expect(row(s, 'b').queued.hop).toBe(1)
    expect(s.inFlight).toBe(1)
  })

  it('records an error with its code and timings and stops counting it in flight', () => {
    const s = applyBatch(
      EMPTY_TIMELINE,
      batch([
        queued('e', 5, { url: 'http://127.0.0.1:1/' }),
        {
          type: 'error',
          sid: 'e',
          t: 9,
          code: 'refused',
          message: 'Connection refused by 127.0.0.1:1',
          timings: timings({ time: 4 }),
        },
      ]),
    )
    const r = row(s, 'e')
    expect(r.state).toBe('error')
    expect(r.status).toBeNull()
    expect(r.end).toBe(9)
    expect(r.terminal?.type === 'error' && r.terminal.code).toBe('refused')
    expect(s.inFlight).toBe(0)
  })

  it('marks a cancelled session and ignores anything after a terminal event', () => {
    let s = applyBatch(
      EMPTY_TIMELINE,
      batch([queued('c', 0), { type: 'cancelled', sid: 'c', t: 40, timings: timings({ time: 40 }) }]),
    )
    expect(row(s, 'c').state).toBe('cancelled')
    const before = s
    s = applyBatch(s, batch([{ type: 'body-progress', sid: 'c', t: 41, wireBytes: 1, bodyBytes: 1 }]))
    expect(s.rows).toBe(before.rows)
    expect(row(s, 'c').state).toBe('cancelled')
    expect(s.inFlight).toBe(0)
    expect(s.latestT).toBe(41)
  })

  it('ignores events for sessions never seen queued', () => {
    const s = applyBatch(
      EMPTY_TIMELINE,
      batch([{ type: 'dns', sid: 'x', t: 1, start: 0, host: 'h', address: '::1', family: 6 }]),
    )
    expect(s.order).toEqual([])
    expect(s.rows).toEqual({})
  })

  it('replaces only the rows a batch touched', () => {
    const s1 = applyBatch(EMPTY_TIMELINE, batch([...freshHttpsExchange('a', 0), queued('b', 1)]))
    const s2 = applyBatch(s1, batch([{ type: 'body-progress', sid: 'b', t: 5, wireBytes: 1, bodyBytes: 1 }]))
    expect(s2.rows['a']).toBe(s1.rows['a'])
    expect(s2.rows['b']).not.toBe(s1.rows['b'])
    expect(s2.order).toBe(s1.order)
  })

  it('applies a batch of 1,000 events in one pass', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 125; i++) events.push(...freshHttpsExchange(`s${i}`, i * 2))
    expect(events).toHaveLength(1000)
    const s = applyBatch(EMPTY_TIMELINE, batch(events))
    expect(s.order).toHaveLength(125)
    expect(s.order[0]).toBe('s0')
    expect(s.order[124]).toBe('s124')
    expect(s.inFlight).toBe(0)
    expect(Object.values(s.rows).every((r) => r.state === 'done' && r.status === 200)).toBe(true)
    expect(s.origin).toBe(0)
    expect(s.maxT).toBe(124 * 2 + 84)
  })

  it('keeps in-flight rows on clear and restarts the axis at them', () => {
    let s = applyBatch(EMPTY_TIMELINE, batch([...reusedExchange('done', 0), queued('live', 50)]))
    s = clearFinished(s)
    expect(s.order).toEqual(['live'])
    expect(Object.keys(s.rows)).toEqual(['live'])
    expect(s.origin).toBe(50)
    expect(s.maxT).toBe(50)
    expect(s.inFlight).toBe(1)
    expect(clearFinished(s)).toBe(s)
  })
})

describe('trimOldest', () => {
  it('past the cap lets go of the oldest finished rows, keeping in-flight and pinned ones, and counts them', () => {
    const events: TimelineEvent[] = []
    for (let i = 0; i < 30; i++) events.push(...freshHttpsExchange(`s${i}`, i * 100))
    // s0 is still in flight; s1 is pinned.
    const finished = events.filter((e) => !(e.sid === 's0' && e.type !== 'queued' && e.type !== 'dns'))
    let state = applyBatch(EMPTY_TIMELINE, { events: finished, dropped: 0 })
    expect(state.order).toHaveLength(30)
    expect(trimOldest(state, new Set(), 30)).toBe(state)

    // Cap 25, trimmed in steps of 5: down to 20 rows, the oldest finished ones gone first.
    state = trimOldest(state, new Set(['s1']), 25, 5)
    expect(state.order).toHaveLength(20)
    expect(state.order.slice(0, 3)).toEqual(['s0', 's1', 's12'])
    expect(state.rows['s2']).toBeUndefined()
    expect(state.rows['s11']).toBeUndefined()
    expect(state.released).toBe(10)
    expect(state.inFlight).toBe(1)
    // The axis starts at what is left.
    expect(state.origin).toBe(0)
  })
})
