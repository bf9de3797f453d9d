import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { engineClient, until } from './engine-client'
import { createAppStore, type AppStore } from '../../src/renderer/store/app-store'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { autosaveWorkspace } from '../../src/renderer/tabs/workspace-slice'
import type { ApiClient } from '../../src/renderer/client/api-client'
import { MAX_WORKSPACE_DRAFT_BODY } from '../../src/shared/workspace-schemas'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A window that reloads or restarts gets back what it had open: tabs with their unsaved drafts (still marked
 * unsaved), the active tab, the Send ×N count, and (after a reload) the timeline's rows. Real engine, real files.
 */

let server: Fixture
const temp: string[] = []

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  temp.push(d)
  return d
}

/** An engine that remembers its collections and workspace, as the hosts run it; `configDir` to restart one. */
const engine = (configDir?: string): TestEngine =>
  startEngine({ persistWorkspace: true, ...(configDir === undefined ? {} : { configDir }) })

/** A client that counts workspace saves, to see the debounce. */
function counting(client: ApiClient): { client: ApiClient; saves: () => number; savedAt: () => number[] } {
  /** When each workspace.save was sent (performance.now()). */
  const savedAt: number[] = []
  return {
    client: {
      invoke: (name, payload) => {
        if (name === 'workspace.save') savedAt.push(performance.now())
        return client.invoke(name, payload)
      },
      on: (name, listener) => client.on(name, listener),
    },
    saves: () => savedAt.length,
    savedAt: () => savedAt,
  }
}

const LIST_YAML = 'name: List\nmethod: GET\nurl: http://127.0.0.1:1/users\n'

function collection(): string {
  const dir = tempDir('fd-ws-coll-')
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(dir, 'list.yaml'), LIST_YAML)
  return dir
}

async function started(running: TestEngine): Promise<AppStore> {
  const store = running.store()
  await store.getState().loadCollections()
  await store.getState().restoreWorkspace()
  return store
}

beforeAll(async () => {
  server = await startHttpServer()
})
afterEach(stopEngines)
afterAll(async () => {
  await server.close()
  for (const d of temp) rmSync(d, { recursive: true, force: true })
})

describe('the workspace across a restart', () => {
  it('brings back tabs with their unsaved drafts, marked unsaved, the active tab and Send ×N', async () => {
    const config = tempDir('fd-ws-config-')
    const dir = collection()
    const first = engine(config)
    const a = await started(first)
    expect(await a.getState().openCollection(dir, false)).toBe(true)
    const saver = autosaveWorkspace(a, engineClient(first.service), { debounceMs: 20 })
    // An Untitled draft with a JSON body, and a saved request edited but not saved.
    a.getState().setMethod('POST')
    a.getState().setUrl(`${server.url}/echo?draft=1`)
    a.getState().setBodyKind('json')
    a.getState().setJsonBody('{"kept":true}')
    await a.getState().openRequest(dir, 'list.yaml')
    a.getState().setUrl('http://127.0.0.1:1/users?page=2')
    a.getState().setSendCount(25)
    await saver.flush()
    saver.stop()
    await first.dispose()

    // Drafts live in the config dir: the collection's file is as it was.
    expect(readFileSync(join(dir, 'list.yaml'), 'utf8')).toBe(LIST_YAML)
    expect(readdirSync(dir).sort()).toEqual(['collection.yaml', 'list.yaml'])

    const b = await started(engine(config))
    const s = b.getState()
    expect(s.tabs.map((t) => t.path)).toEqual([null, 'list.yaml'])
    expect(s.tabs.every((t) => isTabDirty(t))).toBe(true)
    // The active tab was the file's, with its edit in the composer.
    expect(s.tabs.find((t) => t.id === s.activeTabId)?.path).toBe('list.yaml')
    expect(selectActiveDraft(s).url).toBe('http://127.0.0.1:1/users?page=2')
    expect(s.sendCount).toBe(25)
    const scratch = s.tabs[0]!
    expect(scratch.draft.method).toBe('POST')
    expect(scratch.draft.json).toBe('{"kept":true}')
    // Saving the restored draft writes to its file, as before the restart.
    await s.saveActiveTab()
    expect(b.getState().tabError).toBeNull()
    expect(isTabDirty(b.getState().tabs[1]!)).toBe(false)
  })

  it('a draft whose file changed meanwhile comes back as a conflict; a big draft body is cut and says so', async () => {
    const config = tempDir('fd-ws-config-')
    const dir = collection()
    const first = engine(config)
    const a = await started(first)
    expect(await a.getState().openCollection(dir, false)).toBe(true)
    await a.getState().openRequest(dir, 'list.yaml')
    a.getState().setBodyKind('text')
    a.getState().setTextBody({ text: 'x'.repeat(MAX_WORKSPACE_DRAFT_BODY + 10) })
    const saver = autosaveWorkspace(a, engineClient(first.service), { debounceMs: 20 })
    a.getState().setSendCount(3)
    await saver.flush()
    saver.stop()
    await first.dispose()
    writeFileSync(join(dir, 'list.yaml'), 'name: List\nmethod: GET\nurl: http://127.0.0.1:1/changed\n')

    const b = await started(engine(config))
    const tab = b.getState().tabs.find((t) => t.path === 'list.yaml')!
    expect(tab.conflict).toBe('changed')
    expect(selectActiveDraft(b.getState()).text.text).toHaveLength(MAX_WORKSPACE_DRAFT_BODY)
    expect(b.getState().tabError).toMatch(
      /"list.yaml": its draft body is 1(\.0)? MB; the workspace kept the first 1(\.0)? MB/,
    )
  })

  it('a person who starts typing before the restore keeps their tab in front; the saved ones join it', async () => {
    const config = tempDir('fd-ws-config-')
    const first = engine(config)
    const a = await started(first)
    const saver = autosaveWorkspace(a, engineClient(first.service), { debounceMs: 20 })
    a.getState().setUrl('http://127.0.0.1:1/saved-draft')
    await saver.flush()
    saver.stop()

    const b = engine(config).store({ connect: false })
    b.getState().setUrl('http://127.0.0.1:1/typed-first')
    await b.getState().restoreWorkspace()
    const s = b.getState()
    expect(selectActiveDraft(s).url).toBe('http://127.0.0.1:1/typed-first')
    expect(s.tabs).toHaveLength(2)
    expect(s.tabs[1]?.draft.url).toBe('http://127.0.0.1:1/saved-draft')
  })

  it('saves after a pause, not on every keystroke', async () => {
    const { service } = engine()
    const c = counting(engineClient(service))
    const store = createAppStore(c.client, { localNow: () => 0 })
    await store.getState().restoreWorkspace()
    const saver = autosaveWorkspace(store, c.client, { debounceMs: 100, maxWaitMs: 5000 })
    for (const ch of 'http://127.0.0.1:1/typed')
      store.getState().setUrl(selectActiveDraft(store.getState()).url + ch)
    const typed = performance.now()
    await until(() => c.saves() === 1)
    // The one save went the pause after the last keystroke: a timer never fires early, however loaded the
    // machine (a check that nothing was saved 40 ms in failed when the 40 ms timer came after the 100).
    expect((c.savedAt()[0] ?? 0) - typed).toBeGreaterThanOrEqual(90)
    await new Promise((r) => setTimeout(r, 150))
    expect(c.saves()).toBe(1)
    saver.stop()
  })

  it('keeps a new, switched or saved tab at once, not after the typing pause', async () => {
    const { service } = engine()
    const c = counting(engineClient(service))
    const store = createAppStore(c.client, { localNow: () => 0 })
    await store.getState().restoreWorkspace()
    // A pause far longer than the test: only a change that is not typing can be saved in time.
    const saver = autosaveWorkspace(store, c.client, { debounceMs: 60_000, maxWaitMs: 60_000 })
    store.getState().newTab()
    await until(() => c.saves() === 1)
    store.getState().activateTab(store.getState().tabs[0]!.id)
    await until(() => c.saves() === 2)
    store.getState().setUrl('http://127.0.0.1:1/typed')
    await new Promise((r) => setTimeout(r, 100))
    expect(c.saves()).toBe(2)
    saver.stop()
  })

  it('a flush while a save is still in flight (a page closing) sends its save at once, and that one is kept', async () => {
    const { service } = engine()
    const real = engineClient(service)
    // The first save's answer is held back, as a slow disk or a busy engine would hold it (the request itself
    // has gone: the channel keeps the order saves are sent in).
    let release: () => void = () => undefined
    const held = new Promise<void>((r) => (release = r))
    let saves = 0
    const client: ApiClient = {
      invoke: async (name, payload) => {
        const first = name === 'workspace.save' && ++saves === 1
        const res = await real.invoke(name, payload)
        if (first) await held
        return res
      },
      on: (name, listener) => real.on(name, listener),
    }
    const store = createAppStore(client, { localNow: () => 0 })
    await store.getState().restoreWorkspace()
    const saver = autosaveWorkspace(store, client, { debounceMs: 60_000, maxWaitMs: 60_000 })
    store.getState().newTab()
    await until(() => saves === 1)
    store.getState().setUrl('http://127.0.0.1:1/typed-last')
    const flushed = saver.flush()
    // pagehide gives no time: the last save must already be on its way.
    expect(saves).toBe(2)
    release()
    await flushed
    saver.stop()
    const got = await service.invoke('workspace.get', {})
    if (!got.ok || !got.value.workspace) throw new Error('no workspace')
    const active = got.value.workspace.tabs[got.value.workspace.activeTab]
    expect(active?.request?.url).toBe('http://127.0.0.1:1/typed-last')
  })
})

describe('the timeline across a reload', () => {
  it('a page that connects to a running engine gets its rows back with their statuses', async () => {
    const running = engine()
    const a = running.store()
    a.getState().setUrl(`${server.url}/json`)
    await a.getState().send(3)
    a.getState().setUrl(`${server.url}/status/404`)
    await a.getState().send(1)
    await until(() => a.getState().timeline.order.length === 4 && a.getState().timeline.inFlight === 0)

    // The reload: a new page, the same engine.
    const b = running.store()
    await until(() => b.getState().replayedSessions !== null)
    const rows = b.getState().timeline.order.map((sid) => b.getState().timeline.rows[sid]!)
    expect(rows.map((r) => r.status)).toEqual([200, 200, 200, 404])
    expect(rows.every((r) => r.state === 'done' && r.sent !== undefined)).toBe(true)
    expect(b.getState().timeline.inFlight).toBe(0)
    // Bodies are still read by id.
    await b.getState().loadBody(rows[0]!.sid)
    expect(b.getState().body?.text).toContain('"items"')

    // Cleared rows stay cleared: the next reload does not bring them back.
    b.getState().clearFinished()
    expect(b.getState().timeline.order).toHaveLength(0)
    const c = running.store({ connect: false })
    await new Promise((r) => setTimeout(r, 20))
    c.getState().connect()
    await until(() => c.getState().replayedSessions !== null)
    expect(c.getState().timeline.order).toHaveLength(0)
  })
})
