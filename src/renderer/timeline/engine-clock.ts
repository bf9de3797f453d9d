/**
 * The renderer's estimate of the engine's clock, so in-flight bars can grow to "now" between batches.
 * `app.info` reports the engine's `now`; it was read somewhere during the round trip, so the midpoint of the
 * local send and receive times is the best local moment to pin it to.
 */
export interface ClockSync {
  /** Engine ms at `localAt`. */
  engineAt: number
  /** performance.now() in the renderer at that moment. */
  localAt: number
}

export function syncFromInfo(engineNow: number, localSent: number, localReceived: number): ClockSync {
  return { engineAt: engineNow, localAt: (localSent + localReceived) / 2 }
}

/**
 * Engine now = engineAt + local time elapsed since. Never earlier than `floor` (the latest event t seen):
 * an estimate behind the events would draw in-flight segments with negative length.
 */
export function estimateEngineNow(sync: ClockSync | null, localNow: number, floor: number): number {
  if (!sync) return floor
  return Math.max(floor, sync.engineAt + (localNow - sync.localAt))
}
