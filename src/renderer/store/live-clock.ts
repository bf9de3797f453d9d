import { createStore, type StoreApi } from 'zustand/vanilla'
import { estimateEngineNow } from '../timeline/engine-clock'
import type { AppStore } from './app-store'

/**
 * "Now" on the engine clock, ticking every animation frame while anything is in flight and still otherwise.
 * It is its own tiny store so that a tick reaches only what shows live time, never the rows themselves. Two
 * readings: `now` every frame, for the waterfall's painter (which repaints only when that moves a pixel), and
 * `readable`, which moves at most every READABLE_EVERY_MS, for text (the durations counting up in the details
 * and the hover card).
 */
export interface LiveClockState {
  now: number
  /** `now`, held for READABLE_EVERY_MS at a time while anything is in flight; equal to `now` once idle. */
  readable: number
}

/**
 * How often live text changes: ten times a second. Durations read "1.23 s" or "834 ms"; redrawn every frame
 * their last digits are a blur nobody reads (and a React render of each consumer 60 times a second), while
 * tenths of a second changing ten times a second read as a stopwatch does, still visibly counting.
 */
export const READABLE_EVERY_MS = 100

export type LiveClock = StoreApi<LiveClockState>

export function createLiveClock(): LiveClock {
  return createStore<LiveClockState>()(() => ({ now: 0, readable: 0 }))
}

export interface FrameScheduler {
  request(cb: () => void): number
  cancel(handle: number): void
  localNow(): number
}

/**
 * Drive `clock` from `store`: one animation frame loop while `timeline.inFlight > 0`, none when idle.
 * Returns the stop function.
 */
export function driveLiveClock(store: AppStore, clock: LiveClock, frames: FrameScheduler): () => void {
  let handle: number | null = null
  const tick = (): void => {
    handle = null
    const s = store.getState()
    const now = estimateEngineNow(s.clockSync, frames.localNow(), s.timeline.latestT)
    const live = s.timeline.inFlight > 0
    const shown = clock.getState().readable
    // Held while live, unless a tick's worth has passed or the clock was set back (a new clock sync).
    const readable = live && now >= shown && now - shown < READABLE_EVERY_MS ? shown : now
    clock.setState({ now, readable })
    if (live) handle = frames.request(tick)
  }
  const update = (): void => {
    if (handle === null) tick()
  }
  update()
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.timeline !== prev.timeline || s.clockSync !== prev.clockSync) update()
  })
  return () => {
    unsubscribe()
    if (handle !== null) frames.cancel(handle)
    handle = null
  }
}
