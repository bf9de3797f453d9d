import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import { applyBatch, clearFinished, EMPTY_TIMELINE } from '../timeline/apply-batch'
import { applyLaneBatch, pruneLanes } from '../streams/lane-ticks'
import type { AppState, TimelineSlice } from './app-state'

export function createTimelineSlice(client: ApiClient): StateCreator<AppState, [], [], TimelineSlice> {
  return (set, get) => ({
    timeline: EMPTY_TIMELINE,
    applyTimelineBatch: (batch) => {
      const before = get().timeline
      const timeline = applyBatch(before, batch)
      // Stream sessions' lanes (ticks per message) change in the same store update.
      const lanesBefore = get().streamLanes
      const streamLanes = applyLaneBatch(lanesBefore, batch)
      if (timeline !== before || streamLanes !== lanesBefore) set({ timeline, streamLanes })
    },
    clearFinished: () =>
      set((s) => {
        const timeline = clearFinished(s.timeline, s.pinned)
        if (timeline === s.timeline) return {}
        const compareSids = s.compareSids.filter((sid) => timeline.rows[sid] !== undefined)
        // Cleared stream sessions take their lanes' ticks with them.
        const streamLanes = pruneLanes(s.streamLanes, (sid) => timeline.rows[sid] !== undefined)
        const keep = s.selectedSid !== null && timeline.rows[s.selectedSid] !== undefined
        return keep
          ? { timeline, compareSids, streamLanes }
          : { timeline, compareSids, streamLanes, selectedSid: null, body: null }
      }),
    cancel: async (sid) => {
      // The outcome arrives on the timeline as a `cancelled` event; a failed command is not worth a dialog.
      await client.invoke('session.cancel', { sid })
    },
  })
}
