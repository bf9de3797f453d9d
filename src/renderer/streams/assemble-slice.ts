import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { assembleEntries, emptyAssembled, type Assembled } from './assemble'

export const DEFAULT_ASSEMBLE_PATH = 'choices[0].delta.content'

/**
 * The SSE assemble view: one session's events folded into one text along a JSON path (an LLM's tokens into its
 * answer), read from the engine's log in pages as messages arrive.
 */
export interface AssembleSlice {
  assembled: (Assembled & { sid: string }) | null
  setAssemblePath(sid: string, path: string): void
  /** Fold newly arrived log entries into the assembled text (no-op when caught up or already reading). */
  pumpAssemble(): Promise<void>
}

export function createAssembleSlice(client: ApiClient): StateCreator<AppState, [], [], AssembleSlice> {
  return (set, get) => {
    let pumping = false
    return {
      assembled: null,

      setAssemblePath: (sid, path) => {
        const current = get().assembled
        if (current && current.sid === sid && current.path === path) return
        set({ assembled: { ...emptyAssembled(path), sid } })
        void get().pumpAssemble()
      },
      pumpAssemble: async () => {
        if (pumping) return
        pumping = true
        try {
          // Bounded: at most 200 pages (400,000 events) per call; the next message arriving calls again.
          for (let page = 0; page < 200; page++) {
            const a = get().assembled
            if (!a) return
            const lane = get().streamLanes[a.sid]
            if (!lane || a.nextSeq > lane.lastSeq) return
            const res = await client.invoke('stream.read', {
              sid: a.sid,
              from: a.nextSeq,
              count: 2000,
              maxData: 64 * 1024,
            })
            const now = get().assembled
            if (!res.ok || !now || now.sid !== a.sid || now.path !== a.path) return
            if (res.value.entries.length === 0) return
            set({ assembled: { ...assembleEntries(now, res.value.entries), sid: a.sid } })
          }
        } finally {
          pumping = false
        }
      },
    }
  }
}
