import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { engineClient } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { StreamComposeBar } from '../../src/renderer/streams/StreamCompose'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { isTabDirty, type RequestTab } from '../../src/renderer/tabs/request-tab'
import { autosaveWorkspace } from '../../src/renderer/tabs/workspace-slice'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * The open request's draft lives in its tab and nowhere else: the composer edits the active tab's, other tabs
 * are left alone, and switching tabs copies nothing. Real engine, real files.
 */

const temp: string[] = []

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  temp.push(d)
  return d
}

/** An engine that remembers its collections and workspace, as the hosts run it; `configDir` to restart one. */
const engine = (configDir?: string): TestEngine =>
  startEngine({ persistWorkspace: true, ...(configDir === undefined ? {} : { configDir }) })

async function started(running: TestEngine): Promise<AppStore> {
  const store = running.store()
  await store.getState().loadCollections()
  await store.getState().restoreWorkspace()
  return store
}

function tab(store: AppStore, id: string): RequestTab {
  const found = store.getState().tabs.find((t) => t.id === id)
  if (!found) throw new Error(`no tab ${id}`)
  return found
}

/** What the SSE options bar shows for the active tab (a server render of the real component). */
function sseBar(store: AppStore): string {
  return renderOverStore(store, createElement(StreamComposeBar))
}

afterEach(stopEngines)
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true })
})

describe('the active tab draft', () => {
  it('editing the active tab changes that tab only', async () => {
    const store = await started(engine())
    const a = store.getState().activeTabId
    store.getState().setUrl('http://127.0.0.1:1/a')
    store.getState().newTab()
    const b = store.getState().activeTabId
    const before = tab(store, a)

    const s = store.getState()
    s.setUrl('http://127.0.0.1:1/b?page=2')
    // The edit is in B's tab itself (no live copy elsewhere), and A is the very same object as before.
    expect(tab(store, b).draft.url).toBe('http://127.0.0.1:1/b?page=2')
    expect(tab(store, a)).toBe(before)
    s.setAuth({ type: 'bearer', token: 't-b' })
    s.setKind('sse')
    s.setSseReconnect(false)
    s.editDraft((d) => ({ headers: [...d.headers, { name: 'X-B', value: '1', enabled: true }] }))

    // The edits are in B's tab itself, which is what the composer reads.
    const draftB = tab(store, b).draft
    expect(draftB).toMatchObject({
      url: 'http://127.0.0.1:1/b?page=2',
      params: [{ name: 'page', value: '2', enabled: true }],
      auth: { type: 'bearer', token: 't-b' },
      kind: 'sse',
      sseReconnect: false,
      headers: [{ name: 'X-B', value: '1', enabled: true }],
    })
    expect(selectActiveDraft(store.getState())).toBe(draftB)
    // A is the very same object as before: not touched, not copied.
    expect(tab(store, a)).toBe(before)
    expect(before.draft.url).toBe('http://127.0.0.1:1/a')
    expect(before.draft.auth).toEqual({ type: 'inherit' })
    expect(before.draft.kind).toBe('http')
    expect(isTabDirty(tab(store, b))).toBe(true)
  })

  it('switching tabs shows each tab its own draft and copies nothing', async () => {
    const store = await started(engine())
    const a = store.getState().activeTabId
    store.getState().setUrl('http://127.0.0.1:1/first')
    store.getState().newTab()
    store.getState().setUrl('http://127.0.0.1:1/second')
    const plain = store.getState().tabs
    store.getState().activateTab(a)
    // The same tab objects in the same array: nothing was put back into the tab being left.
    expect(store.getState().tabs).toBe(plain)
    expect(tab(store, a).draft.url).toBe('http://127.0.0.1:1/first')
    store.getState().closeTab(store.getState().tabs[1]!.id)

    store.getState().setKind('sse')
    store.getState().setMethod('POST')
    store.getState().setUrl('http://127.0.0.1:1/llm')
    store.getState().setSseReconnect(true)
    store.getState().newTab()
    const b = store.getState().activeTabId
    store.getState().setKind('sse')
    store.getState().setMethod('POST')
    store.getState().setUrl('http://127.0.0.1:1/orders')

    const tabsBefore = store.getState().tabs
    // B is a POST nobody asked to reconnect: off, with the reason beside it.
    expect(sseBar(store)).not.toMatch(/<input type="checkbox" checked=""/)
    expect(sseBar(store)).toContain('Off for POST: a reconnect would send it again')

    store.getState().activateTab(a)
    // The same tab objects, in the same array: the switch only changed which one is active.
    expect(store.getState().tabs).toBe(tabsBefore)
    expect(selectActiveDraft(store.getState())).toBe(tab(store, a).draft)
    expect(selectActiveDraft(store.getState()).url).toBe('http://127.0.0.1:1/llm')
    // A's own reconnect choice, made by hand for its POST.
    expect(sseBar(store)).toMatch(/<input type="checkbox" checked=""/)
    expect(sseBar(store)).toContain('On for POST: each reconnect')

    store.getState().activateTab(b)
    expect(store.getState().tabs).toBe(tabsBefore)
    expect(selectActiveDraft(store.getState()).url).toBe('http://127.0.0.1:1/orders')
    expect(selectActiveDraft(store.getState()).sseReconnect).toBeNull()
  })

  it("a WebSocket tab's subprotocols survive a tab switch and a restart as a list", async () => {
    const config = tempDir('fd-drafts-config-')
    const dir = tempDir('fd-drafts-coll-')
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Chat\n')
    const chat = 'name: Chat\nkind: ws\nurl: ws://127.0.0.1:9/chat\nprotocols:\n  - chat.v2\n'
    writeFileSync(join(dir, 'chat.yaml'), chat)

    const first = engine(config)
    const a = await started(first)
    expect(await a.getState().openCollection(dir, false)).toBe(true)
    const saver = autosaveWorkspace(a, engineClient(first.service), { debounceMs: 20 })
    // An Untitled WebSocket tab with its own list, then the saved one, edited.
    a.getState().setKind('ws')
    a.getState().setUrl('ws://127.0.0.1:9/scratch')
    a.getState().setProtocols(['mqtt'])
    await a.getState().openRequest(dir, 'chat.yaml')
    expect(selectActiveDraft(a.getState()).protocols).toEqual(['chat.v2'])
    a.getState().setProtocols(['chat.v2', 'json'])
    const chatTab = a.getState().activeTabId
    a.getState().activateTab(a.getState().tabs[0]!.id)
    expect(selectActiveDraft(a.getState()).protocols).toEqual(['mqtt'])
    a.getState().activateTab(chatTab)
    expect(selectActiveDraft(a.getState()).protocols).toEqual(['chat.v2', 'json'])
    await saver.flush()
    saver.stop()
    await first.dispose()

    const b = await started(engine(config))
    const [scratch, saved] = b.getState().tabs
    expect(scratch?.draft).toMatchObject({ kind: 'ws', protocols: ['mqtt'] })
    expect(saved?.draft).toMatchObject({ kind: 'ws', protocols: ['chat.v2', 'json'] })
    expect(b.getState().activeTabId).toBe(saved?.id)
    expect(isTabDirty(saved!)).toBe(true)
    // Saved, the list goes into the file as a list.
    await b.getState().saveActiveTab()
    expect(b.getState().tabError).toBeNull()
    expect(readFileSync(join(dir, 'chat.yaml'), 'utf8')).toMatch(/protocols:\n {2}- chat\.v2\n {2}- json\n/)
    expect(isTabDirty(tab(b, saved!.id))).toBe(false)
  })
})
