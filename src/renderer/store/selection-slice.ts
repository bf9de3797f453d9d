import type { StateCreator } from 'zustand/vanilla'
import { isInFlight, jobRunning } from '../timeline/session-row'
import type { AppState, SelectionSlice } from './app-state'

export function createSelectionSlice(): StateCreator<AppState, [], [], SelectionSlice> {
  return (set, get) => ({
    selectedSid: null,
    detailsTab: 'overview',
    select: (sid) =>
      set((s) => {
        if (s.selectedSid === sid) return {}
        // The body pane holds one body: the newly selected row's is read when it is shown.
        return s.body && s.body.sid !== sid ? { selectedSid: sid, body: null } : { selectedSid: sid }
      }),
    moveSelection: (delta) => {
      const { order } = get().timeline
      if (order.length === 0) return
      const at = get().selectedSid === null ? -1 : order.indexOf(get().selectedSid ?? '')
      const next =
        at === -1 ? (delta >= 0 ? 0 : order.length - 1) : Math.min(order.length - 1, Math.max(0, at + delta))
      get().select(order[next] ?? null)
    },
    selectEdge: (edge) => {
      const { order } = get().timeline
      get().select((edge === 'first' ? order[0] : order[order.length - 1]) ?? null)
    },
    cancelSelected: async () => {
      const { selectedSid, timeline } = get()
      const row = selectedSid === null ? undefined : timeline.rows[selectedSid]
      // A running job (or long poll) is cancelled through the row that started it.
      if (row && (isInFlight(row) || jobRunning(row))) await get().cancel(row.sid)
    },
    setDetailsTab: (detailsTab) => set({ detailsTab }),
  })
}
