import type { StateCreator } from 'zustand/vanilla'
import {
  emptySavedRequest,
  type AuthSpec,
  type CollectionInfo,
  type FolderNode,
  type RequestScripts,
  type ScopedVariable,
  type TreeNode,
  type Variable,
} from '../../shared/collection'
import { patchTree, requestPathsIn } from '../../shared/collection-delta'
import { checkedCollectionChange } from '../../shared/collection-delta-schema'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'

/**
 * Open collection folders as the sidebar shows them, the environment chosen per collection, and every change
 * to them. Changes go to the host as commands; the host answers each with a `collection.changed` event, which
 * is the one place the tree is updated (so edits made outside the app arrive the same way). The event carries
 * the folders that changed (shared/collection-delta.ts), patched into the tree here; a change that does not fit
 * (one was missed, or it fails its check) brings the whole collection again.
 */

export interface CollectionsSlice {
  collections: CollectionInfo[]
  /**
   * Whether the host has answered which collections are open (or failed to). Until then the sidebar says it is
   * asking rather than offering the empty state's folder field, which would vanish under a person typing into it
   * when the host's open collections arrive.
   */
  collectionsListed: boolean
  recentCollections: string[]
  /** The collection new requests are saved into and whose environment the toolbar shows. */
  activeDir: string | null
  /**
   * How many times a collection was chosen (clicked, opened, or brought by a tab shown), whatever the choice: a
   * late workspace restore compares it across its waits, so a collection the person chose meanwhile stays.
   */
  activeDirChoices: number
  /** Chosen environment per collection ('' for none). Remembered in localStorage by the host page. */
  envByDir: Record<string, string>
  sidebarQuery: string
  /** The last failed collection command, shown at the top of the sidebar until the next one. */
  collectionError: string | null
  /** Every variable the active tab can see, for hover and for flagging unknown names. */
  scopeVars: ScopedVariable[]
  /** Variables every collection sees (lowest precedence); kept in the user's config folder. */
  globals: Variable[]
  saveGlobals(variables: Variable[]): Promise<boolean>
  /** Whether the host has a native folder picker (desktop) — otherwise a path is typed. */
  canPickFolder: boolean
  loadCollections(): Promise<void>
  connectCollections(): () => void
  /** Apply a `collection.changed` (checked here, as it crossed from the host). */
  applyCollectionChange(payload: unknown): void
  openCollection(dir: string, create: boolean, name?: string): Promise<boolean>
  pickCollection(): Promise<void>
  closeCollection(dir: string): Promise<void>
  setActiveDir(dir: string): void
  /**
   * A collection just opened or imported, for its tree to scroll into view once (the sidebar may be scrolled
   * elsewhere, or the new tree below the fold); the tree clears it.
   */
  revealDir: string | null
  revealCollection(dir: string | null): void
  setEnvironment(dir: string, env: string): void
  setSidebarQuery(q: string): void
  createRequestIn(dir: string, folder: string, name: string): Promise<void>
  createFolderIn(dir: string, parent: string, name: string): Promise<void>
  renameNode(dir: string, path: string, name: string): Promise<void>
  duplicateNode(dir: string, path: string): Promise<void>
  moveNode(dir: string, path: string, toFolder: string): Promise<void>
  deleteNode(dir: string, path: string): Promise<void>
  saveEnvironment(dir: string, id: string, name: string, variables: Variable[]): Promise<boolean>
  saveFolderVariables(dir: string, path: string, variables: Variable[]): Promise<boolean>
  /** A folder's (or, for '', the collection's) variables, auth and, when given, scripts (`{}` removes them). */
  saveFolderSettings(
    dir: string,
    path: string,
    variables: Variable[],
    auth: AuthSpec,
    scripts?: RequestScripts,
  ): Promise<boolean>
  refreshScopeVars(): Promise<void>
}

export interface EnvMemory {
  load(): Record<string, string>
  save(value: Record<string, string>): void
}

/** Every request path in a tree. */
export function requestPaths(root: FolderNode): Set<string> {
  const out = new Set<string>()
  const walk = (n: TreeNode, depth: number): void => {
    if (n.type === 'request') out.add(n.path)
    else if (depth < 64) for (const c of n.children) walk(c, depth + 1)
  }
  walk(root, 0)
  return out
}

export function createCollectionsSlice(
  client: ApiClient,
  memory: EnvMemory | null,
): StateCreator<AppState, [], [], CollectionsSlice> {
  return (set, get) => {
    /** Run a command; a failure is shown in the sidebar, success clears the last error. */
    async function run<T>(
      p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
    ): Promise<T | null> {
      const res = await p
      if (!res.ok) {
        set({ collectionError: res.error.message })
        return null
      }
      set({ collectionError: null })
      return res.value
    }

    const upsert = (info: CollectionInfo): void =>
      set((s) => {
        const at = s.collections.findIndex((c) => c.dir === info.dir)
        const collections =
          at === -1 ? [...s.collections, info] : s.collections.map((c, i) => (i === at ? info : c))
        return { collections, activeDir: s.activeDir ?? info.dir }
      })

    /** Collections being fetched whole, so a burst of changes that do not fit asks once. */
    const resyncing = new Set<string>()
    /** The whole collection again, when a change could not be patched into the tree this window has. */
    async function resync(dir: string, changed: readonly string[]): Promise<void> {
      if (resyncing.has(dir)) return
      resyncing.add(dir)
      try {
        const res = await client.invoke('collection.list', {})
        const info = res.ok ? res.value.open.find((c) => c.dir === dir) : undefined
        const current = get().collections.find((c) => c.dir === dir)
        if (!info || !current) return
        // Events and replies arrive in the order the host sent them: this is the collection as of now.
        if (info.version === current.version) return
        upsert(info)
        await get().syncTabsWithDisk(dir, changed, requestPaths(info.root))
        await get().refreshScopeVars()
      } finally {
        resyncing.delete(dir)
      }
    }

    return {
      collections: [],
      collectionsListed: false,
      recentCollections: [],
      activeDir: null,
      activeDirChoices: 0,
      revealDir: null,
      revealCollection: (dir) => set({ revealDir: dir }),
      envByDir: memory?.load() ?? {},
      sidebarQuery: '',
      collectionError: null,
      scopeVars: [],
      globals: [],
      canPickFolder: false,

      loadCollections: async () => {
        const res = await client.invoke('collection.list', {})
        if (!res.ok) {
          set({ collectionError: res.error.message, collectionsListed: true })
          return
        }
        set((s) => ({
          collections: res.value.open,
          collectionsListed: true,
          recentCollections: res.value.recent,
          activeDir: s.activeDir ?? res.value.open[0]?.dir ?? null,
          // The host remembers the choice across restarts (and origins); it wins over this page's memory.
          envByDir: { ...s.envByDir, ...res.value.selectedEnv },
        }))
        const globals = await client.invoke('globals.get', {})
        if (globals.ok) set({ globals: globals.value.variables })
        const info = await client.invoke('app.info', {})
        set({ canPickFolder: info.ok && info.value.capabilities.nativeDialogs })
        await get().refreshScopeVars()
      },

      connectCollections: () => {
        const off = client.on('collection.changed', (ev) => get().applyCollectionChange(ev))
        void get().loadCollections()
        return off
      },

      applyCollectionChange: (payload) => {
        const ev = checkedCollectionChange(payload)
        const dir = ev?.dir ?? (payload as { dir?: unknown } | null)?.dir
        const current = get().collections.find((c) => c.dir === dir)
        if (!current) return
        if (!ev) {
          void resync(current.dir, [])
          return
        }
        // Any other version than the one the change applies to (a change missed, the collection closed and opened
        // again elsewhere, a host restarted) means this tree is not the one the change was told against.
        const root = current.version === ev.base ? patchTree(current.root, ev.folders) : null
        if (!root) {
          void resync(ev.dir, ev.changed)
          return
        }
        upsert({ ...ev.info, root, version: ev.version })
        void get().syncTabsWithDisk(ev.dir, ev.changed, requestPathsIn(ev.folders))
        void get().refreshScopeVars()
      },

      openCollection: async (dir, create, name) => {
        const info = await run(
          client.invoke('collection.open', name !== undefined ? { dir, create, name } : { dir, create }),
        )
        if (!info) return false
        upsert(info)
        set((s) => ({
          activeDir: info.dir,
          activeDirChoices: s.activeDirChoices + 1,
          revealDir: info.dir,
          recentCollections: [info.dir, ...s.recentCollections.filter((d) => d !== info.dir)].slice(0, 12),
        }))
        await get().refreshScopeVars()
        return true
      },

      pickCollection: async () => {
        const picked = await run(client.invoke('collection.pick', {}))
        if (picked?.dir) await get().openCollection(picked.dir, true)
      },

      closeCollection: async (dir) => {
        await run(client.invoke('collection.close', { dir }))
        set((s) => {
          const collections = s.collections.filter((c) => c.dir !== dir)
          return { collections, activeDir: s.activeDir === dir ? (collections[0]?.dir ?? null) : s.activeDir }
        })
      },

      setActiveDir: (dir) => {
        set((s) => ({
          activeDirChoices: s.activeDirChoices + 1,
          ...(s.activeDir !== dir ? { activeDir: dir } : {}),
        }))
      },

      setEnvironment: (dir, env) => {
        const envByDir = { ...get().envByDir, [dir]: env }
        set({ envByDir })
        memory?.save(envByDir)
        void client.invoke('environment.select', { dir, env })
        void get().refreshScopeVars()
      },

      setSidebarQuery: (sidebarQuery) => set({ sidebarQuery }),

      createRequestIn: async (dir, folder, name) => {
        const made = await run(
          client.invoke('collection.createRequest', { dir, folder, request: emptySavedRequest(name) }),
        )
        if (made) await get().openRequest(dir, made.path)
      },

      createFolderIn: async (dir, parent, name) => {
        await run(client.invoke('collection.createFolder', { dir, parent, name }))
      },

      renameNode: async (dir, path, name) => {
        const r = await run(client.invoke('collection.rename', { dir, path, name }))
        if (r) {
          get().retargetTabs(dir, path, r.path)
          // The open tab shows the new name too.
          const tab = get().tabs.find((t) => t.dir === dir && t.path === r.path)
          if (tab) await get().syncTabsWithDisk(dir, [r.path], new Set([r.path]))
        }
      },

      duplicateNode: async (dir, path) => {
        const r = await run(client.invoke('collection.duplicate', { dir, path }))
        if (r) await get().openRequest(dir, r.path)
      },

      moveNode: async (dir, path, toFolder) => {
        const r = await run(client.invoke('collection.move', { dir, path, toFolder }))
        if (r) get().retargetTabs(dir, path, r.path)
      },

      deleteNode: async (dir, path) => {
        await run(client.invoke('collection.delete', { dir, path }))
      },

      saveEnvironment: async (dir, id, name, variables) =>
        (await run(client.invoke('environment.save', { dir, id, name, variables }))) !== null,

      saveGlobals: async (variables) => {
        const saved = (await run(client.invoke('globals.save', { variables }))) !== null
        const res = await client.invoke('globals.get', {})
        if (res.ok) set({ globals: res.value.variables })
        await get().refreshScopeVars()
        return saved
      },

      saveFolderSettings: async (dir, path, variables, auth, scripts) =>
        (await run(
          client.invoke('collection.saveFolder', {
            dir,
            path,
            variables,
            auth,
            ...(scripts ? { scripts } : {}),
          }),
        )) !== null,

      saveFolderVariables: async (dir, path, variables) =>
        (await run(client.invoke('collection.saveFolder', { dir, path, variables }))) !== null,

      refreshScopeVars: async () => {
        const scope = get().sendScope()
        const res = await client.invoke('variables.list', scope.context ? { context: scope.context } : {})
        if (res.ok) set({ scopeVars: res.value.variables })
        else if (scope.context?.env) {
          // The chosen environment is gone (deleted, renamed on disk): fall back to none.
          get().setEnvironment(scope.context.dir, '')
        }
      },
    }
  }
}
