import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ServerTimingTable } from '../../src/renderer/details/ServerTimingTable'
import { RunServerTiming } from '../../src/renderer/runner/RunServerTiming'
import { serverTimingOf } from '../../src/shared/server-timing'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { serverSliceRects } from '../../src/renderer/timeline/lanes'
import { serverSlices } from '../../src/renderer/timeline/server-slices'
import { reusedExchange } from './event-builders'

/** A reused exchange (queued at 0: blocked 2, send 1, wait 27 from t=3 to t=30, receive 1) whose server said `header`. */
function rowWith(header: string) {
  const events = reusedExchange('s1', 0).map((e): TimelineEvent => {
    if (e.type !== 'done') return e
    const serverTiming = serverTimingOf([['server-timing', header]])
    return serverTiming ? { ...e, serverTiming } : e
  })
  const row = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }).rows['s1']
  if (!row) throw new Error('no row')
  return row
}

describe('Server-Timing slices of the waiting phase', () => {
  it('lays the entries back to back from the start of waiting', () => {
    expect(serverSlices(rowWith('db;dur=12, cache;desc=miss, render;dur=5'))).toEqual([
      { name: 'db', start: 3, end: 15, dur: 12, clipped: false },
      { name: 'render', start: 15, end: 20, dur: 5, clipped: false },
    ])
  })

  it('clips what runs past the waiting phase and drops what starts after it, keeping the true duration', () => {
    expect(serverSlices(rowWith('db;dur=20, render;dur=30, late;dur=1'))).toEqual([
      { name: 'db', start: 3, end: 23, dur: 20, clipped: false },
      { name: 'render', start: 23, end: 30, dur: 30, clipped: true },
    ])
  })

  it('as pixels: inside the green bar, never past its end', () => {
    // 1 ms = 10 px on a 310 px waterfall from t=0.
    const rects = serverSliceRects(rowWith('db;dur=12, render;dur=500'), (t) => t * 10, 310)
    expect(rects).toEqual([
      { name: 'db', index: 0, x: 30, w: 120 },
      { name: 'render', index: 1, x: 150, w: 150 },
    ])
  })
})

describe('Server-Timing in words', () => {
  it('the Timing tab lists every entry with its description, trailer and past-wait marks', () => {
    const row = rowWith('db;dur=20;desc="Primary DB", cache;desc=miss, render;dur=30')
    const html = renderToStaticMarkup(createElement(ServerTimingTable, { row }))
    expect(html).toContain('Server-Timing (as the server says)')
    expect(html).toMatch(/data-server-timing="db".*Primary DB.*20 ms/)
    expect(html).toMatch(/data-server-timing="cache".*miss.*—/)
    expect(html).toMatch(/data-server-timing="render".*past wait.*30 ms/)
  })

  it('the hover card lists eight and says how many more', () => {
    const list = Array.from({ length: 12 }, (_, i) => `m${i};dur=1`).join(', ')
    const html = renderToStaticMarkup(createElement(ServerTimingTable, { row: rowWith(list), compact: true }))
    expect(html.match(/data-server-timing=/g)).toHaveLength(8)
    expect(html).toContain('4 more in the Timing tab')
  })

  it('a run shows the client row, then one per name', () => {
    const html = renderToStaticMarkup(
      createElement(RunServerTiming, {
        stats: {
          total: 10,
          passed: 10,
          failed: 0,
          errors: 0,
          p50: 32,
          p90: 33,
          p99: 44,
          max: 44,
          mean: 33,
          histogram: [],
          serverTiming: [{ name: 'db', count: 10, p50: 50, p90: 90, p99: 100, max: 100 }],
        },
      }),
    )
    expect(html).toMatch(/client \(whole request\).*44 ms.*data-server-timing="db".*100 ms/)
  })
})
