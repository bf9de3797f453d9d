import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { selectActiveTab } from '../../src/renderer/tabs/active-draft'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A person clicks a request in the sidebar and presses Send at once. The request's file is still being read
 * when Send comes: the send goes out for the request they clicked, not for the empty tab it replaces ("Enter a
 * URL…"). Two clicks in a row leave the last one shown, whichever file is read first. Real engine, real files,
 * a real server that records what was sent.
 */

let server: Fixture
let engine: TestEngine
let dir: string

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-open-then-send-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Quick\n')
  writeFileSync(
    join(dir, 'list.yaml'),
    `name: List users\nmethod: GET\nurl: '${server.url}/json?from=list'\n`,
  )
  writeFileSync(join(dir, 'other.yaml'), `name: Other\nmethod: GET\nurl: '${server.url}/json?from=other'\n`)
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function sentUrls(count: number): Promise<string[]> {
  for (let i = 0; i < 200 && server.requests.length < count; i++) await new Promise((r) => setTimeout(r, 10))
  return server.requests.map((r) => r.url)
}

describe('Send right after opening a request', () => {
  it('sends the request being opened, not the empty tab it replaces', async () => {
    server.requests.length = 0
    const store = engine.store()
    await openCollection(store, dir)
    const opening = store.getState().openRequest(dir, 'list.yaml')
    await store.getState().send()
    await opening

    expect(store.getState().sendError).toBeNull()
    expect(await sentUrls(1)).toEqual(['/json?from=list'])
    expect(selectActiveTab(store.getState())?.path).toBe('list.yaml')
  })

  it('with nothing opening, each send takes the draft as it is when pressed, however fast they come', async () => {
    server.requests.length = 0
    const store = engine.store()
    const s = store.getState()
    const sends: Promise<void>[] = []
    for (const from of ['a', 'b', 'c']) {
      s.setUrl(`${server.url}/json?from=${from}`)
      sends.push(s.send())
    }
    await Promise.all(sends)
    expect((await sentUrls(3)).sort()).toEqual(['/json?from=a', '/json?from=b', '/json?from=c'])
  })

  it('shows the last of two quick clicks, and Send sends that one', async () => {
    server.requests.length = 0
    const store = engine.store()
    await openCollection(store, dir)
    const first = store.getState().openRequest(dir, 'list.yaml')
    const second = store.getState().openRequest(dir, 'other.yaml')
    await store.getState().send()
    await Promise.all([first, second])

    expect(await sentUrls(1)).toEqual(['/json?from=other'])
    expect(selectActiveTab(store.getState())?.path).toBe('other.yaml')
    // The first click still opened its tab, behind the one shown.
    expect(store.getState().tabs.map((t) => t.path)).toContain('list.yaml')
  })

  it('a part clicked while the request opens is kept for the request being opened, not the tab it leaves', async () => {
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'other.yaml')
    const behind = store.getState().activeTabId
    const opening = store.getState().openRequest(dir, 'list.yaml')
    store.getState().chooseComposerPart('after')
    await opening
    await store.getState().pendingOpen()

    const s = store.getState()
    expect(selectActiveTab(s)?.path).toBe('list.yaml')
    expect(s.composerParts[s.activeTabId]).toBe('after')
    expect(s.composerParts[behind]).toBeUndefined()
    // With nothing opening, a click is for the tab in front at once; the other tab keeps its own.
    s.chooseComposerPart('headers')
    s.activateTab(behind)
    expect(store.getState().composerParts[behind]).toBeUndefined()
    store.getState().chooseComposerPart('body')
    expect(store.getState().composerParts).toMatchObject({ [behind]: 'body', [s.activeTabId]: 'headers' })
  })

  it("Send ×N shows the burst: its first row is selected, and the earlier row's copy note is gone", async () => {
    // An engine of its own: its timeline holds only this test's rows.
    const store = startEngine().store()
    const rowsDone = async (n: number): Promise<void> => {
      for (let i = 0; i < 500 && store.getState().timeline.order.length < n; i++)
        await new Promise((r) => setTimeout(r, 10))
      expect(store.getState().timeline.order).toHaveLength(n)
    }
    store.getState().setUrl(`${server.url}/json?from=one`)
    await store.getState().send()
    await rowsDone(1)
    const earlier = store.getState().selectedSid
    expect(earlier).toBe(store.getState().timeline.order[0])
    // A note from copying on that row (here the test's page has no clipboard: the note says so, as a person sees).
    await store.getState().copyText('v', 'the value of x', 'headers')
    expect(store.getState().copyNote?.bodyId).toBe('headers')

    store.getState().setUrl(`${server.url}/json?from=burst`)
    await store.getState().send(3)
    await rowsDone(4)
    const s = store.getState()
    const burst = s.timeline.order.filter((sid) => sid !== earlier)
    expect(burst).toHaveLength(3)
    expect(burst).toContain(s.selectedSid)
    expect(s.copyNote).toBeNull()
  })
})
