import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestLine } from '../../src/renderer/composer/RequestLine'
import { Timeline } from '../../src/renderer/timeline/Timeline'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import { selectTabLiveSession } from '../../src/renderer/streams/tab-session'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The composer's button on a WebSocket, MQTT or Socket.IO tab says what it does, as Postman's and Insomnia's:
 * Connect, then Disconnect while the session the tab opened lives (over a real engine and WebSocket server).
 */

let engine: TestEngine
let ws: WsFixture

beforeAll(async () => {
  engine = startEngine()
  ws = await startWsServer()
})
afterAll(async () => {
  await stopEngines()
  await ws.close()
})

/** The words of the stream details pane's button on its status line (the selected row's). */
function detailsButton(store: ReturnType<TestEngine['store']>): string {
  const html = renderOverStore(store, createElement(StreamDetailsSwitch, null, null))
  return (
    /class="status-line">.*?<button type="button" class="secondary-button"[^>]*>([^<]*)<\/button>/.exec(
      html,
    )?.[1] ?? ''
  )
}

/** The request line's primary button's words, as rendered over the store now. */
function button(store: ReturnType<TestEngine['store']>): string {
  const html = renderOverStore(store, createElement(RequestLine))
  return (
    /<button type="(?:submit|button)" class="primary-button"[^>]*>([^<]*)<\/button>/.exec(html)?.[1] ?? ''
  )
}

describe('the Connect / Disconnect button', () => {
  it('the empty timeline names the key as the tab uses it: Send ×N only for HTTP, connect for a session', () => {
    const store = engine.store({ connect: false })
    const note = (): string =>
      renderOverStore(store, createElement(Timeline))
        .replace(/<[^>]+>/g, '')
        .replace(/&#x27;/g, "'")
        .replace(/\s+/g, ' ')
    expect(note()).toContain('Type a URL and press Ctrl+Enter, or fire many at once with Send ×N.')
    for (const kind of ['ws', 'mqtt', 'socketio'] as const) {
      store.getState().setKind(kind)
      expect(note()).toContain('Type a URL and press Ctrl+Enter to connect.')
      expect(note()).not.toContain('Send ×N')
    }
    // A gRPC tab invokes a method: its hint says so, not 'Type a URL and press Ctrl+Enter.'
    store.getState().setKind('grpc')
    expect(note()).toContain("Type the server's address, pick a method and press Ctrl+Enter to invoke it.")
  })

  it('says Connect, then Disconnect while the session lives; Enter opens no second one; Connect once it ends', async () => {
    const store = engine.store()
    const s = (): ReturnType<typeof store.getState> => store.getState()
    s().setKind('ws')
    s().setUrl(`${ws.url}/echo`)
    expect(button(store)).toBe('Connect')
    const upgrades = ws.upgrades.length
    await s().send(1)
    const sid = s().selectedSid ?? ''
    await until(() => s().streamLanes[sid]?.openSince != null)
    expect(selectTabLiveSession(s())).toBe(sid)
    expect(button(store)).toBe('Disconnect')
    // One Disconnect on the page: the details pane has no second button for the session the composer's ends.
    expect(detailsButton(store)).toBe('')
    // The form's submit (Enter in the URL) and Ctrl+Enter go through send: no second session behind the first.
    await s().send(1)
    expect(s().selectedSid).toBe(sid)
    expect(ws.upgrades.length).toBe(upgrades + 1)

    // Another tab's kind is its own: an MQTT or Socket.IO tab with no session says Connect, HTTP says Send.
    s().newTab()
    // Seen from a tab that did not open it, the session is closed from the details pane, by another word.
    expect(s().selectedSid).toBe(sid)
    expect(detailsButton(store)).toBe('Close')
    s().setKind('mqtt')
    expect(button(store)).toBe('Connect')
    s().setKind('socketio')
    expect(button(store)).toBe('Connect')
    s().setKind('http')
    expect(button(store)).toBe('Send')
    s().closeTab(s().activeTabId)

    // Disconnect closes it; the tab's button says Connect again.
    await s().cancel(sid)
    await until(() => s().timeline.rows[sid]?.end != null)
    expect(selectTabLiveSession(s())).toBeNull()
    expect(button(store)).toBe('Connect')
  })
})
