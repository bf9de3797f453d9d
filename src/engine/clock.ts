import { performance } from 'node:perf_hooks'

/**
 * One monotonic clock for every session of an engine, so bars line up across requests. `now()` is ms since
 * the clock's origin; `origin` is the wall-clock time (epoch ms) at t = 0.
 */
export interface Clock {
  readonly origin: number
  now(): number
}

export function createClock(): Clock {
  const base = performance.now()
  const origin = Date.now()
  return {
    origin,
    now: () => performance.now() - base,
  }
}
