import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { emptySavedRequest, savedRequestSchema } from '../../src/shared/collection'
import { Composer } from '../../src/renderer/composer/Composer'
import { MqttPublishBox, SocketIoEmitBox } from '../../src/renderer/mqtt/MessagingCompose'
import { SavedItemsPanel } from '../../src/renderer/mqtt/SavedItemsPanel'
import { createAppStore } from '../../src/renderer/store/app-store'
import { isTabDirty, tabContent, tabFromFile, type RequestTab } from '../../src/renderer/tabs/request-tab'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * MQTT and Socket.IO in the composer: only the tabs that mean something for them, the Saved tab editing saved
 * publishes / emits in place (rename, change, reorder, remove, the box written back), the Acks tab's answers,
 * all going into the request's block so Save writes them.
 */

const sio = {
  ...emptySavedRequest('Chat', 'socketio'),
  url: 'http://127.0.0.1:3000',
  socketio: {
    listen: [],
    emits: [
      { name: 'join', event: 'join', args: '{"room":"blue"}', ack: false },
      { name: 'hello', event: 'say', args: '"hi"', ack: true },
      { name: 'leave', event: 'leave', args: '', ack: false },
    ],
  },
}
const mq = {
  ...emptySavedRequest('Sensors', 'mqtt'),
  url: 'mqtt://127.0.0.1:1883',
  mqtt: {
    subscriptions: [],
    publishes: [{ name: 'warm', topic: 's/t', payload: '21.5', qos: 1 as const, retain: false }],
  },
}

function setUp(req: typeof sio | typeof mq, path: string) {
  const app = createAppStore(fakeClient().client)
  const tab = tabFromFile('/c', path, req, 'v1')
  app.setState({ tabs: [tab], activeTabId: tab.id })
  const html = (): string => renderOverStore(app, createElement(Composer))
  const content = () => tabContent(app.getState().tabs[0] as RequestTab)
  return { app, html, content }
}

const tabNames = (html: string): string[] =>
  [...html.matchAll(/role="tab"[^>]*>([^<]+)/g)].map((m) => m[1] ?? '')

describe('the composer for MQTT and Socket.IO', () => {
  it('offers only the tabs that apply, opening on Connection', () => {
    const io = setUp(sio, 'chat.yaml')
    const h = io.html()
    expect(tabNames(h)).toEqual(['Connection', 'Params', 'Headers', 'Auth', 'Acks', 'Tests', 'Saved'])
    expect(h).toContain('aria-label="Events to listen to"')
    expect(h).not.toContain('aria-label="Auth payload"')
    const m = setUp(mq, 'sensors.yaml')
    expect(tabNames(m.html())).toEqual(['Connection', 'Auth', 'Tests', 'Saved'])
    expect(m.html()).toContain('aria-label="Subscriptions"')
    // The URL's placeholder is a broker's / a Socket.IO server's, not an HTTP API's.
    expect(m.html()).toMatch(/aria-label="URL"[^>]*placeholder="mqtt:\/\/localhost:1883 — mqtts:\/\/ TLS/)
    expect(h).toMatch(
      /aria-label="URL"[^>]*placeholder="http:\/\/localhost:3000 — https:\/\/ TLS; namespace in Connection/,
    )
    // The Subscribe field's `@QoS` is said under it (MQTTX has a QoS picker per subscription).
    expect(m.html()).toMatch(
      /role="note">Topic filters, comma-separated [^<]*@1 or @2 after one subscribes at that\s+QoS, else QoS 0/,
    )
  })
})

describe('the Auth tab of MQTT and Socket.IO', () => {
  it('says which of the collection auth is sent: OAuth 2.0 only, a Basic / Bearer / API key is not', () => {
    const auth = (html: string): string =>
      [...html.matchAll(/<p[^>]*role="note"[^>]*>(.*?)<\/p>/g)].map((m) => m[1] ?? '').join(' ')
    const m = setUp(mq, 'sensors.yaml')
    m.app.getState().chooseComposerPart('auth')
    expect(auth(m.html())).toMatch(
      /OAuth 2\.0 token is sent as the password while Password is empty; their Basic, Bearer, API key and Digest\s+auth are not sent/,
    )
    const basic = setUp({ ...mq, auth: { type: 'basic', username: 'u', password: 'p' } }, 'basic.yaml')
    basic.app.getState().chooseComposerPart('auth')
    expect(auth(basic.html())).toMatch(/sets Basic auth, which MQTT does not send/)
    const io = setUp({ ...sio, auth: { type: 'bearer', token: 't' } }, 'chat.yaml')
    io.app.getState().chooseComposerPart('auth')
    expect(auth(io.html())).toMatch(
      /sets Bearer token auth, which Socket\.IO does not send: put credentials in the auth payload/,
    )
  })
})

describe('the publish and emit boxes of a session that is not open', () => {
  it('say why Publish / Emit is greyed, beside it', () => {
    const app = createAppStore(fakeClient().client)
    const box = (el: typeof MqttPublishBox | typeof SocketIoEmitBox, open: boolean): string =>
      renderOverStore(app, createElement(el, { sid: 's1', open }))
    expect(box(MqttPublishBox, false)).toMatch(/<button[^>]*disabled=""[^>]*>Publish</)
    expect(box(MqttPublishBox, false)).toMatch(
      /role="note">This session is not open: wait while it connects, or press Send to open a new one to publish on/,
    )
    expect(box(SocketIoEmitBox, false)).toMatch(/open a new one to emit on/)
    expect(box(MqttPublishBox, true)).not.toContain('This session is not open')
  })
})

describe('saved emits and publishes edited in place', () => {
  it('renames, changes, reorders and removes; the file block follows, in order', () => {
    const { app, content } = setUp(sio, 'chat.yaml')
    const s = app.getState()
    s.editSavedItem(1, { name: 'greet', args: '["hi", 2]' })
    s.moveSavedItem(2, 0)
    s.editSavedItem(0, { ack: true })
    expect(content().socketio?.emits).toEqual([
      { name: 'leave', event: 'leave', args: '', ack: true },
      { name: 'join', event: 'join', args: '{"room":"blue"}', ack: false },
      { name: 'greet', event: 'say', args: '["hi", 2]', ack: true },
    ])
    s.removeSavedItem(1)
    expect(content().socketio?.emits.map((e) => e.name)).toEqual(['leave', 'greet'])
    expect(isTabDirty(app.getState().tabs[0] as RequestTab)).toBe(true)
    // A move out of the list changes nothing; a patch for the other kind adds nothing to the file.
    s.moveSavedItem(1, 5)
    s.editSavedItem(0, { topic: 'x' } as never)
    expect(content().socketio?.emits.map((e) => e.name)).toEqual(['leave', 'greet'])
    expect(JSON.stringify(content().socketio)).not.toContain('topic')
    expect(savedRequestSchema.safeParse(content()).success).toBe(true)
  })

  it('writes the Publish box over the one picked, keeping its name; an empty topic is refused in words', () => {
    const { app, content } = setUp(mq, 'sensors.yaml')
    const s = app.getState()
    s.setMqttPublishDraft({ topic: ' s/cold ', payload: '4', qos: 2, retain: true })
    expect(s.updateSavedItem(0)).toBeNull()
    expect(content().mqtt?.publishes).toEqual([
      { name: 'warm', topic: 's/cold', payload: '4', qos: 2, retain: true },
    ])
    s.setMqttPublishDraft({ topic: 'a/#' })
    expect(s.updateSavedItem(0)?.message).toMatch(/no \+ or #/)
    s.setMqttPublishDraft({ topic: '' })
    expect(s.updateSavedItem(0)?.message).toBe('A saved publish needs its topic')
    expect(content().mqtt?.publishes[0]?.topic).toBe('s/cold')
  })

  it('the Saved tab lists them with their fields, to edit, move and remove', () => {
    const { app, html } = setUp(sio, 'chat.yaml')
    expect(html()).toContain('>Saved<span class="tab-badge">3</span>')
    const panel = renderOverStore(app, createElement(SavedItemsPanel, { block: 'socketio' }))
    expect(panel).toMatch(/aria-label="Saved emit 2 name"[^>]*value="hello"/)
    expect(panel).toMatch(/aria-label="Saved emit 2 event"[^>]*value="say"/)
    expect(panel).toContain('aria-label="Saved emit 2 arguments"')
    expect(panel).toMatch(/aria-label="Move saved emit 1 up" disabled=""/)
    expect(panel).toContain('aria-label="Remove saved emit 3 (leave)"')
  })
})

describe("answers to the server's ack requests", () => {
  it('go into the socketio: block as acks (none: no key), and count on the Acks tab', () => {
    const { app, content, html } = setUp(sio, 'chat.yaml')
    app.getState().setAckAnswers([{ event: 'question', args: '{"ok":true}' }])
    expect(content().socketio?.acks).toEqual([{ event: 'question', args: '{"ok":true}' }])
    expect(html()).toContain('>Acks<span class="tab-badge">1</span>')
    expect(savedRequestSchema.safeParse(content()).success).toBe(true)
    app.getState().setAckAnswers([])
    expect(content().socketio && 'acks' in content().socketio!).toBe(false)
  })
})
