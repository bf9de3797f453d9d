import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock, driveLiveClock } from '../../src/renderer/store/live-clock'
import { fakeClient } from './fake-client'
import { queued } from './event-builders'

const FRAME_MS = 1000 / 60
const ROWS = 1000

/**
 * The live clock is the page's one frame loop for live time: with a thousand rows in flight and batches landing
 * between frames (a burst), it asks for at most one animation frame at a time and ticks at most once a frame,
 * the batches' tasks left to apply the batches; once nothing is in flight it asks for nothing. A fake frame
 * source and fake timers count what it schedules (counting, not timing).
 */
describe('live clock during a burst', () => {
  it('one frame callback and one tick a frame with many rows in flight; none when idle', () => {
    const store = createAppStore(fakeClient().client)
    store.setState({ clockSync: { engineAt: 0, localAt: 0 } })
    const clock = createLiveClock()
    // The waterfall's pacer: the picture moves a pixel every 19 ms of engine time.
    clock.pacers.add(() => 19)
    let local = 0
    let nextId = 1
    const frames = new Map<number, () => void>()
    const timers = new Map<number, { at: number; cb: () => void }>()
    let requested = 0
    let ticks = 0
    clock.subscribe(() => ticks++)
    const stop = driveLiveClock(store, clock, {
      request: (cb) => {
        requested++
        frames.set(nextId, cb)
        return nextId++
      },
      cancel: (id) => frames.delete(id),
      localNow: () => local,
      timers: {
        after: (cb, ms) => {
          timers.set(nextId, { at: local + ms, cb })
          return nextId++
        },
        cancel: (id) => timers.delete(id),
      },
    })
    const apply = store.getState().applyTimelineBatch
    const events = Array.from({ length: ROWS }, (_, i) => queued(`r${i}`, 0))
    apply({ events, dropped: 0 })
    expect(store.getState().timeline.inFlight).toBe(ROWS)

    const runTimersDue = (): void => {
      for (const [id, t] of [...timers]) {
        if (t.at > local) continue
        timers.delete(id)
        t.cb()
      }
    }
    // Two seconds of frames, three batches landing between each two (what a burst's host sends).
    const FRAMES = 120
    requested = 0
    ticks = 0
    let mostPending = 0
    for (let f = 1; f <= FRAMES; f++) {
      for (let b = 0; b < 3; b++) {
        local += FRAME_MS / 4
        runTimersDue()
        apply({ events: [queued(`late${f}-${b}`, local)], dropped: 0 })
        mostPending = Math.max(mostPending, frames.size)
      }
      local += FRAME_MS / 4
      runTimersDue()
      const due = [...frames.values()]
      frames.clear()
      for (const cb of due) cb()
      mostPending = Math.max(mostPending, frames.size)
    }
    expect(mostPending).toBeLessThanOrEqual(1)
    expect(requested).toBeLessThanOrEqual(FRAMES)
    expect(ticks).toBeLessThanOrEqual(FRAMES)
    // Live time still moves every frame the picture needs it: a pixel every 19 ms is most frames.
    expect(ticks).toBeGreaterThanOrEqual(FRAMES / 2)

    // Everything ends: one last tick, then nothing is scheduled, whatever the frames and timers do.
    apply({
      events: Array.from({ length: ROWS }, (_, i) => ({
        type: 'cancelled' as const,
        sid: `r${i}`,
        t: local,
        timings: { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, time: 0 },
      })),
      dropped: 0,
    })
    apply({
      events: Array.from({ length: FRAMES }, (_, f) =>
        [0, 1, 2].map((b) => ({
          type: 'cancelled' as const,
          sid: `late${f + 1}-${b}`,
          t: local,
          timings: { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, time: 0 },
        })),
      ).flat(),
      dropped: 0,
    })
    expect(store.getState().timeline.inFlight).toBe(0)
    for (let f = 0; f < 3; f++) {
      local += FRAME_MS
      runTimersDue()
      const due = [...frames.values()]
      frames.clear()
      for (const cb of due) cb()
    }
    requested = 0
    for (let f = 0; f < 60; f++) {
      local += FRAME_MS
      runTimersDue()
      for (const cb of [...frames.values()]) cb()
    }
    expect(requested).toBe(0)
    expect(frames.size + timers.size).toBe(0)
    stop()
  })
})
