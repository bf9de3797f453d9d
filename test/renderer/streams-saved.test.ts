import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { isTabDirty } from '../../src/renderer/tabs/request-tab'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A saved WebSocket or SSE request opened from its tab, driven by a real engine against real servers: the stream
 * opens with the collection's variables and auth, and the WebSocket's saved messages live in the request (its
 * tab turns dirty, Ctrl+S writes them to its YAML), never in the browser's per-URL store.
 */

let ws: WsFixture
let sse: SseFixture
beforeAll(async () => {
  ws = await startWsServer()
  sse = await startSseServer()
})
afterAll(async () => {
  await ws.close()
  await sse.close()
})

describe('saved stream requests in the store', () => {
  let dir: string
  let engine: TestEngine
  let store: AppStore

  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-ws-saved-'))
    write(
      'collection.yaml',
      'flightdeck: 1\nname: Chat\nvariables:\n  room: lobby\nauth:\n  type: bearer\n  token: "{{token}}"\n',
    )
    write(
      'environments/local.yaml',
      `name: Local\nvariables:\n  wsBase: ${ws.url}\n  sseBase: ${sse.url}\n  token: t-42\n`,
    )
    write(
      'chat.yaml',
      'name: Chat\nkind: ws\nmethod: GET\nurl: "{{wsBase}}/echo?room={{room}}"\n' +
        'messages:\n  - name: join\n    text: \'{"join":"{{room}}"}\'\n',
    )
    write(
      'feed.yaml',
      'name: Feed\nkind: sse\nmethod: POST\nurl: "{{sseBase}}/events?n=1&close=1"\n' +
        'body:\n  kind: json\n  text: \'{"room":"{{room}}"}\'\n',
    )
    engine = startEngine()
    store = engine.store()
    await openCollection(store, dir)
    store.getState().setEnvironment(dir, 'local')
  })
  afterEach(async () => {
    await stopEngines()
    rmSync(dir, { recursive: true, force: true })
  })

  const activeTab = () => {
    const s = store.getState()
    const tab = s.tabs.find((t) => t.id === s.activeTabId)
    if (!tab) throw new Error('no active tab')
    return tab
  }

  it('a saved SSE POST opens with the environment URL, the inherited bearer and a resolved body', async () => {
    const before = sse.requests.length
    await store.getState().openRequest(dir, 'feed.yaml')
    expect(selectActiveDraft(store.getState()).kind).toBe('sse')
    await store.getState().send()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    expect(sid).toMatch(/^e/)
    await until(() => store.getState().timeline.rows[sid]?.terminal !== null && sse.requests.length > before)
    const hit = sse.requests[before]
    expect(hit?.method).toBe('POST')
    expect(hit?.headers['authorization']).toBe('Bearer t-42')
    expect(hit?.body).toBe('{"room":"lobby"}')
    // The row shows the URL that was opened, and its real method.
    expect(store.getState().timeline.rows[sid]?.queued).toMatchObject({
      method: 'POST',
      url: `${sse.url}/events?n=1&close=1`,
    })
  })

  it('keeps WebSocket messages in the request: dirty tab, saved to its YAML, resolved when sent', async () => {
    await store.getState().openRequest(dir, 'chat.yaml')
    expect(selectActiveDraft(store.getState()).kind).toBe('ws')
    const upgrades = ws.upgrades.length
    await store.getState().send()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    expect(sid).toMatch(/^w/)
    await until(() => ws.upgrades.length > upgrades)
    expect(ws.upgrades.at(-1)?.path).toBe('/echo?room=lobby')
    expect(ws.upgrades.at(-1)?.headers['authorization']).toBe('Bearer t-42')
    expect(store.getState().streamOrigins[sid]).toMatchObject({ dir, path: 'chat.yaml' })
    await until(() => store.getState().timeline.rows[sid]?.status === 101)

    // The file's message is offered; sent, its variables resolve in the request's scope.
    const s = store.getState()
    s.useSavedMessage({ id: 'r0', name: 'join', kind: 'json', data: '{"join":"{{room}}"}' })
    await s.sendWs(sid)
    expect(store.getState().wsError).toBeNull()
    await until(() => ws.received.includes('{"join":"lobby"}'))

    // Saving a new message puts it in the request, not in the browser's per-URL list.
    expect(isTabDirty(activeTab())).toBe(false)
    store.getState().setWsDraft({ kind: 'text', data: 'ping {{room}}' })
    store.getState().saveWsMessage(sid, `${ws.url}/echo?room=lobby`, 'ping')
    expect(store.getState().wsError).toBeNull()
    expect(activeTab().extras.messages).toEqual([
      { name: 'join', text: '{"join":"{{room}}"}' },
      { name: 'ping', text: 'ping {{room}}' },
    ])
    expect(store.getState().savedMessages).toEqual({})
    expect(isTabDirty(activeTab())).toBe(true)
    // Binary kinds cannot live in the file's text: refused with a reason, nothing added.
    store.getState().setWsDraft({ kind: 'hex', data: 'de ad' })
    store.getState().saveWsMessage(sid, `${ws.url}/echo?room=lobby`, 'bytes')
    expect(store.getState().wsError?.message).toMatch(/text and JSON messages only/)
    expect(activeTab().extras.messages).toHaveLength(2)

    await store.getState().saveActiveTab()
    expect(store.getState().tabError).toBeNull()
    expect(isTabDirty(activeTab())).toBe(false)
    const yaml = readFileSync(join(dir, 'chat.yaml'), 'utf8')
    expect(yaml).toContain('messages:\n  - name: join\n')
    expect(yaml).toContain('  - name: ping\n    text: ping {{room}}\n')

    // Removing one marks the tab dirty again; saving writes the file without it.
    store.getState().removeSavedMessage(sid, '', 'r0')
    expect(activeTab().extras.messages).toEqual([{ name: 'ping', text: 'ping {{room}}' }])
    expect(isTabDirty(activeTab())).toBe(true)
    await store.getState().saveActiveTab()
    expect(readFileSync(join(dir, 'chat.yaml'), 'utf8')).not.toContain('name: join')

    // With the tab closed, the messages are still listed from the session's origin but cannot be changed.
    store.getState().closeTab(activeTab().id)
    store.getState().setWsDraft({ kind: 'text', data: 'late' })
    store.getState().saveWsMessage(sid, '', 'late')
    expect(store.getState().wsError?.message).toBe(
      'Open chat.yaml to change its saved messages (they live in its file)',
    )
    await engine.service.invoke('ws.close', { sid })
  })

  it('an unsaved WebSocket keeps its saved messages per URL, in the browser', async () => {
    store.getState().setKind('ws')
    store.getState().setUrl(`${ws.url}/echo`)
    await store.getState().send()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    expect(store.getState().streamOrigins[sid]).toMatchObject({ dir: null, path: null })
    store.getState().setWsDraft({ kind: 'text', data: 'hello' })
    store.getState().saveWsMessage(sid, `${ws.url}/echo`, 'hi')
    expect(store.getState().savedMessages[`${ws.url}/echo`]).toMatchObject([{ name: 'hi', data: 'hello' }])
    await engine.service.invoke('ws.close', { sid })
  })
})
