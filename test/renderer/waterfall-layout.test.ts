import { describe, expect, it } from 'vitest'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, clearFinished, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import {
  ACTIONS_WIDTH,
  compareRows,
  layoutColumns,
  MIN_WATERFALL_WIDTH,
  nextSort,
} from '../../src/renderer/timeline/columns'
import { concurrencySeries } from '../../src/renderer/timeline/concurrency'
import { barRects } from '../../src/renderer/timeline/lanes'
import {
  buildTableView,
  NO_FILTERS,
  stepSelection,
  type GroupItem,
  type ViewOptions,
} from '../../src/renderer/timeline/table-view'
import {
  FOLLOW_ALL,
  FOLLOW_LIVE,
  FOLLOW_LIVE_MS,
  fitAllView,
  followView,
  freezeView,
  panView,
  resolveWindow,
  timelineExtent,
  ticksForWidth,
  timeToX,
  wheelZoomFactor,
  windowTickStep,
  windowTicks,
  xToTime,
  zoomView,
  type TimeView,
} from '../../src/renderer/timeline/time-view'
import { itemIndexAt, ROW_HEIGHT, visibleRange } from '../../src/renderer/timeline/waterfall-paint'
import { freshHttpsExchange, queued, reusedExchange } from './event-builders'

const extent = { origin: 1000, end: 2000 }

describe('time window', () => {
  it('maps engine ms to px and back on the window', () => {
    const w = { start: 1000, end: 1500 }
    expect(timeToX(w, 1000, 800)).toBe(0)
    expect(timeToX(w, 1250, 800)).toBe(400)
    expect(timeToX(w, 1500, 800)).toBe(800)
    expect(xToTime(w, 400, 800)).toBe(1250)
    // Outside the window maps outside the canvas, never clamped here.
    expect(timeToX(w, 900, 800)).toBe(-160)
  })

  it('follows everything by default and grows with the extent', () => {
    expect(resolveWindow(FOLLOW_ALL, extent)).toEqual({ start: 1000, end: 2000 })
    expect(resolveWindow(FOLLOW_ALL, { origin: 1000, end: 3000 })).toEqual({ start: 1000, end: 3000 })
    expect(resolveWindow(FOLLOW_ALL, null)).toBeNull()
  })

  it('zooms in while following by narrowing to the newest span, right edge on now', () => {
    const v = zoomView(FOLLOW_ALL, 4, 1100, extent)
    expect(v).toEqual({ follow: true, span: 250 })
    expect(resolveWindow(v, { origin: 1000, end: 2400 })).toEqual({ start: 2150, end: 2400 })
    // Zooming back out past all the data returns to fit-all.
    expect(zoomView(v, 1 / 8, 2000, extent)).toEqual(FOLLOW_ALL)
  })

  it('zooms a fixed window around the anchor, keeping it under the same pixel', () => {
    const fixed: TimeView = { follow: false, start: 1000, end: 2000 }
    const v = zoomView(fixed, 2, 1200, extent)
    expect(v).toEqual({ follow: false, start: 1100, end: 1600 })
    const before = timeToX({ start: 1000, end: 2000 }, 1200, 1000)
    const w = resolveWindow(v, extent)
    if (!w) throw new Error('no window')
    expect(timeToX(w, 1200, 1000)).toBeCloseTo(before)
  })

  it('never zooms narrower than 0.2 ms or wider than 1.5x the data', () => {
    const fixed: TimeView = { follow: false, start: 1000, end: 1001 }
    const tiny = resolveWindow(zoomView(fixed, 1e9, 1000, extent), extent)
    expect(tiny && tiny.end - tiny.start).toBeCloseTo(0.2)
    const wide = resolveWindow(
      zoomView({ follow: false, start: 1000, end: 2000 }, 1e-9, 1500, extent),
      extent,
    )
    expect(wide && wide.end - wide.start).toBe(1500)
  })

  it('pans by ms, stops following, and keeps a tenth of the window over the data', () => {
    const v = panView(FOLLOW_ALL, -200, extent)
    expect(v).toEqual({ follow: false, start: 800, end: 1800 })
    const far = panView({ follow: false, start: 1000, end: 2000 }, 1e6, extent)
    expect(far).toEqual({ follow: false, start: 1900, end: 2900 })
    const back = panView({ follow: false, start: 1000, end: 2000 }, -1e6, extent)
    expect(back).toEqual({ follow: false, start: 100, end: 1100 })
  })

  it('fits all, freezes and follows again', () => {
    const fixed: TimeView = { follow: false, start: 1200, end: 1300 }
    expect(fitAllView(fixed, extent)).toEqual({ follow: false, start: 1000, end: 2000 })
    expect(fitAllView({ follow: true, span: 10 }, extent)).toEqual(FOLLOW_ALL)
    expect(freezeView({ follow: true, span: 100 }, extent)).toEqual({ follow: false, start: 1900, end: 2000 })
    expect(followView(fixed, extent)).toEqual({ follow: true, span: 100 })
    expect(followView({ follow: false, start: 0, end: 5000 }, extent)).toEqual(FOLLOW_ALL)
  })

  it('places ticks at round offsets from the first request, inside the window', () => {
    expect(windowTicks({ start: 1000, end: 2000 }, 1000, 5)).toEqual([1000, 1200, 1400, 1600, 1800, 2000])
    // Panned: offsets stay counted from the origin, not from the window's edge.
    expect(windowTicks({ start: 1130, end: 1630 }, 1000, 5)).toEqual([1200, 1300, 1400, 1500, 1600])
  })

  it('takes the extent to now while anything is in flight', () => {
    expect(timelineExtent({ origin: 10, maxT: 50, inFlight: 1 }, 80)).toEqual({ origin: 10, end: 80 })
    expect(timelineExtent({ origin: 10, maxT: 50, inFlight: 0 }, 80)).toEqual({ origin: 10, end: 50 })
    expect(timelineExtent({ origin: null, maxT: null, inFlight: 0 }, 80)).toBeNull()
  })
})

describe('room and zoom', () => {
  it('follows the last 15 s by default, or everything while there is less', () => {
    expect(resolveWindow(FOLLOW_LIVE, extent)).toEqual({ start: 1000, end: 2000 })
    // Ten minutes of one-at-a-time sends: the window stays 15 s wide, so a 50 ms request is not a sliver.
    const long = { origin: 0, end: 600_000 }
    expect(resolveWindow(FOLLOW_LIVE, long)).toEqual({ start: 600_000 - FOLLOW_LIVE_MS, end: 600_000 })
    const z = zoomView(FOLLOW_LIVE, 1.5, 599_000, long)
    expect(z).toEqual({ follow: true, span: FOLLOW_LIVE_MS / 1.5 })
    // Fit all still shows everything.
    expect(resolveWindow(fitAllView(FOLLOW_LIVE, long), long)).toEqual({ start: 0, end: 600_000 })
  })

  it('zooms one wheel notch by a gentle step, and never more than 1.5x an event', () => {
    expect(wheelZoomFactor(-100, 0)).toBeCloseTo(1.25)
    expect(wheelZoomFactor(100, 0)).toBeCloseTo(1 / 1.25)
    expect(wheelZoomFactor(-3, 1)).toBeLessThanOrEqual(1.5)
    expect(wheelZoomFactor(-1000, 0)).toBe(1.5)
    expect(wheelZoomFactor(1000, 0)).toBeCloseTo(1 / 1.5)
    // A pinch's small deltas zoom a little.
    expect(wheelZoomFactor(-4, 0)).toBeGreaterThan(1)
    expect(wheelZoomFactor(-4, 0)).toBeLessThan(1.01)
  })

  it('picks the tick count from the width, at least 80 px apart, and never only "0"', () => {
    expect(ticksForWidth(246)).toBe(3)
    expect(ticksForWidth(800)).toBe(10)
    for (const width of [246, 800]) {
      for (const span of [0.3, 2.7, 48, 1094, 4400, 65_000]) {
        const w = { start: 1000, end: 1000 + span }
        const step = windowTickStep(w, ticksForWidth(width))
        expect((step / span) * width).toBeGreaterThanOrEqual(80 - 1e-6)
        expect(windowTicks(w, 1000, ticksForWidth(width)).length).toBeGreaterThanOrEqual(2)
      }
    }
  })
})

describe('phase rectangles', () => {
  const state = applyBatch(EMPTY_TIMELINE, {
    events: [...freshHttpsExchange('s1', 100), queued('s2', 150)],
    dropped: 0,
  })
  const s1 = state.rows['s1']
  const s2 = state.rows['s2']
  if (!s1 || !s2) throw new Error('rows missing')

  it('lays a finished exchange out as contiguous px segments on the window', () => {
    const x = (t: number): number => timeToX({ start: 100, end: 200 }, t, 1000)
    const rects = barRects(s1, 200, x, 1000)
    expect(rects.map((r) => r.phase)).toEqual(['blocked', 'dns', 'connect', 'tls', 'send', 'wait', 'receive'])
    expect(rects.map((r) => [r.x, r.w])).toEqual([
      [0, 10],
      [10, 20],
      [30, 40],
      [70, 60],
      [130, 10],
      [140, 500],
      [640, 200],
    ])
  })

  it('clips to the canvas and gives a sub-pixel phase at least 1 px', () => {
    const x = (t: number): number => timeToX({ start: 160, end: 200 }, t, 400)
    const rects = barRects(s1, 200, x, 400)
    expect(rects.map((r) => r.phase)).toEqual(['wait', 'receive'])
    expect(rects[0]).toMatchObject({ x: 0, w: 40 })
    const zoomedOut = barRects(s1, 200, (t) => timeToX({ start: 0, end: 100_000 }, t, 1000), 1000)
    for (const r of zoomedOut) expect(r.w).toBeGreaterThanOrEqual(1)
  })

  it('draws a queued session as an open blocked segment growing to now', () => {
    const rects = barRects(s2, 190, (t) => t - 100, 1000)
    expect(rects).toEqual([{ phase: 'blocked', x: 50, w: 40, open: true }])
  })
})

describe('concurrency strip', () => {
  it('counts requests on the wire and waiting per slice of the window', () => {
    const events: TimelineEvent[] = [
      ...freshHttpsExchange('a', 0), // queued 0, on the wire 1..84
      ...reusedExchange('b', 40), // queued 40, sent at 42, ends at 40+?
      queued('c', 20), // still waiting: counts as queued until now
    ]
    const t = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 })
    const s = concurrencySeries(t, { start: 0, end: 100 }, 10, 100)
    // a and b went on the wire within the slice they were queued in: they count as active there, not queued.
    expect(Array.from(s.queued)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
    expect(Array.from(s.active)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 1, 0])
    expect(s.peak).toBe(3)
  })
})

describe('columns', () => {
  it('places columns, then the waterfall, then the actions cell', () => {
    const l = layoutColumns(['status', 'method', 'name'], { name: 200 }, 1000)
    expect(l.columns).toEqual([
      { id: 'status', x: 0, width: 72 },
      { id: 'method', x: 72, width: 58 },
      { id: 'name', x: 130, width: 200 },
    ])
    expect(l.waterfallX).toBe(330)
    expect(l.waterfallWidth).toBe(1000 - 330 - ACTIONS_WIDTH)
  })

  it('shrinks the name column first when the panel is narrow', () => {
    const l = layoutColumns(['status', 'name', 'time'], { name: 600 }, 700)
    expect(l.waterfallWidth).toBe(245) // 35 % of the panel
    expect(l.columns.find((c) => c.id === 'name')?.width).toBe(700 - ACTIONS_WIDTH - 245 - 136)
    // A narrow panel keeps the bars at their minimum while the name column can still give way.
    expect(layoutColumns(['status', 'name'], { name: 600 }, 400).waterfallWidth).toBe(MIN_WATERFALL_WIDTH)
  })

  it('cycles sorting ascending, descending, off', () => {
    expect(nextSort(null, 'time')).toEqual({ column: 'time', dir: 'asc' })
    expect(nextSort({ column: 'time', dir: 'asc' }, 'time')).toEqual({ column: 'time', dir: 'desc' })
    expect(nextSort({ column: 'time', dir: 'desc' }, 'time')).toBeNull()
    expect(nextSort({ column: 'time', dir: 'desc' }, 'size')).toEqual({ column: 'size', dir: 'asc' })
  })
})

describe('table view', () => {
  const events: TimelineEvent[] = [
    ...freshHttpsExchange('a', 0),
    ...reusedExchange('b', 10),
    queued('c', 20, { method: 'POST', url: 'https://other.test/x', batch: { id: 'B', index: 0, size: 2 } }),
    queued('d', 21, { method: 'POST', url: 'https://other.test/x', batch: { id: 'B', index: 1, size: 2 } }),
    { type: 'error', sid: 'd', t: 30, code: 'refused', message: 'refused', timings: freshTimings() },
  ]
  const t = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 })
  const opts = (o: Partial<ViewOptions>): ViewOptions => ({
    filters: NO_FILTERS,
    sort: null,
    groupBy: 'none',
    collapsed: new Set(),
    ...o,
  })

  it('lists the timeline order itself when nothing filters, sorts or groups', () => {
    const v = buildTableView(t, opts({}))
    expect(v.items).toBe(t.order)
  })

  it('filters by text, method, status class, protocol, errors and in flight', () => {
    const ids = (f: Partial<typeof NO_FILTERS>) =>
      buildTableView(t, opts({ filters: { ...NO_FILTERS, ...f } })).items
    expect(ids({ text: 'OTHER.test' })).toEqual(['c', 'd'])
    expect(ids({ method: 'POST' })).toEqual(['c', 'd'])
    expect(ids({ status: '2xx' })).toEqual(['a', 'b'])
    expect(ids({ protocol: 'h2' })).toEqual(['a'])
    expect(ids({ errorsOnly: true })).toEqual(['d'])
    expect(ids({ inFlightOnly: true })).toEqual(['c'])
  })

  it('sorts by a column, ties in arrival order', () => {
    const v = buildTableView(t, opts({ sort: { column: 'time', dir: 'desc' } }))
    expect(v.items).toEqual(['c', 'a', 'b', 'd'])
    expect(compareRows(t.rows['a']!, t.rows['b']!, { column: 'started', dir: 'asc' })).toBeLessThan(0)
  })

  it('groups by batch and by origin, and folds a group', () => {
    const byBatch = buildTableView(t, opts({ groupBy: 'batch' }))
    const heads = byBatch.items.filter((i): i is GroupItem => typeof i !== 'string')
    expect(heads.map((g) => [g.key, g.count, g.inFlight, g.failed])).toEqual([
      ['single', 2, 0, 0],
      ['batch:B', 2, 1, 1],
    ])
    expect(heads[1]?.label).toBe('Send ×2: POST other.test/x')
    const byOrigin = buildTableView(t, opts({ groupBy: 'origin', collapsed: new Set(['http://api.test']) }))
    expect(byOrigin.items.map((i) => (typeof i === 'string' ? i : `[${i.key}]`))).toEqual([
      '[https://api.test]',
      'a',
      '[http://api.test]',
      '[https://other.test]',
      'c',
      'd',
    ])
    expect(byOrigin.rowCount).toBe(4)
  })

  it('moves the selection through listed rows only, skipping group headers', () => {
    const items = buildTableView(t, opts({ groupBy: 'batch' })).items
    expect(stepSelection(items, null, 1)).toBe('a')
    expect(stepSelection(items, 'b', 1)).toBe('c')
    expect(stepSelection(items, 'd', 5)).toBe('d')
    expect(stepSelection(items, null, -1)).toBe('d')
  })
})

describe('clear with pins', () => {
  it('keeps pinned finished rows and in-flight rows', () => {
    const t = applyBatch(EMPTY_TIMELINE, {
      events: [...freshHttpsExchange('a', 0), ...reusedExchange('b', 10), queued('c', 20)],
      dropped: 0,
    })
    const cleared = clearFinished(t, new Set(['b']))
    expect(cleared.order).toEqual(['b', 'c'])
    expect(cleared.origin).toBe(10)
  })
})

describe('virtual rows', () => {
  it('finds the row under the pointer and the rows on screen', () => {
    expect(itemIndexAt(5, 0, 10)).toBe(0)
    expect(itemIndexAt(5, ROW_HEIGHT * 3, 10)).toBe(3)
    expect(itemIndexAt(ROW_HEIGHT * 20, 0, 10)).toBeNull()
    expect(visibleRange(ROW_HEIGHT * 100 + 3, ROW_HEIGHT * 10, 10_000)).toEqual([100, 111])
  })
})

function freshTimings() {
  return { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, time: 9 }
}
