import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock, driveLiveClock } from '../../src/renderer/store/live-clock'
import { fakeClient } from './fake-client'
import { reusedExchange } from './event-builders'

const FRAME_MS = 1000 / 60

/**
 * A 202's job (or a long poll) keeps going after its first exchange ended, with nothing in flight between its
 * polls: the timeline's axis and the row's running time follow the live clock, so the clock must keep ticking
 * while a job runs, and sleep once it ends.
 */
describe('live clock while a job runs', () => {
  it('ticks with no request in flight while a job is running, and stops when it ends', () => {
    const store = createAppStore(fakeClient().client)
    store.setState({ clockSync: { engineAt: 0, localAt: 0 } })
    const clock = createLiveClock()
    const pending: (() => void)[] = []
    let local = 0
    const stop = driveLiveClock(store, clock, {
      request: (cb) => pending.push(cb),
      cancel: () => {},
      localNow: () => local,
    })
    const apply = store.getState().applyTimelineBatch
    apply({ events: reusedExchange('a', 0), dropped: 0 })
    apply({
      events: [
        { type: 'job', sid: 'a', t: 60, mode: 'follow', state: 'running', polls: 0, message: 'Polling' },
      ],
      dropped: 0,
    })
    expect(store.getState().timeline.inFlight).toBe(0)
    expect(store.getState().timeline.jobsRunning).toBe(1)
    // A second of frames between two polls, bounded by the frame count: the readable clock moves with them.
    const before = clock.getState().readable
    for (let f = 1; f <= 60 && pending.length > 0; f++) {
      local = 100 + f * FRAME_MS
      pending.shift()?.()
    }
    expect(clock.getState().readable - before).toBeGreaterThanOrEqual(900)
    // The job ends: one last tick, then the clock asks for nothing more.
    apply({
      events: [
        { type: 'job', sid: 'a', t: 1200, mode: 'follow', state: 'completed', polls: 3, message: 'Done' },
      ],
      dropped: 0,
    })
    for (let f = 0; f < 3 && pending.length > 0; f++) pending.shift()?.()
    expect(pending).toHaveLength(0)
    stop()
  })
})
