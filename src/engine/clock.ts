/**
 * One monotonic clock for every session of an engine, so bars line up across requests. `now()` is ms since
 * the clock's origin; `origin` is the wall-clock time (epoch ms) at t = 0.
 */
export interface Clock {
  readonly origin: number
  now(): number
}

/**
 * From `process.hrtime.bigint()` (nanoseconds), not `performance.now()`: node:perf_hooks and its ten modules,
 * which a Node that compiles its own modules compiles on every start, cost `flightdeck send` ~1 % of its
 * instructions for a clock this gives as well.
 */
export function createClock(): Clock {
  const base = process.hrtime.bigint()
  const origin = Date.now()
  return {
    origin,
    now: () => Number(process.hrtime.bigint() - base) / 1e6,
  }
}

const PROCESS_BASE = process.hrtime.bigint()

/**
 * Monotonic ms since this module loaded, for durations measured outside an engine's timeline (a job step's
 * polls, a webhook call's wait, a scan's slices): the same source as `createClock`, without node:perf_hooks.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() - PROCESS_BASE) / 1e6
}
