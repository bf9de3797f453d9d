import { describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { estimateEngineNow, syncFromInfo } from '../../src/renderer/timeline/engine-clock'
import { layoutSegments, phaseLines, rowTimings } from '../../src/renderer/timeline/segments'
import {
  axisTicks,
  computeAxis,
  formatTick,
  percentPerMs,
  timeToPx,
} from '../../src/renderer/timeline/time-axis'
import { freshHttpsExchange, queued, reusedExchange } from './event-builders'

function rowOf(events: TimelineEvent[], sid: string) {
  const r = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }).rows[sid]
  if (!r) throw new Error('no row')
  return r
}

const compact = (segs: ReturnType<typeof layoutSegments>) =>
  segs.map((s) => [s.phase, s.start, s.end, s.open])

describe('time axis', () => {
  it('maps engine ms to px on one shared scale', () => {
    const axis = { origin: 1000, end: 1500 }
    expect(timeToPx(axis, 1000, 800)).toBe(0)
    expect(timeToPx(axis, 1250, 800)).toBe(400)
    expect(timeToPx(axis, 1500, 800)).toBe(800)
    expect(percentPerMs(axis)).toBeCloseTo(0.2)
  })
  it('never divides by a zero span', () => {
    expect(timeToPx({ origin: 5, end: 5 }, 5.5, 100)).toBe(50)
  })
  it('extends to now only while something is in flight', () => {
    expect(computeAxis({ origin: null, maxT: null, inFlight: 0, now: 10 })).toBeNull()
    expect(computeAxis({ origin: 100, maxT: 300, inFlight: 0, now: 900 })).toEqual({ origin: 100, end: 300 })
    expect(computeAxis({ origin: 100, maxT: 300, inFlight: 2, now: 900 })).toEqual({ origin: 100, end: 900 })
    expect(computeAxis({ origin: 100, maxT: 300, inFlight: 2, now: 250 })).toEqual({ origin: 100, end: 300 })
  })
  it('puts ticks at 1-2-5 steps', () => {
    expect(axisTicks({ origin: 0, end: 1000 }, 5)).toEqual([0, 200, 400, 600, 800, 1000])
    expect(axisTicks({ origin: 50, end: 80 }, 4)).toEqual([0, 10, 20, 30])
    expect(axisTicks({ origin: 0, end: 7300 }, 6)).toEqual([0, 2000, 4000, 6000])
  })
})

describe('tick labels', () => {
  it('labels ticks in ms below a second and in seconds above, without needless decimals', () => {
    expect(formatTick(0)).toBe('0')
    expect(formatTick(400)).toBe('400 ms')
    expect(formatTick(1000)).toBe('1 s')
    expect(formatTick(2500)).toBe('2.5 s')
    expect(formatTick(0.4)).toBe('0.4 ms')
  })

  it('prints as many decimals as the tick step needs, so zoomed-in labels never repeat', () => {
    // Zoomed in around 1.094 s with a 0.1 ms step: each label its own, not "1.094 s" four times.
    const labels = [1094, 1094.1, 1094.2, 1094.3].map((ms) => formatTick(ms, 0.1))
    expect(labels).toEqual(['1.094 s', '1.0941 s', '1.0942 s', '1.0943 s'])
    expect(formatTick(12.05, 0.05)).toBe('12.05 ms')
    expect(formatTick(2000, 500)).toBe('2 s')
    expect(formatTick(2500, 500)).toBe('2.5 s')
    expect(formatTick(250, 50)).toBe('250 ms')
  })
})

describe('segment layout', () => {
  it('lays a finished fresh HTTPS exchange out phase by phase', () => {
    const r = rowOf(freshHttpsExchange('s', 100), 's')
    expect(compact(layoutSegments(r, 999))).toEqual([
      ['blocked', 100, 101, false],
      ['dns', 101, 103, false],
      ['connect', 103, 107, false],
      ['tls', 107, 113, false],
      ['send', 113, 114, false],
      ['wait', 114, 164, false],
      ['receive', 164, 184, false],
    ])
  })
  it('grows the phase under way to now while in flight', () => {
    const events = freshHttpsExchange('s', 0)
    // Headers in, body still streaming.
    expect(compact(layoutSegments(rowOf(events.slice(0, 7), 's'), 80)).slice(-2)).toEqual([
      ['wait', 14, 64, false],
      ['receive', 64, 80, true],
    ])
    // Only queued so far: all of it is blocked, open.
    expect(compact(layoutSegments(rowOf(events.slice(0, 1), 's'), 12))).toEqual([['blocked', 0, 12, true]])
    // TCP up on https: TLS is under way.
    expect(layoutSegments(rowOf(events.slice(0, 3), 's'), 9).at(-1)).toEqual({
      phase: 'tls',
      start: 7,
      end: 9,
      open: true,
    })
    // Request sent: waiting for the first byte.
    expect(layoutSegments(rowOf(events.slice(0, 5), 's'), 30).at(-1)).toEqual({
      phase: 'wait',
      start: 14,
      end: 30,
      open: true,
    })
  })
  it('never draws an open segment backwards when now lags the events', () => {
    const seg = layoutSegments(rowOf(freshHttpsExchange('s', 0).slice(0, 6), 's'), 10).at(-1)
    expect(seg).toEqual({ phase: 'receive', start: 64, end: 64, open: true })
  })
  it('shows a reused connection with no dns, connect or tls', () => {
    const r = rowOf(reusedExchange('r', 10), 'r')
    expect(compact(layoutSegments(r, 0))).toEqual([
      ['blocked', 10, 12, false],
      ['send', 12, 13, false],
      ['wait', 13, 40, false],
      ['receive', 40, 41, false],
    ])
  })
  it('draws the interrupted part of an errored or cancelled exchange', () => {
    const events = freshHttpsExchange('s', 0).slice(0, 2)
    const err = rowOf(
      [
        ...events,
        {
          type: 'error',
          sid: 's',
          t: 8,
          code: 'refused',
          message: 'refused',
          timings: { blocked: 1, dns: 2, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, time: 8 },
        },
      ],
      's',
    )
    expect(compact(layoutSegments(err, 50))).toEqual([
      ['blocked', 0, 1, false],
      ['dns', 1, 3, false],
      ['error', 3, 8, false],
    ])
    const cancelled = rowOf(
      [
        queued('c', 0),
        {
          type: 'cancelled',
          sid: 'c',
          t: 30,
          timings: { blocked: 30, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, time: 30 },
        },
      ],
      'c',
    )
    expect(compact(layoutSegments(cancelled, 50))).toEqual([['cancelled', 0, 30, false]])
  })
})

describe('bar and numbers agree', () => {
  // A lone first request: the TCP connection is up at 16, but undici compiles its parser before writing the
  // first header byte at 20. The engine counts that stall as queued (9 ms), not as "request sent".
  const stalled = (): TimelineEvent[] => [
    queued('f', 0, { url: 'http://127.0.0.1:8080/' }),
    { type: 'connect', sid: 'f', start: 5, t: 16, remoteAddress: '127.0.0.1', remotePort: 8080 },
    {
      type: 'request-sent',
      sid: 'f',
      start: 20,
      t: 20.5,
      reused: false,
      connectionId: 1,
      protocol: 'http/1.1',
      remoteAddress: '127.0.0.1',
      remotePort: 8080,
      headers: [],
      headersBytes: 30,
      bodyBytes: 0,
    },
    {
      type: 'response-headers',
      sid: 'f',
      t: 30,
      status: 200,
      statusText: 'OK',
      httpVersion: '1.1',
      headers: [],
      headersBytes: 20,
    },
    {
      type: 'done',
      sid: 'f',
      t: 31,
      status: 200,
      wireBytes: 20,
      bodyBytes: 0,
      body: { id: 'b-f', size: 0, contentType: '', onDisk: false },
      timings: { blocked: 9, dns: -1, connect: 11, ssl: -1, send: 0.5, wait: 9.5, receive: 1, time: 31 },
    },
  ]
  const widths = (segs: ReturnType<typeof layoutSegments>) => segs.map((s) => [s.phase, s.end - s.start])

  it('draws a finished bar from the same timings the hover card prints', () => {
    const r = rowOf(stalled(), 'f')
    const lines = phaseLines(rowTimings(r, 1e9))
    const segs = layoutSegments(r, 1e9)
    expect(widths(segs)).toEqual([
      ['blocked', 9],
      ['connect', 11],
      ['send', 0.5],
      ['wait', 9.5],
      ['receive', 1],
    ])
    for (const s of segs) expect(lines.find((l) => l.phase === s.phase)?.ms).toBe(s.end - s.start)
    expect(segs.at(-1)?.end).toBe(31)
  })

  it('counts the stall before the first header byte as queued while in flight too', () => {
    const r = rowOf(stalled().slice(0, 4), 'f')
    expect(widths(layoutSegments(r, 40))).toEqual([
      ['blocked', 9],
      ['connect', 11],
      ['send', 0.5],
      ['wait', 9.5],
      ['receive', 10],
    ])
  })
})

describe('timings for the details pane', () => {
  it('uses the engine timings once done', () => {
    const r = rowOf(freshHttpsExchange('s', 0), 's')
    expect(rowTimings(r, 1e9).time).toBe(84)
    expect(phaseLines(rowTimings(r, 1e9)).map((l) => [l.label, l.ms])).toEqual([
      ['Queued', 1],
      ['DNS', 2],
      ['Connect', 4],
      ['TLS', 6],
      ['Request sent', 1],
      ['Waiting (TTFB)', 50],
      ['Content download', 20],
      ['Total', 84],
    ])
  })
  it('derives live timings from the phases seen so far', () => {
    const r = rowOf(freshHttpsExchange('s', 0).slice(0, 5), 's')
    expect(rowTimings(r, 40)).toEqual({
      blocked: 1,
      dns: 2,
      connect: 10,
      ssl: 6,
      send: 1,
      wait: 26,
      receive: -1,
      time: 40,
    })
  })
  it('derives a reused connection with dashes for dns, connect and tls', () => {
    const r = rowOf(reusedExchange('r', 0).slice(0, 2), 'r')
    const lines = phaseLines(rowTimings(r, 10))
    expect(lines.map((l) => l.ms)).toEqual([2, -1, -1, -1, 1, 7, -1, 10])
  })
})

describe('engine clock estimate', () => {
  it('pins app.info now to the round trip midpoint and runs on local time', () => {
    const sync = syncFromInfo(5000, 100, 110)
    expect(sync).toEqual({ engineAt: 5000, localAt: 105 })
    expect(estimateEngineNow(sync, 305, 0)).toBe(5200)
  })
  it('never goes behind the latest event seen', () => {
    expect(estimateEngineNow(syncFromInfo(5000, 100, 100), 100, 6000)).toBe(6000)
    expect(estimateEngineNow(null, 100, 42)).toBe(42)
  })
})
