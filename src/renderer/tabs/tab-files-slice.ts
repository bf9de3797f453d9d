import type { StateCreator } from 'zustand/vanilla'
import type { SavedRequest } from '../../shared/collection'
import type { ApiClient } from '../client/api-client'
import { afterSaveProblem } from '../async/after-response'
import { runFieldsOf } from '../composer/run-draft'
import { firstRunError } from '../composer/run-draft-errors'
import type { AppState } from '../store/app-state'
import { selectActiveTab } from './active-draft'
import { savedKey } from './draft-convert'
import { defaultRequestName, tabContent, withFile, type RequestTab } from './request-tab'

/**
 * Tabs and their files: saving (Save as for a request not saved yet), and following changes made on disk. A
 * file that changes under a clean tab is reloaded; under a dirty one the tab is marked `conflict` and the
 * person chooses.
 */

export interface TabFilesSlice {
  /** Ctrl/Cmd+S. A request not saved yet asks where first (`saveAs`). */
  saveActiveTab(): Promise<void>
  /** The tab whose "Save as" dialog is open (collection, folder and name to choose), if any. */
  saveAs: { tabId: string; name: string } | null
  /** Write the "Save as" tab as a new request file in `dir`, inside `folder` ('' for the root), as `name`. */
  saveTabAs(dir: string, folder: string, name: string): Promise<boolean>
  cancelSaveAs(): void
  /** Conflict: take the file as it is on disk now. */
  reloadActiveTab(): Promise<void>
  /** Conflict: write this tab over what is on disk. */
  overwriteActiveTab(): Promise<void>
  /** Re-read tabs whose files changed on disk (called with each `collection.changed`). */
  syncTabsWithDisk(dir: string, changed: readonly string[], existing: ReadonlySet<string>): Promise<void>
}

export function createTabFilesSlice(client: ApiClient): StateCreator<AppState, [], [], TabFilesSlice> {
  return (set, get) => {
    const patchTab = (id: string, patch: Partial<RequestTab>): void =>
      set((s) => ({ tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...patch } : t)) }))

    /** Replace a tab's content with the file's (the file is the truth). */
    const loadInto = (id: string, req: SavedRequest, version: string): void =>
      set((s) => ({ tabs: s.tabs.map((t) => (t.id === id ? withFile(t, req, version) : t)) }))

    const write = async (tab: RequestTab, baseVersion: string | null): Promise<void> => {
      // The Tests and After response tabs' fields are checked here, so a half-typed status or a broken regex
      // is named, not written.
      const { draft } = tab
      const problem =
        firstRunError(draft.run, draft.kind) ??
        afterSaveProblem(draft.after, draft.kind, tab.extras.other.waitForWebhook !== undefined)
      if (problem) {
        set({ tabError: problem })
        return
      }
      const content = tabContent(tab)
      const key = savedKey(content)
      if (tab.dir && tab.path) {
        patchTab(tab.id, { pendingKey: key })
        const res = await client.invoke('collection.save', {
          dir: tab.dir,
          path: tab.path,
          request: content,
          baseVersion,
        })
        if (!res.ok) {
          patchTab(tab.id, {
            pendingKey: null,
            ...(res.error.code === 'conflict' ? { conflict: 'changed' as const } : {}),
          })
          set({ tabError: res.error.message })
          return
        }
        patchTab(tab.id, {
          savedKey: key,
          version: res.value.version,
          conflict: null,
          pendingKey: null,
          baseRun: runFieldsOf(content),
        })
        set({ tabError: null })
        return
      }
      // A new request: the person says where and under what name (Save as), as other API clients ask.
      const name =
        content.name === 'Untitled' ? defaultRequestName(content.method, content.url) : content.name
      set({ saveAs: { tabId: tab.id, name }, tabError: null })
    }

    const createFrom = async (
      tab: RequestTab,
      dir: string,
      folder: string,
      name: string,
    ): Promise<boolean> => {
      const named = { ...tabContent(tab), name }
      const res = await client.invoke('collection.createRequest', { dir, folder, request: named })
      if (!res.ok) {
        set({ tabError: res.error.message })
        return false
      }
      const read = await client.invoke('collection.read', { dir, path: res.value.path })
      if (read.ok) {
        patchTab(tab.id, { dir, path: res.value.path })
        loadInto(tab.id, read.value.request, read.value.version)
      }
      set({ tabError: null })
      return true
    }

    return {
      saveAs: null,

      saveTabAs: async (dir, folder, name) => {
        const pending = get().saveAs
        const tab = get().tabs.find((t) => t.id === pending?.tabId)
        if (!tab) {
          set({ saveAs: null })
          return false
        }
        const saved = await createFrom(tab, dir, folder, name.trim() || 'request')
        if (saved) {
          set({ saveAs: null })
          get().setActiveDir(dir)
        }
        return saved
      },
      cancelSaveAs: () => set({ saveAs: null }),

      saveActiveTab: async () => {
        const tab = selectActiveTab(get())
        if (!tab) return
        if (tab.conflict === 'changed') {
          set({
            tabError: 'This request changed on disk: reload it, or overwrite the file with your version.',
          })
          return
        }
        await write(tab, tab.conflict === 'deleted' ? null : tab.version)
      },

      reloadActiveTab: async () => {
        const tab = selectActiveTab(get())
        if (!tab?.dir || !tab.path) return
        const res = await client.invoke('collection.read', { dir: tab.dir, path: tab.path })
        if (!res.ok) {
          set({ tabError: res.error.message })
          return
        }
        loadInto(tab.id, res.value.request, res.value.version)
      },

      overwriteActiveTab: async () => {
        const tab = selectActiveTab(get())
        if (!tab) return
        await write({ ...tab, conflict: null }, null)
      },

      syncTabsWithDisk: async (dir, changed, existing) => {
        const affected = get().tabs.filter(
          (t) => t.dir === dir && t.path !== null && changed.includes(t.path),
        )
        for (const tab of affected.slice(0, 100)) {
          const path = tab.path as string
          if (!existing.has(path)) {
            patchTab(tab.id, { conflict: 'deleted' })
            continue
          }
          const res = await client.invoke('collection.read', { dir, path })
          if (!res.ok) continue
          const now = get().tabs.find((t) => t.id === tab.id)
          if (!now) continue
          const diskKey = savedKey(res.value.request)
          const currentKey = savedKey(tabContent(now))
          if (diskKey === currentKey || diskKey === now.pendingKey) {
            patchTab(now.id, {
              savedKey: diskKey,
              version: res.value.version,
              conflict: null,
              baseRun: runFieldsOf(res.value.request),
            })
          } else if (currentKey === now.savedKey) {
            loadInto(now.id, res.value.request, res.value.version)
          } else {
            patchTab(now.id, { conflict: 'changed' })
          }
        }
      },
    }
  }
}
