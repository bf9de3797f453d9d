import { describe, expect, it } from 'vitest'
import { formatMs } from '../../src/shared/format'
import { compareTimings, formatDelta } from '../../src/renderer/details/compare'
import { timings } from './event-builders'

describe('compare two sessions', () => {
  it('lines up the phases of both and gives B − A, a dash where a phase did not happen', () => {
    const a = timings({ blocked: 1, dns: 2, connect: 10, ssl: 6, send: 1, wait: 50, receive: 20, time: 84 })
    const b = timings({ blocked: 3, dns: -1, connect: -1, ssl: -1, send: 1, wait: 20, receive: 25, time: 49 })
    const lines = compareTimings(a, b)
    expect(lines.map((l) => [l.label, l.a, l.b, l.delta])).toEqual([
      ['Queued', 1, 3, 2],
      ['DNS', 2, -1, null],
      ['Connect', 4, -1, null],
      ['TLS', 6, -1, null],
      ['Request sent', 1, 1, 0],
      ['Waiting (TTFB)', 50, 20, -30],
      ['Content download', 20, 25, 5],
      ['Total', 84, 49, -35],
    ])
    expect(lines.map((l) => formatDelta(l.delta, formatMs))).toEqual([
      '+2.0 ms',
      '—',
      '—',
      '—',
      '±0',
      '−30 ms',
      '+5.0 ms',
      '−35 ms',
    ])
  })
})
