import { useEffect, type RefObject } from 'react'
import { useAppStore, useAppStoreApi, useLiveClockApi, useLiveNow } from '../store/store-context'
import { AXIS_TICKS, computeAxis, percentPerMs, tickStep, type Axis } from './time-axis'

/**
 * Keep the grid's CSS variables in step with the axis: `--t0` (origin, engine ms), `--k` (% of the track per
 * ms), `--now`, and `--tick-step` (the header's tick spacing, for the rows' grid lines). Written straight to the element on each clock tick, so rows never re-render for time.
 */
export function useAxisVars(ref: RefObject<HTMLElement | null>): void {
  const store = useAppStoreApi()
  const clock = useLiveClockApi()
  useEffect(() => {
    const write = (): void => {
      const el = ref.current
      if (!el) return
      const { origin, maxT, inFlight } = store.getState().timeline
      const now = clock.getState().now
      const axis = computeAxis({ origin, maxT, inFlight, now })
      if (!axis) return
      el.style.setProperty('--t0', String(axis.origin))
      el.style.setProperty('--k', String(percentPerMs(axis)))
      el.style.setProperty('--now', String(Math.max(now, maxT ?? now)))
      el.style.setProperty('--tick-step', `${tickStep(axis, AXIS_TICKS) * percentPerMs(axis)}%`)
    }
    write()
    const offApp = store.subscribe((s, prev) => {
      if (s.timeline !== prev.timeline) write()
    })
    const offClock = clock.subscribe(write)
    return () => {
      offApp()
      offClock()
    }
  }, [ref, store, clock])
}

/** The axis for components that draw it (the tick header); re-renders per clock tick while in flight. */
export function useAxis(): Axis | null {
  const origin = useAppStore((s) => s.timeline.origin)
  const maxT = useAppStore((s) => s.timeline.maxT)
  const inFlight = useAppStore((s) => s.timeline.inFlight)
  const now = useLiveNow()
  return computeAxis({ origin, maxT, inFlight, now })
}
