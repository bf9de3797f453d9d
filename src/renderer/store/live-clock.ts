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

/** When a consumer next needs a tick: ms of engine time from `now` (0: the next frame; Infinity: not before a change). */
export type Pacer = (now: number) => number

export interface LiveClock extends StoreApi<LiveClockState> {
  /** What paces the ticks besides live text (the waterfall: until "now" moves a pixel on screen). */
  readonly pacers: Set<Pacer>
  /** Plans the next tick again after a pacer's need changed (a paint, a new window); set by driveLiveClock. */
  repace: () => void
}

export function createLiveClock(): LiveClock {
  const store = createStore<LiveClockState>()(() => ({ now: 0, readable: 0 }))
  return Object.assign(store, { pacers: new Set<Pacer>(), repace: () => undefined })
}

export interface FrameScheduler {
  request(cb: () => void): number
  cancel(handle: number): void
  localNow(): number
  /**
   * Timers for waits longer than a frame. Without them the clock ticks every frame while live; with them, when
   * no consumer needs a tick for a while (a wide window, a window on the past), it sleeps until one does.
   */
  timers?: { after(cb: () => void, ms: number): number; cancel(handle: number): void }
}

/** Under this wait the next tick is the next animation frame. */
const FRAME_MS = 17

/**
 * Drive `clock` from `store` while `timeline.inFlight > 0`, still when idle: a tick on the first animation frame
 * any consumer needs one (live text every READABLE_EVERY_MS, the pacers as they say), the wait between them
 * slept on a timer. A change of the timeline, the clock sync or the time view ticks at once when idle, on the
 * next frame while live: one tick a frame at most, however many batches land in it.
 * Returns the stop function.
 */
export function driveLiveClock(store: AppStore, clock: LiveClock, frames: FrameScheduler): () => void {
  let handle: { timer: boolean; id: number } | null = null
  const timers = frames.timers
  const cancel = (): void => {
    if (handle === null) return
    if (handle.timer) timers?.cancel(handle.id)
    else frames.cancel(handle.id)
    handle = null
  }
  const onFrame = (): void => {
    handle = { timer: false, id: frames.request(tick) }
  }
  const tick = (): void => {
    handle = null
    const s = store.getState()
    const now = estimateEngineNow(s.clockSync, frames.localNow(), s.timeline.latestT)
    // A running job (a 202's polls, a long poll) moves the axis and its row's time between its requests too.
    const live = s.timeline.inFlight > 0 || s.timeline.jobsRunning > 0
    const shown = clock.getState().readable
    // Held while live, unless a tick's worth has passed or the clock was set back (a new clock sync).
    const readable = live && now >= shown && now - shown < READABLE_EVERY_MS ? shown : now
    clock.setState({ now, readable })
    if (!live) return
    let due = READABLE_EVERY_MS - (now - readable)
    for (const pacer of clock.pacers) due = Math.min(due, pacer(now))
    if (!timers || due < FRAME_MS) onFrame()
    // Asleep until it is due, then the next frame: at most a frame late, never early (an early tick moves nothing).
    else handle = { timer: true, id: timers.after(onFrame, due) }
  }
  // Idle, a change ticks at once. Live and asleep, it wakes the clock on the next frame, not in the task that
  // made the change: a burst lands several batches a frame, and a tick in each was that many ticks a frame.
  const update = (): void => {
    if (handle === null) tick()
    else if (handle.timer) {
      cancel()
      onFrame()
    }
  }
  update()
  clock.repace = () => {
    if (handle?.timer) update()
  }
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.timeline !== prev.timeline || s.clockSync !== prev.clockSync || s.timeView !== prev.timeView)
      update()
  })
  return () => {
    unsubscribe()
    cancel()
    clock.repace = () => undefined
  }
}
