import type { StateCreator } from 'zustand/vanilla'
import { isInFlight, jobRunning } from '../timeline/session-row'
import type { AppState, DetailsTab, SelectionSlice } from './app-state'

const TAB_KEY = 'flightdeck.detailsTab'
const TABS: readonly DetailsTab[] = ['overview', 'headers', 'cookies', 'timing', 'response', 'scripts']

/** The details tab the person last chose (a UI preference in the page's storage), else the response. */
function rememberedTab(): DetailsTab {
  try {
    const v = globalThis.localStorage?.getItem(TAB_KEY)
    return TABS.find((t) => t === v) ?? 'response'
  } catch {
    return 'response'
  }
}

function rememberTab(tab: DetailsTab): void {
  try {
    globalThis.localStorage?.setItem(TAB_KEY, tab)
  } catch {
    // Storage may be full or refused (a sandboxed page): the choice then lasts for this page only.
  }
}

export function createSelectionSlice(): StateCreator<AppState, [], [], SelectionSlice> {
  return (set, get) => {
    const show = (sid: string | null, followingSid: string | null): void =>
      set((s) => {
        if (s.selectedSid === sid) return s.followingSid === followingSid ? {} : { followingSid }
        // The body pane holds one body: the newly selected row's is read when it is shown. A copy's note was
        // about the row read before ("Copied the body", "Copied the value of …"): it goes with it.
        const copyNote = null
        return s.body && s.body.sid !== sid
          ? { selectedSid: sid, body: null, followingSid, copyNote }
          : { selectedSid: sid, followingSid, copyNote }
      })
    return {
      selectedSid: null,
      followingSid: null,
      detailsTab: rememberedTab(),
      select: (sid) => show(sid, null),
      selectSent: (sid) => show(sid, sid),
      moveSelection: (delta) => {
        const { order } = get().timeline
        if (order.length === 0) return
        const at = get().selectedSid === null ? -1 : order.indexOf(get().selectedSid ?? '')
        const next =
          at === -1
            ? delta >= 0
              ? 0
              : order.length - 1
            : Math.min(order.length - 1, Math.max(0, at + delta))
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
      setDetailsTab: (detailsTab) => {
        rememberTab(detailsTab)
        set({ detailsTab, followingSid: null })
      },
    }
  }
}

/**
 * The details tab on screen: a single send's row opens on its response (what the person wants to read next);
 * any other row on the tab the person last chose.
 */
export function shownDetailsTab(s: AppState): DetailsTab {
  return s.followingSid !== null && s.followingSid === s.selectedSid ? 'response' : s.detailsTab
}

/**
 * Keeps a single send's selection on its newest hop: when the followed row ends in a redirect, the next hop
 * is selected. Called after every store change (a cheap check: one row lookup).
 */
export function followRedirectSelection(s: AppState): void {
  const sid = s.followingSid
  if (sid === null || s.selectedSid !== sid) return
  const term = s.timeline.rows[sid]?.terminal
  if (term?.type === 'redirect') s.selectSent(term.next)
}
