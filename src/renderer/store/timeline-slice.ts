import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import { applyBatch, clearFinished, EMPTY_TIMELINE } from '../timeline/apply-batch'
import type { AppState, TimelineSlice } from './app-state'

export function createTimelineSlice(client: ApiClient): StateCreator<AppState, [], [], TimelineSlice> {
  return (set, get) => ({
    timeline: EMPTY_TIMELINE,
    applyTimelineBatch: (batch) => {
      const before = get().timeline
      const timeline = applyBatch(before, batch)
      if (timeline !== before) set({ timeline })
    },
    clearFinished: () =>
      set((s) => {
        const timeline = clearFinished(s.timeline)
        if (timeline === s.timeline) return {}
        const keep = s.selectedSid !== null && timeline.rows[s.selectedSid] !== undefined
        return keep ? { timeline } : { timeline, selectedSid: null, body: null }
      }),
    cancel: async (sid) => {
      // The outcome arrives on the timeline as a `cancelled` event; a failed command is not worth a dialog.
      await client.invoke('session.cancel', { sid })
    },
  })
}
