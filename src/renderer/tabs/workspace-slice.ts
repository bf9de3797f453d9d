import type { StateCreator, StoreApi } from 'zustand/vanilla'
import type { LastSessionInfo } from '../../shared/workspace-schemas'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { isTabDirty, numberUntitled, type RequestTab } from './request-tab'
import { restoreTabs, snapshotWorkspace } from './workspace'

export interface WorkspaceSlice {
  /** The saved workspace was read and applied (or there was none): from now on changes are saved. */
  workspaceRestored: boolean
  /** The timeline the engine kept when it last stopped, offered back at start; null when none or dismissed. */
  lastSession: LastSessionInfo | null
  lastSessionError: string | null
  /** Read the saved workspace and bring its tabs back (once, at start). */
  restoreWorkspace(): Promise<void>
  openLastSession(): Promise<void>
  dismissLastSession(): void
}

/**
 * A window nobody has used yet: its only tab an untouched Untitled, no composer part chosen, no request being
 * opened, no collection chosen since `choicesAtStart` (the restore's start). Anything the person did before the
 * saved workspace arrived (a part clicked, a request or a collection clicked in the sidebar, a tab opened, a key
 * typed) counts, so a late restore adds the saved tabs beside theirs instead.
 */
function pristine(s: AppState, choicesAtStart: number): boolean {
  const only = s.tabs[0]
  if (s.tabs.length !== 1 || only === undefined || only.path !== null || isTabDirty(only)) return false
  if (s.activeDirChoices !== choicesAtStart) return false
  return Object.keys(s.composerParts).length === 0 && s.pendingOpen() === null
}

const sameFile = (a: RequestTab, b: RequestTab): boolean =>
  a.path !== null && a.dir === b.dir && a.path === b.path

/**
 * The person's tabs, then the saved ones that are not already open. A file open in both shows the saved draft in
 * the person's tab (same id, so it stays in front with its chosen part) unless the person changed it already:
 * then theirs is kept, and `dropped` names the file whose saved draft was not brought back.
 */
function joinTabs(
  mine: readonly RequestTab[],
  saved: readonly RequestTab[],
): { tabs: RequestTab[]; dropped: string[] } {
  const dropped: string[] = []
  const joined = mine.map((tab) => {
    const twin = saved.find((t) => sameFile(t, tab))
    if (twin === undefined) return tab
    if (!isTabDirty(tab)) return { ...twin, id: tab.id }
    if (isTabDirty(twin)) dropped.push(twin.path ?? '')
    return tab
  })
  const rest = saved.filter((t) => !mine.some((m) => sameFile(m, t)))
  return { tabs: numberUntitled([...joined, ...rest]), dropped }
}

export function createWorkspaceSlice(client: ApiClient): StateCreator<AppState, [], [], WorkspaceSlice> {
  return (set, get) => ({
    workspaceRestored: false,
    lastSession: null,
    lastSessionError: null,

    restoreWorkspace: async () => {
      if (get().workspaceRestored) return
      const choicesAtStart = get().activeDirChoices
      const res = await client.invoke('workspace.get', {})
      if (!res.ok) {
        set({ workspaceRestored: true })
        return
      }
      const { workspace, problem, lastSession } = res.value
      const notes = [...(problem ? [`The saved workspace was not restored: ${problem}.`] : [])]
      if (workspace) {
        const tabs = await restoreTabs(workspace, async (dir, path) => {
          const read = await client.invoke('collection.read', { dir, path })
          return read.ok ? read.value : null
        })
        notes.push(...workspace.notes)
        const active = tabs[Math.min(workspace.activeTab, tabs.length - 1)]
        const fresh = pristine(get(), choicesAtStart)
        if (!fresh) {
          // The person started before the restore finished: their tab stays in front, the saved ones join it.
          const { tabs: joined, dropped } = joinTabs(get().tabs, tabs)
          set({ tabs: joined })
          for (const path of dropped)
            notes.push(`"${path}" had unsaved changes last time; the ones made since the start were kept.`)
        } else if (active) {
          // Every tab goes in, then the active one is shown through the tabs slice's own path (its scope).
          set({ tabs: numberUntitled(tabs), activeTabId: '' })
          get().activateTab(active.id)
        }
        set((s) => ({
          ...(fresh ? { sendCount: workspace.sendCount, traceSends: workspace.trace === true } : {}),
          // The host's and this page's memory of the environment are at least as fresh as the workspace.
          envByDir: { ...workspace.envByDir, ...s.envByDir },
        }))
        const dir = workspace.activeDir
        if (fresh && dir !== null) {
          // The saved tab shown above chose its own collection; one the person chooses while the list is read wins.
          const choices = get().activeDirChoices
          const list = await client.invoke('collection.list', {})
          const open = list.ok && list.value.open.some((c) => c.dir === dir)
          if (open && get().activeDirChoices === choices) get().setActiveDir(dir)
        }
      }
      set({
        workspaceRestored: true,
        lastSession,
        ...(notes.length > 0 ? { tabError: notes.join(' ') } : {}),
      })
    },

    openLastSession: async () => {
      const res = await client.invoke('workspace.openLastSession', {})
      if (!res.ok) {
        set({ lastSessionError: res.error.message })
        return
      }
      set({ lastSession: null, lastSessionError: null })
    },

    dismissLastSession: () => set({ lastSession: null, lastSessionError: null }),
  })
}

/**
 * What a workspace save depends on: any other change (the timeline, a body page) does not save. Every open
 * request's draft is in its tab, so the tabs are all a save reads of them.
 */
function savedParts(s: AppState): unknown[] {
  return [s.tabs, s.activeTabId, s.activeDir, s.envByDir, s.sendCount, s.traceSends]
}

/** A change that is not typing: a tab saved, opened, closed or switched, another collection or environment. */
function settled(s: AppState, prev: AppState): boolean {
  if (s.activeTabId !== prev.activeTabId || s.tabs.length !== prev.tabs.length) return true
  if (s.activeDir !== prev.activeDir || s.envByDir !== prev.envByDir) return true
  return s.tabs.some((t, i) => {
    const p = prev.tabs[i]
    return p === undefined || p.id !== t.id || p.path !== t.path || p.savedKey !== t.savedKey
  })
}

/** Longest the warm-up waits for an idle moment after start. */
const WARM_TIMEOUT_MS = 2000

/**
 * Runs `work` once, when the page is next idle (at the latest after WARM_TIMEOUT_MS). The first save builds the
 * workspace's zod schemas (~20 ms), and the first save is usually made by the first sends, inside their burst;
 * a snapshot taken while the page is idle after start builds them there instead. Where there is no
 * requestIdleCallback (not a browser) nothing is run: the first save builds them, as it always could.
 */
function warmWhenIdle(work: () => unknown): { cancel(): void } {
  if (typeof requestIdleCallback !== 'function') return { cancel: () => undefined }
  const id = requestIdleCallback(() => void work(), { timeout: WARM_TIMEOUT_MS })
  return { cancel: () => cancelIdleCallback(id) }
}

export interface AutosaveOptions {
  /** Quiet time after a change before it is saved. */
  debounceMs?: number
  /** Longest a save waits while changes keep coming (typing without pause). */
  maxWaitMs?: number
}

/**
 * Save the workspace after changes: debounced (never on every keystroke), skipped when nothing saved changed.
 * Returns `flush` (for pagehide/beforeunload) and `stop`.
 */
export function autosaveWorkspace(
  store: StoreApi<AppState>,
  client: ApiClient,
  options: AutosaveOptions = {},
): { flush(): Promise<void>; stop(): void } {
  const debounceMs = options.debounceMs ?? 500
  const maxWaitMs = options.maxWaitMs ?? 2000
  let timer: ReturnType<typeof setTimeout> | null = null
  let firstChangeAt: number | null = null
  let lastText = ''
  let lastError = ''
  let saving: Promise<void> = Promise.resolve()
  const warm = warmWhenIdle(() => snapshotWorkspace(store.getState()))

  const flush = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    firstChangeAt = null
    const s = store.getState()
    if (!s.workspaceRestored) return saving
    const workspace = snapshotWorkspace(s)
    const text = JSON.stringify(workspace)
    if (text === lastText) return saving
    lastText = text
    // Sent at once, not after a save still in flight: a flush on pagehide must leave before the page does, and
    // the engine writes saves one at a time in the order they arrive.
    const sent = client.invoke('workspace.save', { workspace }).then((res) => {
      if (res.ok) {
        lastError = ''
        return
      }
      // Said once, not on every retry; the next change tries again.
      lastText = ''
      if (res.error.message !== lastError) {
        lastError = res.error.message
        store.setState({ tabError: `The workspace was not saved: ${res.error.message}` })
      }
    })
    saving = Promise.all([saving, sent]).then(() => undefined)
    return saving
  }

  const unsubscribe = store.subscribe((s, prev) => {
    if (!s.workspaceRestored) return
    const now = savedParts(s)
    const before = savedParts(prev)
    if (prev.workspaceRestored && now.every((v, i) => v === before[i])) return
    const at = Date.now()
    firstChangeAt ??= at
    if (timer !== null) clearTimeout(timer)
    // Typing waits for a pause; a save, an opened, closed or switched tab is kept at once, so a window closed
    // (or a host stopped) right after it still comes back with it.
    const wait = settled(s, prev) ? 0 : Math.max(0, Math.min(debounceMs, firstChangeAt + maxWaitMs - at))
    timer = setTimeout(() => void flush(), wait)
  })

  return {
    flush,
    stop: () => {
      unsubscribe()
      warm.cancel()
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
  }
}
