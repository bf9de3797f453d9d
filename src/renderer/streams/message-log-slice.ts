import type { StateCreator } from 'zustand/vanilla'
import type { StreamFilter } from '../../shared/streams'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { emptyLogView, filterKey, MAX_SCAN_ASKS, MAX_WINDOW, readRange, type LogView } from './log-window'

/**
 * The message log of the selected stream session: a window of entries read from the engine by range (never the
 * whole log), following the newest or not, filtered in the engine, with one entry selected.
 */
export interface MessageLogSlice {
  logView: LogView | null
  /** Show `sid`'s log (a fresh window unless it is already shown). */
  showLog(sid: string): void
  /** Make sure rows `first..last` of the log (or of the filter's matches) are in the window. */
  readLog(first: number, last: number): Promise<void>
  /** Read the newest entries (follow mode, or "Jump to latest"). */
  readLogTail(rows: number): Promise<void>
  /** Go on with a filtered scan that stopped asking after MAX_SCAN_ASKS reads (`scanPaused`). */
  continueLogScan(rows: number): Promise<void>
  setLogFilter(filter: StreamFilter): void
  setLogFollow(follow: boolean): void
  selectLogEntry(seq: number | null): void
}

export function createMessageLogSlice(client: ApiClient): StateCreator<AppState, [], [], MessageLogSlice> {
  return (set, get) => {
    // One log read in flight at a time; a request that comes in meanwhile is kept (the latest wins) and run after.
    let reading = false
    let queued: (() => Promise<void>) | null = null
    const serial = async (run: () => Promise<void>): Promise<void> => {
      if (reading) {
        queued = run
        return
      }
      reading = true
      try {
        await run()
        for (let i = 0; i < 100 && queued; i++) {
          const next: () => Promise<void> = queued
          queued = null
          await next()
        }
      } finally {
        reading = false
      }
    }

    const readInto = async (sid: string, key: string, from: number, count: number): Promise<void> => {
      const view = get().logView
      if (!view || view.sid !== sid) return
      set({ logView: { ...view, loading: true } })
      const res = await client.invoke('stream.read', {
        sid,
        from,
        count: Math.max(1, Math.min(MAX_WINDOW, count)),
        maxData: 16 * 1024,
        ...(Object.keys(view.filter).length > 0 ? { filter: view.filter } : {}),
      })
      const now = get().logView
      // The person may have moved to another session or filter while this read was out.
      if (!now || now.sid !== sid || filterKey(now.filter) !== key) return
      if (!res.ok) {
        set({ logView: { ...now, loading: false, error: res.error } })
        return
      }
      set({
        logView: {
          ...now,
          from: res.value.from,
          entries: res.value.entries,
          total: res.value.total,
          complete: res.value.complete,
          scanned: res.value.scanned ?? null,
          dropped: res.value.dropped,
          cut: res.value.cut ?? null,
          loading: false,
          error: null,
        },
      })
    }

    // A filtered read scans the log for a bounded time and says `complete: false` until the scan reaches its
    // end: it is asked again (each ask scans further, so this ends) until complete, a newer read is waiting,
    // or MAX_SCAN_ASKS asks since the filter changed, when the view says it paused.
    let asks = 0
    const scanOn = async (sid: string, key: string, again: () => Promise<void>): Promise<void> => {
      for (let i = 0; i <= MAX_SCAN_ASKS; i++) {
        const v = get().logView
        if (!v || v.sid !== sid || filterKey(v.filter) !== key || v.complete || v.error || queued) return
        if (asks >= MAX_SCAN_ASKS) {
          set({ logView: { ...v, scanPaused: true } })
          return
        }
        asks++
        await again()
      }
    }

    const readTail = async (sid: string, key: string, rows: number): Promise<void> => {
      const v = get().logView
      if (!v || v.sid !== sid) return
      const lane = get().streamLanes[sid]
      // Unfiltered, the lane knows the log's length; filtered, ask from the last known match count.
      const total = Object.keys(v.filter).length === 0 ? (lane?.lastSeq ?? -1) + 1 : Math.max(v.total, 1)
      const count = Math.min(MAX_WINDOW, rows + 20)
      await readInto(sid, key, Math.max(0, total - count), count)
      // A filtered scan learns the real match count only now: read the true tail if it moved.
      const after = get().logView
      if (after && after.sid === sid && after.total > after.from + after.entries.length) {
        await readInto(sid, key, Math.max(0, after.total - count), count)
      }
    }

    return {
      logView: null,

      showLog: (sid) => {
        if (get().logView?.sid === sid) return
        asks = 0
        // The send box's last error belonged to the session shown before.
        set({ logView: emptyLogView(sid), wsError: null })
      },

      readLog: async (first, last) => {
        const view = get().logView
        if (!view) return
        const { sid } = view
        const key = filterKey(view.filter)
        await serial(async () => {
          const v = get().logView
          if (!v || v.sid !== sid) return
          const total = Math.max(
            v.total,
            get().streamLanes[sid] ? (get().streamLanes[sid]?.lastSeq ?? -1) + 1 : 0,
          )
          const { from, count } = readRange(first, last, total || last + 1)
          await readInto(sid, key, from, count)
          await scanOn(sid, key, () => readInto(sid, key, from, count))
        })
      },

      readLogTail: async (rows) => {
        const view = get().logView
        if (!view) return
        const { sid } = view
        const key = filterKey(view.filter)
        await serial(async () => {
          await readTail(sid, key, rows)
          await scanOn(sid, key, () => readTail(sid, key, rows))
        })
      },

      continueLogScan: async (rows) => {
        const view = get().logView
        if (!view?.scanPaused) return
        asks = 0
        set({ logView: { ...view, scanPaused: false } })
        const { sid } = view
        const key = filterKey(view.filter)
        await serial(async () => {
          const v = get().logView
          if (!v || v.sid !== sid) return
          const at = { from: v.from, count: Math.max(rows, v.entries.length) }
          const again = () => (v.follow ? readTail(sid, key, rows) : readInto(sid, key, at.from, at.count))
          await again()
          await scanOn(sid, key, again)
        })
      },

      setLogFilter: (filter) => {
        const view = get().logView
        if (!view) return
        const clean: StreamFilter = {}
        if (filter.text) clean.text = filter.text
        if (filter.dir) clean.dir = filter.dir
        if (filter.kinds && filter.kinds.length > 0) clean.kinds = filter.kinds
        if (filter.topic) clean.topic = filter.topic
        if (filterKey(clean) === filterKey(view.filter)) return
        asks = 0
        set({ logView: { ...emptyLogView(view.sid), filter: clean, follow: view.follow } })
      },
      setLogFollow: (follow) => {
        const view = get().logView
        if (view && view.follow !== follow) set({ logView: { ...view, follow } })
      },
      selectLogEntry: (selectedSeq) => {
        const view = get().logView
        if (view) set({ logView: { ...view, selectedSeq } })
      },
    }
  }
}
