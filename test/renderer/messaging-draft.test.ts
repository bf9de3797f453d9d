import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptySavedRequest } from '../../src/shared/collection'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { parseSubscriptions } from '../../src/renderer/mqtt/messaging-slice'
import { selectMessagingCompose } from '../../src/renderer/mqtt/messaging-per-tab'
import { SavedItemsBar } from '../../src/renderer/mqtt/SavedItemsBar'
import { createAppStore } from '../../src/renderer/store/app-store'
import {
  isTabDirty,
  scratchTab,
  tabContent,
  tabFromFile,
  type RequestTab,
} from '../../src/renderer/tabs/request-tab'
import { checkMessagingUrl } from '../../src/renderer/mqtt/messaging-url'
import { fakeClient } from './fake-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

describe('MQTT and Socket.IO requests in a tab', () => {
  it('keep their mqtt: and socketio: blocks through a save from the app', () => {
    const mq = {
      ...emptySavedRequest('Sensors', 'mqtt'),
      url: 'mqtt://127.0.0.1:1883',
      mqtt: {
        subscriptions: [{ topic: 's/#', qos: 1 as const }],
        publishes: [{ name: 'p', topic: 's/t', payload: '21.5', qos: 2 as const, retain: true }],
      },
    }
    const sio = {
      ...emptySavedRequest('Chat', 'socketio'),
      url: 'http://127.0.0.1:3000',
      socketio: { namespace: '/chat', listen: ['message'], emits: [] },
    }
    for (const req of [mq, sio]) {
      const saved = draftToSaved(savedToDraft(req), extrasOf(req), req.options)
      expect(saved.mqtt).toEqual(req.mqtt)
      expect(saved.socketio).toEqual(req.socketio)
    }
  })

  it('reads subscriptions as topic@qos, comma-separated, refusing a QoS past 2', () => {
    expect(parseSubscriptions('a/#@1, b ,c@2,')).toEqual({
      ok: true,
      value: [
        { topic: 'a/#', qos: 1 },
        { topic: 'b', qos: 0 },
        { topic: 'c', qos: 2 },
      ],
    })
    expect(parseSubscriptions('a@3')).toMatchObject({
      ok: false,
      error: { message: 'QoS must be 0, 1 or 2 in "a@3"' },
    })
  })
})

describe('MQTT and Socket.IO connection fields per tab', () => {
  const mq = {
    ...emptySavedRequest('Sensors', 'mqtt'),
    url: 'mqtt://127.0.0.1:1883',
    mqtt: {
      options: { protocolVersion: 4 as const, clientId: 'kitchen' },
      subscriptions: [
        { topic: 's/#', qos: 1 as const },
        { topic: 'alerts', qos: 0 as const },
      ],
      publishes: [{ name: 'p', topic: 's/t', payload: '21.5', qos: 2 as const, retain: true }],
    },
  }

  it("a tab shows its file's fields, an edit goes into its block (and marks it edited), another tab keeps its own", () => {
    const store = createAppStore(fakeClient().client)
    const sensors = tabFromFile('/c', 'sensors.yaml', mq, 'v1')
    const other = scratchTab()
    store.setState({ tabs: [sensors, other], activeTabId: sensors.id })
    const c = selectMessagingCompose(store.getState())
    expect(c).toMatchObject({ mqttSubs: 's/#@1, alerts', mqttVersion: 4, mqttClientId: 'kitchen' })
    expect(selectMessagingCompose(store.getState())).toBe(c)

    store.getState().setMessagingCompose({ mqttSubs: 's/#@2', mqttPassword: 'secret' })
    const edited = store.getState().tabs.find((t) => t.id === sensors.id) as RequestTab
    expect(isTabDirty(edited)).toBe(true)
    const saved = tabContent(edited).mqtt
    expect(saved?.subscriptions).toEqual([{ topic: 's/#', qos: 2 }])
    expect(saved?.publishes).toEqual(mq.mqtt.publishes)
    expect(saved?.options).toEqual({ protocolVersion: 4, clientId: 'kitchen' })
    expect(JSON.stringify(saved)).not.toContain('secret')

    store.getState().activateTab(other.id)
    expect(selectMessagingCompose(store.getState())).toMatchObject({ mqttSubs: '', mqttPassword: '' })
    store.getState().activateTab(sensors.id)
    expect(selectMessagingCompose(store.getState())).toMatchObject({
      mqttSubs: 's/#@2',
      mqttPassword: 'secret',
    })
  })
})

function barHtml(app: ReturnType<typeof createAppStore>, what: 'publish' | 'emit', sid: string): string {
  return renderOverStore(app, createElement(SavedItemsBar, { what, sid }))
}

describe('saved publishes and emits in the Publish / Emit box', () => {
  const mq = {
    ...emptySavedRequest('Sensors', 'mqtt'),
    url: 'mqtt://127.0.0.1:1883',
    mqtt: {
      subscriptions: [],
      publishes: [{ name: 'warm', topic: 's/t', payload: '21.5', qos: 1 as const, retain: false }],
    },
  }

  it("lists the request's publishes, fills the box from one, saves the box into the file's block, removes one", () => {
    const app = createAppStore(fakeClient().client)
    const tab = tabFromFile('/c', 'sensors.yaml', mq, 'v1')
    app.setState({
      tabs: [tab],
      activeTabId: tab.id,
      streamOrigins: { mq1: { dir: '/c', path: 'sensors.yaml', tabId: tab.id, messages: [] } },
    })
    const html = barHtml(app, 'publish', 'mq1')
    expect(html).toContain('>warm</option>')

    app.getState().pickSavedItem(0)
    expect(app.getState().mqttPublishDraft).toEqual({ topic: 's/t', payload: '21.5', qos: 1, retain: false })
    app.getState().setMqttPublishDraft({ topic: 's/cold', payload: '4', qos: 2 })
    expect(app.getState().saveMessagingItem('cold')).toBeNull()
    const now = () => tabContent(app.getState().tabs[0] as RequestTab).mqtt?.publishes
    expect(now()?.map((p) => `${p.name} ${p.topic} ${p.payload} ${p.qos}`)).toEqual([
      'warm s/t 21.5 1',
      'cold s/cold 4 2',
    ])
    expect(isTabDirty(app.getState().tabs[0] as RequestTab)).toBe(true)
    app.getState().removeSavedItem(0)
    expect(now()?.map((p) => p.name)).toEqual(['cold'])
    app.getState().setMqttPublishDraft({ topic: ' ' })
    expect(app.getState().saveMessagingItem('x')?.message).toMatch(/Enter the topic/)
  })

  it('saves emits into the socketio: block the same way', () => {
    const app = createAppStore(fakeClient().client)
    const sio = { ...emptySavedRequest('Chat', 'socketio'), url: 'http://127.0.0.1:3000' }
    const tab = tabFromFile('/c', 'chat.yaml', sio, 'v1')
    app.setState({ tabs: [tab], activeTabId: tab.id })
    app.getState().setSocketIoEmitDraft({ event: 'join', args: '{"room":"blue"}', ack: true })
    expect(app.getState().saveMessagingItem('')).toBeNull()
    expect(tabContent(app.getState().tabs[0] as RequestTab).socketio?.emits).toEqual([
      { name: 'join', event: 'join', args: '{"room":"blue"}', ack: true },
    ])
  })

  it("a session's box lists the saved items of the request it was opened from, whichever tab is shown", () => {
    const app = createAppStore(fakeClient().client)
    const sensors = tabFromFile('/c', 'sensors.yaml', mq, 'v1')
    const other = tabFromFile(
      '/c',
      'other.yaml',
      {
        ...emptySavedRequest('Other', 'mqtt'),
        url: 'mqtt://127.0.0.1:1883',
        mqtt: {
          subscriptions: [],
          publishes: [{ name: 'hot', topic: 'o/t', payload: '90', qos: 0 as const, retain: false }],
        },
      },
      'v1',
    )
    // The session came from Sensors; the person is looking at Other.
    app.setState({
      tabs: [sensors, other],
      activeTabId: other.id,
      streamOrigins: { mq1: { dir: '/c', path: 'sensors.yaml', tabId: sensors.id, messages: [] } },
    })
    const html = barHtml(app, 'publish', 'mq1')
    expect(html).toContain('>warm</option>')
    expect(html).not.toContain('hot')
    // Whose list it is, since the tab shown is another request.
    expect(html).toContain('Saved publishes of Sensors (1)')

    // Picking, adding and removing act on Sensors, not on the tab shown.
    app.getState().pickSavedItem(0, sensors.id)
    expect(app.getState().mqttPublishDraft.topic).toBe('s/t')
    app.getState().setMqttPublishDraft({ topic: 's/cold' })
    expect(app.getState().saveMessagingItem('cold', sensors.id)).toBeNull()
    const names = (id: string) =>
      tabContent(app.getState().tabs.find((t) => t.id === id) as RequestTab).mqtt?.publishes.map(
        (p) => p.name,
      )
    expect(names(sensors.id)).toEqual(['warm', 'cold'])
    expect(names(other.id)).toEqual(['hot'])
    app.getState().removeSavedItem(0, sensors.id)
    expect(names(sensors.id)).toEqual(['cold'])

    // Sensors closed: the box says so rather than listing Other's publishes.
    app.setState({ tabs: [other], activeTabId: other.id })
    const closed = barHtml(app, 'publish', 'mq1')
    expect(closed).not.toContain('hot')
    expect(closed).toContain('sensors.yaml is not open in a tab: open it to list its saved publishes')
  })
})

/** A tab switched from MQTT to Socket.IO keeps its URL: Send says under it which schemes the mode takes. */
describe('a messaging URL of the other mode', () => {
  let engine: TestEngine
  beforeAll(() => {
    engine = startEngine()
  })
  afterAll(stopEngines)

  it('is refused at Send, naming the schemes, before a session row is made', async () => {
    const app = engine.store()
    app.getState().setKind('mqtt')
    app.getState().setUrl('mqtt://127.0.0.1:1883')
    app.getState().setKind('socketio')
    await app.getState().send()
    expect(app.getState().sendError?.message).toBe(
      'Socket.IO takes http://, https://, ws:// or wss:// URLs, not mqtt:// (e.g. http://localhost:3000)',
    )
    expect(Object.keys(app.getState().timeline.rows)).toEqual([])
    // What the mode takes, or what only a variable or the engine's default scheme decides, goes on.
    expect(checkMessagingUrl('mqtt', 'WSS://broker/mqtt').ok).toBe(true)
    expect(checkMessagingUrl('socketio', '{{base}}/chat').ok).toBe(true)
    expect(checkMessagingUrl('socketio', 'localhost:3000').ok).toBe(true)
    expect(checkMessagingUrl('mqtt', 'https://broker').ok).toBe(false)
    // The engine's lists and rules (shared/url-schemes.ts): a scheme with one slash, which URL parsers read as
    // two, is refused here as the engine refuses it.
    expect(checkMessagingUrl('socketio', 'mqtt:/broker:1883')).toEqual({
      ok: false,
      error: {
        code: 'invalid_url',
        message:
          'Socket.IO takes http://, https://, ws:// or wss:// URLs, not mqtt:// (e.g. http://localhost:3000)',
      },
    })
  })
})
