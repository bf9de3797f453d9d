import type { StateCreator } from 'zustand/vanilla'
import type { AppState } from '../store/app-state'
import { EMPTY_LANES, type LaneMap } from './lane-ticks'

/**
 * Every stream session's lane: tick buckets, attempts, the last message's seq. The timeline slice writes them
 * (one `applyTimelineBatch` updates rows and lanes together, in one store update); the waterfall's lane painter,
 * the details pane and the message log read them.
 */
export interface StreamLanesSlice {
  streamLanes: LaneMap
}

export function createStreamLanesSlice(): StateCreator<AppState, [], [], StreamLanesSlice> {
  return () => ({ streamLanes: EMPTY_LANES })
}
