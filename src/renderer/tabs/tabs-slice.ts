import type { StateCreator } from 'zustand/vanilla'
import {
  emptySavedRequest,
  type AuthSpec,
  type RequestContext,
  type SavedRequest,
} from '../../shared/collection'
import type { ApiClient } from '../client/api-client'
import { emptyDraft, type ComposerDraft } from '../composer/composer-draft'
import { afterSaveProblem } from '../async/after-response'
import { firstRunError, runFieldsOf, type RunFields } from '../composer/run-draft'
import type { AppState } from '../store/app-state'
import { splitProtocols } from '../streams/streams-slice'
import { draftToSaved, extrasOf, savedKey, savedToDraft, type TabExtras } from './draft-convert'

/**
 * Requests open in tabs. The active tab's live draft is the composer's (`composer`, `tabAuth`); other tabs keep
 * theirs in `draft`/`auth`. A tab is dirty when what it would write differs from what the file holds
 * (`savedKey`). A file that changes on disk under a clean tab is reloaded; under a dirty one the tab is marked
 * `conflict` and the person chooses.
 */

export type TabConflict = 'changed' | 'deleted' | null

export interface RequestTab {
  id: string
  /** The collection and file, or null for a request not saved yet. */
  dir: string | null
  path: string | null
  extras: TabExtras
  auth: AuthSpec
  /** Stale while the tab is active: the live draft is `composer`. */
  draft: ComposerDraft
  baseOptions: SavedRequest['options']
  /** The file's run fields as last read or written (a field emptied in the tab must be written to go). */
  baseRun: RunFields
  savedKey: string
  version: string | null
  conflict: TabConflict
  /** The content a save in flight is writing, so its own change event is not taken for someone else's. */
  pendingKey: string | null
}

export interface TabsSlice {
  tabs: RequestTab[]
  activeTabId: string
  /** The active tab's auth as edited. */
  tabAuth: AuthSpec
  tabError: string | null
  newTab(): void
  openRequest(dir: string, path: string): Promise<void>
  activateTab(id: string): void
  closeTab(id: string): void
  setAuth(auth: AuthSpec): void
  setTabName(name: string): void
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
  /** A file moved (rename, move): tabs follow it. */
  retargetTabs(dir: string, from: string, to: string): void
  /** The auth and context `request.send` needs for the active tab. */
  sendScope(): { auth: AuthSpec; context?: RequestContext }
}

let nextTab = 1

function scratchTab(): RequestTab {
  const extras = extrasOf(emptySavedRequest('Untitled'))
  const draft = emptyDraft()
  return {
    id: `t${nextTab++}`,
    dir: null,
    path: null,
    extras,
    auth: { type: 'inherit' },
    draft,
    baseOptions: {},
    baseRun: {},
    savedKey: savedKey(draftToSaved(draft, { type: 'inherit' }, extras, {})),
    version: null,
    conflict: null,
    pendingKey: null,
  }
}

function tabFromFile(dir: string, path: string, req: SavedRequest, version: string): RequestTab {
  return {
    id: `t${nextTab++}`,
    dir,
    path,
    extras: extrasOf(req),
    auth: req.auth,
    draft: savedToDraft(req),
    baseOptions: req.options,
    baseRun: runFieldsOf(req),
    savedKey: savedKey(req),
    version,
    conflict: null,
    pendingKey: null,
  }
}

/** The active tab's extras as the composer has them now. */
function liveExtras(s: AppState, tab: RequestTab): TabExtras {
  const protocols =
    s.composeMode === 'ws' ? splitProtocols(s.streamCompose.wsProtocols) : tab.extras.protocols
  return { ...tab.extras, kind: s.composeMode, protocols }
}

/** What the tab would write now. */
export function tabContent(s: AppState, tab: RequestTab): SavedRequest {
  const active = tab.id === s.activeTabId
  // The active tab's kind is whatever the composer is set to send (HTTP, SSE or WebSocket), and a WebSocket
  // request keeps the subprotocols typed in the stream options.
  const extras = active ? liveExtras(s, tab) : tab.extras
  return draftToSaved(
    active ? s.composer : tab.draft,
    active ? s.tabAuth : tab.auth,
    extras,
    tab.baseOptions,
    tab.baseRun,
  )
}

export function isTabDirty(s: AppState, tab: RequestTab): boolean {
  return savedKey(tabContent(s, tab)) !== tab.savedKey
}

/** A readable default name for a new request: "GET users" from GET {{base}}/users?page=1. */
export function defaultRequestName(method: string, url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? ''
  const last = path
    .split('/')
    .filter((p) => p !== '' && !p.startsWith('{{'))
    .pop()
  return `${method} ${last ?? 'request'}`.slice(0, 120)
}

export function createTabsSlice(client: ApiClient): StateCreator<AppState, [], [], TabsSlice> {
  return (set, get) => {
    const first = scratchTab()

    const active = (): RequestTab | undefined => get().tabs.find((t) => t.id === get().activeTabId)
    const patchTab = (id: string, patch: Partial<RequestTab>): void =>
      set((s) => ({ tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...patch } : t)) }))

    /** Put the live composer back into the active tab before another becomes active. */
    const stash = (s: AppState): RequestTab[] =>
      s.tabs.map((t) =>
        t.id === s.activeTabId ? { ...t, draft: s.composer, auth: s.tabAuth, extras: liveExtras(s, t) } : t,
      )

    const show = (tab: RequestTab, tabs: RequestTab[]): void => {
      set({
        tabs,
        activeTabId: tab.id,
        composer: tab.draft,
        tabAuth: tab.auth,
        composeMode: tab.extras.kind,
        streamCompose: { ...get().streamCompose, wsProtocols: tab.extras.protocols.join(', ') },
        tabError: null,
        sendError: null,
      })
      if (tab.dir) get().setActiveDir(tab.dir)
      void get().refreshScopeVars()
    }

    /** Replace a tab's content with the file's (the file is the truth). */
    const loadInto = (id: string, req: SavedRequest, version: string): void => {
      const fresh = savedToDraft(req)
      set((s) => ({
        tabs: s.tabs.map((t) =>
          t.id === id
            ? {
                ...t,
                extras: extrasOf(req),
                auth: req.auth,
                draft: fresh,
                baseOptions: req.options,
                baseRun: runFieldsOf(req),
                savedKey: savedKey(req),
                version,
                conflict: null,
                pendingKey: null,
              }
            : t,
        ),
        ...(s.activeTabId === id
          ? {
              composer: fresh,
              tabAuth: req.auth,
              composeMode: req.kind,
              streamCompose: { ...s.streamCompose, wsProtocols: req.protocols.join(', ') },
            }
          : {}),
      }))
    }

    const write = async (tab: RequestTab, baseVersion: string | null): Promise<void> => {
      const s = get()
      // The Tests and After response tabs' fields are checked here, so a half-typed status or a broken regex
      // is named, not written.
      const draft = tab.id === s.activeTabId ? s.composer : tab.draft
      const kind = tab.id === s.activeTabId ? s.composeMode : tab.extras.kind
      const problem =
        firstRunError(draft.run, kind) ??
        afterSaveProblem(draft.after, kind, tab.extras.other.waitForWebhook !== undefined)
      if (problem) {
        set({ tabError: problem })
        return
      }
      const content = tabContent(s, tab)
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
      const named = { ...tabContent(get(), tab), name }
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
      tabs: [first],
      activeTabId: first.id,
      tabAuth: first.auth,
      tabError: null,
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

      newTab: () => {
        const tab = scratchTab()
        show(tab, [...stash(get()), tab])
      },

      openRequest: async (dir, path) => {
        const open = get().tabs.find((t) => t.dir === dir && t.path === path)
        if (open) {
          get().activateTab(open.id)
          return
        }
        const res = await client.invoke('collection.read', { dir, path })
        if (!res.ok) {
          set({ tabError: res.error.message })
          return
        }
        const tab = tabFromFile(dir, path, res.value.request, res.value.version)
        // An untouched "Untitled" tab is replaced rather than left behind.
        const s = get()
        const cur = active()
        const tabs = stash(s).filter((t) => !(cur && t.id === cur.id && !t.path && !isTabDirty(s, cur)))
        show(tab, [...tabs, tab])
      },

      activateTab: (id) => {
        const s = get()
        if (id === s.activeTabId) return
        const tab = s.tabs.find((t) => t.id === id)
        if (!tab) return
        show(tab, stash(s))
      },

      closeTab: (id) => {
        const s = get()
        const tabs = stash(s)
        const at = tabs.findIndex((t) => t.id === id)
        if (at === -1) return
        const rest = tabs.filter((t) => t.id !== id)
        if (rest.length === 0) rest.push(scratchTab())
        if (id !== s.activeTabId) {
          set({ tabs: rest })
          return
        }
        show(rest[Math.min(at, rest.length - 1)] as RequestTab, rest)
      },

      setAuth: (tabAuth) => set({ tabAuth }),
      setTabName: (name) => {
        const tab = active()
        if (tab) patchTab(tab.id, { extras: { ...tab.extras, name } })
      },

      saveActiveTab: async () => {
        const tab = active()
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
        const tab = active()
        if (!tab?.dir || !tab.path) return
        const res = await client.invoke('collection.read', { dir: tab.dir, path: tab.path })
        if (!res.ok) {
          set({ tabError: res.error.message })
          return
        }
        loadInto(tab.id, res.value.request, res.value.version)
      },

      overwriteActiveTab: async () => {
        const tab = active()
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
          const currentKey = savedKey(tabContent(get(), now))
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
        const tab = active()
        const dir = tab?.dir ?? s.activeDir
        if (!dir) return { auth: s.tabAuth }
        const env = s.envByDir[dir]
        const context: RequestContext = { dir, path: tab?.dir ? (tab.path ?? '') : '' }
        if (env) context.env = env
        return { auth: s.tabAuth, context }
      },
    }
  }
}
