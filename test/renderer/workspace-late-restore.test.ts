import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { engineClient } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'
import type { ApiClient } from '../../src/renderer/client/api-client'
import { selectActiveDraft, selectActiveTab } from '../../src/renderer/tabs/active-draft'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { autosaveWorkspace } from '../../src/renderer/tabs/workspace-slice'
import { createAppStore, type AppStore } from '../../src/renderer/store/app-store'

/**
 * The saved workspace arrives late (a slow start): whatever the person did before it came (a composer part
 * chosen, a request clicked in the sidebar, a request still being read) stays in front, and the saved tabs join
 * theirs. Before, one untouched Untitled tab counted as "not started": the restore replaced it and the chosen
 * part went back to Params. Real engine and files; only workspace.get's answer is held back.
 */

const temp: string[] = []
afterEach(stopEngines)
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true })
})

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  temp.push(d)
  return d
}

function collection(): string {
  const dir = tempDir('fd-late-coll-')
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(dir, 'list.yaml'), 'name: List\nmethod: GET\nurl: http://127.0.0.1:1/users\n')
  writeFileSync(join(dir, 'orders.yaml'), 'name: Orders\nmethod: GET\nurl: http://127.0.0.1:1/orders\n')
  return dir
}

/** A workspace saved by a first window: an Untitled draft and `list.yaml` edited, `list.yaml` in front. */
async function savedWorkspace(config: string, dir: string): Promise<void> {
  const first = startEngine({ persistWorkspace: true, configDir: config })
  const a = first.store({ connect: false })
  await a.getState().restoreWorkspace()
  await openCollection(a, dir)
  const saver = autosaveWorkspace(a, engineClient(first.service), { debounceMs: 5 })
  a.getState().setUrl('http://127.0.0.1:1/saved-draft')
  await a.getState().openRequest(dir, 'list.yaml')
  a.getState().setUrl('http://127.0.0.1:1/users?saved=1')
  await saver.flush()
  saver.stop()
  await first.dispose()
}

/** A window over `engine` whose workspace.get is answered only when `release()` is called. */
function lateWindow(engine: TestEngine): { store: AppStore; release(): void } {
  const client = engineClient(engine.service)
  let release = (): void => undefined
  const held = new Promise<void>((resolve) => (release = resolve))
  const slow: ApiClient = {
    invoke: async (name, payload) => {
      if (name === 'workspace.get') await held
      return client.invoke(name, payload)
    },
    on: (name, listener) => client.on(name, listener),
  }
  return { store: createAppStore(slow, { localNow: () => 0 }), release }
}

/**
 * A window over `engine` whose answers to the commands named in `hold` wait until `release()`, once `armed`;
 * `waiting()` resolves when one such call is being held.
 */
function holdingWindow(
  engine: TestEngine,
  hold: readonly string[],
): { store: AppStore; arm(): void; waiting: Promise<void>; release(): void } {
  const client = engineClient(engine.service)
  let armed = false
  let release = (): void => undefined
  let told = (): void => undefined
  const waiting = new Promise<void>((resolve) => (told = resolve))
  const held = new Promise<void>((resolve) => (release = resolve))
  const slow: ApiClient = {
    invoke: async (name, payload) => {
      if (armed && hold.includes(name)) {
        told()
        await held
      }
      return client.invoke(name, payload)
    },
    on: (name, listener) => client.on(name, listener),
  }
  return { store: createAppStore(slow, { localNow: () => 0 }), arm: () => (armed = true), waiting, release }
}

/** Two collections open in `store`: the saved workspace's `dir` and another, `other`, the one in front. */
async function twoCollections(store: AppStore, dir: string): Promise<string> {
  const other = tempDir('fd-late-other-')
  writeFileSync(join(other, 'collection.yaml'), 'flightdeck: 1\nname: Other\n')
  await openCollection(store, dir)
  await openCollection(store, other)
  return other
}

describe('a collection the person chooses while the saved workspace comes back', () => {
  it('stays chosen when chosen while the restore checks the saved one is open', async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const win = holdingWindow(startEngine({ persistWorkspace: true, configDir: config }), ['collection.list'])
    const other = await twoCollections(win.store, dir)
    win.arm()
    const restoring = win.store.getState().restoreWorkspace()
    await win.waiting
    // The saved tab in front (list.yaml) chose its collection; the person clicks the other one in the sidebar.
    expect(win.store.getState().activeDir).toBe(dir)
    win.store.getState().setActiveDir(other)
    win.release()
    await restoring
    expect(win.store.getState().activeDir).toBe(other)
    expect(selectActiveTab(win.store.getState())?.path).toBe('list.yaml')
  })

  it("stays chosen when chosen before the saved workspace came; the saved tabs join the person's", async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const win = holdingWindow(startEngine({ persistWorkspace: true, configDir: config }), ['workspace.get'])
    const other = await twoCollections(win.store, dir)
    const mine = win.store.getState().activeTabId
    win.arm()
    const restoring = win.store.getState().restoreWorkspace()
    await win.waiting
    win.store.getState().setActiveDir(other)
    win.release()
    await restoring
    const s = win.store.getState()
    expect(s.activeDir).toBe(other)
    expect(s.activeTabId).toBe(mine)
    expect(s.tabs.map((t) => t.path)).toEqual([null, null, 'list.yaml'])
  })
})

describe('a restore that arrives after the person started', () => {
  it('keeps the composer part chosen in the untouched Untitled tab; the saved tabs join it', async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const { store, release } = lateWindow(startEngine({ persistWorkspace: true, configDir: config }))
    const mine = store.getState().activeTabId
    const restoring = store.getState().restoreWorkspace()
    store.getState().chooseComposerPart('auth')
    release()
    await restoring
    const s = store.getState()
    expect(s.activeTabId).toBe(mine)
    expect(s.composerParts[s.activeTabId]).toBe('auth')
    expect(s.tabs.map((t) => t.path)).toEqual([null, null, 'list.yaml'])
    // Nothing saved was lost: both drafts are back, unsaved.
    expect(s.tabs[1]?.draft.url).toBe('http://127.0.0.1:1/saved-draft')
    expect(s.tabs[2]?.draft.url).toBe('http://127.0.0.1:1/users?saved=1')
    expect(isTabDirty(s.tabs[2]!)).toBe(true)
  })

  it('keeps a request clicked in the sidebar in front, shown once, with the saved draft of its file', async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const { store, release } = lateWindow(startEngine({ persistWorkspace: true, configDir: config }))
    await openCollection(store, dir)
    const restoring = store.getState().restoreWorkspace()
    await store.getState().openRequest(dir, 'list.yaml')
    const opened = store.getState().activeTabId
    store.getState().chooseComposerPart('headers')
    release()
    await restoring
    const s = store.getState()
    expect(s.activeTabId).toBe(opened)
    expect(s.composerParts[opened]).toBe('headers')
    // One tab for list.yaml (the person had not changed it: it shows the saved draft), then the saved Untitled.
    expect(s.tabs.map((t) => t.path)).toEqual(['list.yaml', null])
    expect(selectActiveDraft(s).url).toBe('http://127.0.0.1:1/users?saved=1')
    expect(s.tabError).toBeNull()
  })

  it('shows a request whose file was still being read when the saved tabs came', async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const { store, release } = lateWindow(startEngine({ persistWorkspace: true, configDir: config }))
    await openCollection(store, dir)
    const restoring = store.getState().restoreWorkspace()
    const opening = store.getState().openRequest(dir, 'orders.yaml')
    release()
    await Promise.all([restoring, opening])
    const s = store.getState()
    expect(selectActiveTab(s)?.path).toBe('orders.yaml')
    expect(s.tabs.map((t) => t.path).sort()).toEqual([null, 'list.yaml', 'orders.yaml'].sort())
  })

  it('a window nobody touched still shows the saved tab in front', async () => {
    const config = tempDir('fd-late-config-')
    const dir = collection()
    await savedWorkspace(config, dir)
    const { store, release } = lateWindow(startEngine({ persistWorkspace: true, configDir: config }))
    const restoring = store.getState().restoreWorkspace()
    release()
    await restoring
    const s = store.getState()
    expect(s.tabs.map((t) => t.path)).toEqual([null, 'list.yaml'])
    expect(selectActiveTab(s)?.path).toBe('list.yaml')
  })
})
