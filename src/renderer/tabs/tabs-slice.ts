import type { StateCreator } from 'zustand/vanilla'
import type { AuthSpec, RequestContext, SavedRequest } from '../../shared/collection'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft, selectActiveTab } from './active-draft'
import { isTabDirty, scratchTab, tabFromFile, type RequestTab } from './request-tab'

/**
 * Requests open in tabs, each with its own draft (request-tab.ts). Switching tabs only changes which one is
 * active: every tab keeps its draft where it is. Saving and following the files on disk: tab-files-slice.ts.
 */

/** A header Flightdeck adds unless the request leaves it out. */
export type DefaultHeaderName = NonNullable<SavedRequest['options']['omitDefaultHeaders']>[number]

export interface TabsSlice {
  tabs: RequestTab[]
  activeTabId: string
  tabError: string | null
  newTab(): void
  openRequest(dir: string, path: string): Promise<void>
  /**
   * While a clicked request's file is read: a promise of it being shown, so Send acts on what was clicked. Null
   * when nothing is opening, so Send reads the draft in the same task (sends fired in one go each take their own).
   */
  pendingOpen(): Promise<void> | null
  /** The composer part (Params, Body, After response…) each open tab was left on; absent: its first part. */
  composerParts: Readonly<Record<string, string>>
  /**
   * Show `part` for the tab in front. Clicked while a request from the sidebar is still being read, it is for
   * the tab being opened (as Send is): the person clicked the part of what they had just chosen.
   */
  chooseComposerPart(part: string): void
  activateTab(id: string): void
  closeTab(id: string): void
  setTabName(name: string): void
  /**
   * The default headers the active request leaves out (its file's `omitDefaultHeaders`, which Send and Copy as
   * read from the tab's saved options): the tab is dirty until saved, and the save writes them.
   */
  setOmitDefaultHeaders(names: DefaultHeaderName[]): void
  /** A file moved (rename, move): tabs follow it. */
  retargetTabs(dir: string, from: string, to: string): void
  /** The auth and context `request.send` needs for the active tab. */
  sendScope(): { auth: AuthSpec; context?: RequestContext }
}

export function createTabsSlice(client: ApiClient): StateCreator<AppState, [], [], TabsSlice> {
  return (set, get) => {
    const first = scratchTab()
    // A click opens a request while its file is read; Send pressed meanwhile waits for it, and of two quick
    // clicks the later one is shown whichever file is read first.
    const opening = new Set<Promise<void>>()
    let lastOpen = 0

    /** Make `tab` (already in `tabs`) the active one: the composer shows its draft, in its collection's scope. */
    const show = (tab: RequestTab, tabs: RequestTab[]): void => {
      set({ tabs, activeTabId: tab.id, tabError: null, sendError: null })
      if (tab.dir) get().setActiveDir(tab.dir)
      void get().refreshScopeVars()
    }

    return {
      tabs: [first],
      activeTabId: first.id,
      tabError: null,
      composerParts: {},

      newTab: () => {
        const tab = scratchTab(get().tabs)
        show(tab, [...get().tabs, tab])
      },

      openRequest: (dir, path) => {
        const open = get().tabs.find((t) => t.dir === dir && t.path === path)
        const mine = ++lastOpen
        if (open) {
          get().activateTab(open.id)
          return Promise.resolve()
        }
        const reading = (async () => {
          const res = await client.invoke('collection.read', { dir, path })
          const latest = mine === lastOpen
          if (!res.ok) {
            if (latest) set({ tabError: res.error.message })
            return
          }
          const tab = tabFromFile(dir, path, res.value.request, res.value.version)
          // The same file opened twice before either read ended: one tab.
          const same = get().tabs.find((t) => t.dir === dir && t.path === path)
          if (same) {
            if (latest) get().activateTab(same.id)
            return
          }
          if (!latest) {
            set({ tabs: [...get().tabs, tab] })
            return
          }
          // An untouched "Untitled" tab is replaced rather than left behind.
          const cur = selectActiveTab(get())
          const tabs = get().tabs.filter((t) => !(cur && t.id === cur.id && !t.path && !isTabDirty(cur)))
          show(tab, [...tabs, tab])
        })()
        opening.add(reading)
        return reading.finally(() => opening.delete(reading))
      },

      pendingOpen: () => {
        if (opening.size === 0) return null
        return (async () => {
          while (opening.size > 0) await Promise.allSettled([...opening])
        })()
      },

      chooseComposerPart: (part) => {
        const keep = (): void =>
          set((s) => {
            // Only open tabs' choices are kept.
            const parts: Record<string, string> = {}
            for (const t of s.tabs) {
              const was = s.composerParts[t.id]
              if (was !== undefined) parts[t.id] = was
            }
            parts[s.activeTabId] = part
            return { composerParts: parts }
          })
        const opening = get().pendingOpen()
        if (opening) void opening.then(keep)
        else keep()
      },

      activateTab: (id) => {
        const s = get()
        if (id === s.activeTabId) return
        const tab = s.tabs.find((t) => t.id === id)
        if (tab) show(tab, s.tabs)
      },

      closeTab: (id) => {
        const s = get()
        const at = s.tabs.findIndex((t) => t.id === id)
        if (at === -1) return
        const rest = s.tabs.filter((t) => t.id !== id)
        if (rest.length === 0) rest.push(scratchTab())
        if (id !== s.activeTabId) {
          set({ tabs: rest })
          return
        }
        show(rest[Math.min(at, rest.length - 1)] as RequestTab, rest)
      },

      setTabName: (name) =>
        set((s) => ({
          tabs: s.tabs.map((t) => (t.id === s.activeTabId ? { ...t, extras: { ...t.extras, name } } : t)),
        })),

      setOmitDefaultHeaders: (names) =>
        set((s) => ({
          tabs: s.tabs.map((t) => {
            if (t.id !== s.activeTabId) return t
            const { omitDefaultHeaders: _was, ...rest } = t.baseOptions
            return { ...t, baseOptions: names.length > 0 ? { ...rest, omitDefaultHeaders: names } : rest }
          }),
        })),

      retargetTabs: (dir, from, to) =>
        set((s) => ({
          tabs: s.tabs.map((t) => {
            if (t.dir !== dir || t.path === null) return t
            if (t.path === from) return { ...t, path: to, conflict: null }
            if (t.path.startsWith(`${from}/`))
              return { ...t, path: to + t.path.slice(from.length), conflict: null }
            return t
          }),
        })),

      sendScope: () => {
        const s = get()
        const tab = selectActiveTab(s)
        const { auth } = selectActiveDraft(s)
        const dir = tab?.dir ?? s.activeDir
        if (!dir) return { auth }
        const env = s.envByDir[dir]
        const context: RequestContext = { dir, path: tab?.dir ? (tab.path ?? '') : '' }
        if (env) context.env = env
        return { auth, context }
      },
    }
  }
}
