import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import { syncFromInfo } from '../timeline/engine-clock'
import type { AppState, HostSlice } from './app-state'

export function createHostSlice(
  client: ApiClient,
  localNow: () => number,
): StateCreator<AppState, [], [], HostSlice> {
  return (set, get) => ({
    info: null,
    clockSync: null,
    hostError: null,
    connect: () => {
      const offBatches = client.on('timeline.batch', (batch) => get().applyTimelineBatch(batch))
      const offRuns = client.on('run.progress', (p) => get().applyRunProgress(p))
      const off = (): void => {
        offBatches()
        offRuns()
      }
      const sent = localNow()
      void client.invoke('app.info', {}).then((res) => {
        if (!res.ok) {
          set({ hostError: res.error })
          return
        }
        set({ info: res.value, clockSync: syncFromInfo(res.value.now, sent, localNow()), hostError: null })
      })
      return off
    },
  })
}
