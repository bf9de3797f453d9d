import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock, driveLiveClock, READABLE_EVERY_MS } from '../../src/renderer/store/live-clock'
import { clockDueIn, clockMovesPicture, type PaintedClock } from '../../src/renderer/timeline/paint-pacing'
import type { TimeWindow } from '../../src/renderer/timeline/time-view'
import { fakeClient } from './fake-client'
import { queued, timings } from './event-builders'

const FRAME_MS = 1000 / 60

/**
 * The painter's clock handling as use-waterfall-paint runs it: on each frame's tick, paint when the clock moved
 * the picture, and remember what was painted. `windowAt` gives the window a paint at `now` would resolve.
 */
function paintsOver(
  frames: number,
  startNow: number,
  windowAt: (now: number) => TimeWindow,
  follow: boolean,
  devicePx: number,
): number {
  let painted: PaintedClock | null = null
  let paints = 0
  for (let f = 0; f < frames; f++) {
    const now = startNow + f * FRAME_MS
    if (!clockMovesPicture(painted, now)) continue
    paints++
    painted = { now, window: windowAt(now), follow, devicePx }
  }
  return paints
}

describe('waterfall paint pacing over a held request', () => {
  const EIGHT_S = 8 * 60

  it('paints a wide window a few times a second, not every frame', () => {
    // Ten minutes of history on 800 px: 750 ms a pixel.
    const paints = paintsOver(EIGHT_S, 600_000, (now) => ({ start: now - 600_000, end: now }), true, 800)
    expect(paints).toBeGreaterThanOrEqual(8000 / 750 - 1)
    expect(paints).toBeLessThanOrEqual(8000 / 750 + 2)
  })

  it('paints the default 15 s window on the first frame each pixel of movement is due (19 ms on 800 px)', () => {
    // A pixel every 18.75 ms, frames every 16.7 ms: every other frame, each paint a pixel or two along.
    const paints = paintsOver(EIGHT_S, 20_000, (now) => ({ start: now - 15_000, end: now }), true, 800)
    expect(paints).toBeGreaterThanOrEqual(EIGHT_S / 2 - 1)
    expect(paints).toBeLessThanOrEqual(8000 / 18.75 + 1)
  })

  it('counts device pixels: the same window on a 2x screen paints twice as often', () => {
    const at1x = paintsOver(EIGHT_S, 600_000, (now) => ({ start: now - 600_000, end: now }), true, 800)
    const at2x = paintsOver(EIGHT_S, 600_000, (now) => ({ start: now - 600_000, end: now }), true, 1600)
    expect(at2x).toBeGreaterThanOrEqual(2 * at1x - 2)
  })

  it('paints a window frozen on the past once, then not while the request goes on past its edge', () => {
    const frozen = { start: 0, end: 1000 }
    expect(paintsOver(EIGHT_S, 1500, () => frozen, false, 800)).toBe(1)
  })

  it('paints a zoomed window the request is still crossing until its end leaves the window', () => {
    // 0-2 s on 800 px (2.5 ms a pixel), the request's end at 1 s: it crosses the window for its next second.
    const paints = paintsOver(EIGHT_S, 1000, () => ({ start: 0, end: 2000 }), false, 800)
    expect(paints).toBeGreaterThanOrEqual(55)
    expect(paints).toBeLessThanOrEqual(62)
  })

  it('still grows a 100 ms request on every frame of its life', () => {
    // Fit all on a fresh timeline: the window is the request's own 0..now.
    const frames = Math.ceil(100 / FRAME_MS)
    const paints = paintsOver(frames, 1, (now) => ({ start: 0, end: Math.max(now, 1) }), true, 800)
    expect(paints).toBe(frames)
  })
})

describe('live clock for text', () => {
  it('moves `readable` at most every READABLE_EVERY_MS while in flight, `now` every frame', () => {
    const store = createAppStore(fakeClient().client)
    store.setState({ clockSync: { engineAt: 100, localAt: 0 } })
    const clock = createLiveClock()
    const pending: (() => void)[] = []
    let local = 0
    const stop = driveLiveClock(store, clock, {
      request: (cb) => pending.push(cb),
      cancel: () => {},
      localNow: () => local,
    })
    store.getState().applyTimelineBatch({ events: [queued('a', 100)], dropped: 0 })
    let nowChanges = 0
    let readableChanges = 0
    const off = clock.subscribe((s, prev) => {
      if (s.now !== prev.now) nowChanges++
      if (s.readable !== prev.readable) readableChanges++
    })
    // One second of frames, bounded by the frame count.
    for (let f = 1; f <= 60 && pending.length > 0; f++) {
      local = f * FRAME_MS
      pending.shift()?.()
      const { now, readable } = clock.getState()
      expect(now - readable).toBeLessThan(READABLE_EVERY_MS)
    }
    expect(nowChanges).toBe(60)
    expect(readableChanges).toBeGreaterThanOrEqual(9)
    expect(readableChanges).toBeLessThanOrEqual(10)
    // The request ends: the text shows the final moment at once.
    store.getState().applyTimelineBatch({
      events: [{ type: 'cancelled', sid: 'a', t: 1105, timings: timings() }],
      dropped: 0,
    })
    local = 1010
    pending.shift()?.()
    expect(clock.getState().readable).toBe(clock.getState().now)
    expect(pending).toHaveLength(0)
    off()
    stop()
  })
})

describe('live clock sleeping between ticks', () => {
  /** One simulated second of a held request: the frames the clock asked for, and the ticks it made. */
  function secondOfTicks(pacer: ((now: number) => number) | null): { frames: number; ticks: number } {
    const store = createAppStore(fakeClient().client)
    store.setState({ clockSync: { engineAt: 0, localAt: 0 } })
    const clock = createLiveClock()
    if (pacer) clock.pacers.add(pacer)
    let local = 0
    let frame: (() => void) | null = null
    let timer: { at: number; cb: () => void } | null = null
    let frames = 0
    const stop = driveLiveClock(store, clock, {
      request: (cb) => {
        frames++
        frame = cb
        return 1
      },
      cancel: () => {
        frame = null
      },
      localNow: () => local,
      timers: {
        after: (cb, ms) => {
          timer = { at: local + ms, cb }
          return 2
        },
        cancel: () => {
          timer = null
        },
      },
    })
    store.getState().applyTimelineBatch({ events: [queued('a', 0)], dropped: 0 })
    let ticks = 0
    const off = clock.subscribe(() => ticks++)
    // Bounded: at most one step per simulated frame.
    for (let step = 0; step < 120 && local < 1000; step++) {
      const t = timer as { at: number; cb: () => void } | null
      if (t) {
        timer = null
        local = t.at
        t.cb()
      }
      // The next frame boundary after now.
      local = (Math.floor(local / FRAME_MS) + 1) * FRAME_MS
      const f = frame as (() => void) | null
      frame = null
      f?.()
    }
    off()
    stop()
    return { frames, ticks }
  }

  it('ticks on frames when the waterfall moves every frame', () => {
    expect(secondOfTicks(() => 0).ticks).toBeGreaterThanOrEqual(58)
  })

  it('sleeps between the readable ticks when nothing on screen moves', () => {
    const { frames, ticks } = secondOfTicks(() => Infinity)
    expect(ticks).toBeGreaterThanOrEqual(9)
    expect(ticks).toBeLessThanOrEqual(11)
    expect(frames).toBeLessThanOrEqual(12)
  })

  it('wakes for the waterfall when its pixel comes before the next readable tick', () => {
    let painted: PaintedClock | null = null
    // A 30 s window on 800 px: 37.5 ms a pixel, so about 27 ticks a second.
    const { ticks } = secondOfTicks((now) => {
      if (clockMovesPicture(painted, now))
        painted = { now, window: { start: now - 30_000, end: now }, follow: true, devicePx: 800 }
      return clockDueIn(painted, now)
    })
    expect(ticks).toBeGreaterThanOrEqual(20)
    expect(ticks).toBeLessThanOrEqual(35)
  })
})
