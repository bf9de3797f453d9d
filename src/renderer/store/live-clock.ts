import { createStore, type StoreApi } from 'zustand/vanilla'
import { estimateEngineNow } from '../timeline/engine-clock'
import type { AppStore } from './app-store'

/**
 * "Now" on the engine clock, ticking every animation frame while anything is in flight and still otherwise.
 * It is its own tiny store so that a tick re-renders only what shows live time (the axis, the details of an
 * in-flight row), never the rows themselves: their bars grow through a CSS variable.
 */
export interface LiveClockState {
  now: number
}

export type LiveClock = StoreApi<LiveClockState>

export function createLiveClock(): LiveClock {
  return createStore<LiveClockState>()(() => ({ now: 0 }))
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
    clock.setState({ now: estimateEngineNow(s.clockSync, frames.localNow(), s.timeline.latestT) })
    if (s.timeline.inFlight > 0) handle = frames.request(tick)
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
