import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'
import type { CollectionInfo, FolderNode } from '../../src/shared/collection'
import type { AppStore } from '../../src/renderer/store/app-store'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The sidebar's tree follows edits made on disk (the engine's watcher, a real folder) by patching in the folders
 * each `collection.changed` carries: the folders an edit did not touch stay the objects they were, so React
 * skips them, and the tree is a fresh open's. A window that missed a change, or got one that fails its check,
 * fetches the whole collection instead.
 */

const dir = mkdtempSync(join(tmpdir(), 'fd-live-patch-'))
let engine: TestEngine
beforeAll(() => {
  engine = startEngine({ watchCollections: true })
})
afterAll(async () => {
  await stopEngines()
  rmSync(dir, { recursive: true, force: true })
})

function request(name: string, i: number): string {
  return `name: ${name}\nmethod: GET\nurl: http://127.0.0.1/items/${i}\n`
}

const collection = (store: AppStore): CollectionInfo => {
  const c = store.getState().collections.find((x) => x.dir === dir)
  if (!c) throw new Error('the collection is not open')
  return c
}
const folder = (root: FolderNode, path: string): FolderNode | undefined =>
  root.children.find((c): c is FolderNode => c.type === 'folder' && c.path === path)
const names = (root: FolderNode, path: string): string[] =>
  folder(root, path)?.children.map((c) => c.name) ?? []
/** A store over the engine, following collection changes as the app's window does (main.tsx). */
function windowOver(e: TestEngine): AppStore {
  const store = e.store()
  store.getState().connectCollections()
  return store
}
const fresh = async (): Promise<FolderNode> => (await loadCollection(dir, new ParseCache())).info.root

describe('the sidebar following a collection on disk', () => {
  writeFileSync(join(dir, 'collection.yaml'), 'name: Live\n')
  for (let f = 0; f < 3; f++) {
    mkdirSync(join(dir, `folder-${f}`))
    for (let i = 0; i < 5; i++)
      writeFileSync(join(dir, `folder-${f}`, `request-${i}.yaml`), request(`Request ${i}`, i))
  }

  it('patches in the edited folder and keeps the others as they were', async () => {
    const store = windowOver(engine)
    await openCollection(store, dir)
    const before = collection(store)
    const untouched = folder(before.root, 'folder-0')
    const sibling = folder(before.root, 'folder-1')?.children[1]

    writeFileSync(join(dir, 'folder-1', 'request-3.yaml'), request('A renamed', 3))
    await until(() => names(collection(store).root, 'folder-1').includes('A renamed'), 10_000)
    const after = collection(store)
    expect(after.version).toBe((before.version ?? 0) + 1)
    expect(folder(after.root, 'folder-0')).toBe(untouched)
    expect(folder(after.root, 'folder-2')).toBe(folder(before.root, 'folder-2'))
    // Within the edited folder, the requests that did not change are the same objects too.
    expect(folder(after.root, 'folder-1')?.children).toContain(sibling)
    expect(after.root).toEqual(await fresh())
  })

  it('fetches the whole collection when it missed a change or got one it cannot check', async () => {
    const store = windowOver(engine)
    await openCollection(store, dir)
    // A window that missed a change holds the version before it.
    const held = collection(store)
    store.setState({
      collections: store
        .getState()
        .collections.map((c) => (c.dir === dir ? { ...c, version: (held.version ?? 1) - 1 } : c)),
    })
    writeFileSync(join(dir, 'folder-2', 'new.yaml'), request('Brand new', 9))
    await until(() => names(collection(store).root, 'folder-2').includes('Brand new'), 10_000)
    expect(collection(store).root).toEqual(await fresh())
    expect(collection(store).version).toBe((held.version ?? 0) + 1)

    // A change that is not one (a host bug, a tampered message) is not applied: the tree stays whole.
    const now = collection(store)
    store.getState().applyCollectionChange({ dir, base: now.version, version: 99, folders: [{ path: 1 }] })
    await new Promise((r) => setTimeout(r, 200))
    expect(collection(store).root).toEqual(await fresh())
    expect(collection(store).version).toBe(now.version)
  })

  it('follows a collection another window closed and opened again (its versions start over)', async () => {
    const stays = windowOver(engine)
    await openCollection(stays, dir)
    writeFileSync(join(dir, 'folder-0', 'request-1.yaml'), request('Before the reopen', 1))
    await until(() => names(collection(stays).root, 'folder-0').includes('Before the reopen'), 10_000)
    const other = windowOver(engine)
    await openCollection(other, dir)
    await other.getState().closeCollection(dir)
    await openCollection(other, dir)

    writeFileSync(join(dir, 'folder-0', 'request-2.yaml'), request('After the reopen', 2))
    await until(() => names(collection(stays).root, 'folder-0').includes('After the reopen'), 10_000)
    expect(collection(stays).root).toEqual(await fresh())
    expect(collection(stays).version).toBe(collection(other).version)
  })
})
