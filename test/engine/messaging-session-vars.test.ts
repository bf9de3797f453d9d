import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestContext } from '../../src/shared/collection'
import type { StreamEntry } from '../../src/shared/streams'
import { watchBroker, type BrokerWatcher } from '../fixtures/broker-watcher'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from './helpers'
import { record, type Recorder } from './stream-helpers'
import { logUntil as logUntilIn } from './log-until'

/**
 * A session opened from a collection's tab (its `context`) resolves `{{variables}}` in what it sends after the
 * URL, as a WebSocket message does: MQTT's connect (client id, user name, password, will), topic filters,
 * publishes; Socket.IO's auth payload and emits. What the broker relayed and the server received is checked
 * from the other side. An unknown variable refuses that one publish or emit, naming it; the session goes on.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT variable tests: ${MOSQUITTO_MISSING}`)

let dir: string
let configDir: string
let service: EngineService
let rec: Recorder
let io: SocketIoFixture
const context: RequestContext = { dir: '', path: '', env: 'local' }

beforeAll(async () => {
  io = await startSocketIoServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-msg-vars-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-msg-vars-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    'flightdeck: 1\nname: Live\nvariables:\n  room: lobby\n  token: t-123\n  evt: echo\n  blank: ""\n  broker: mqtt://127.0.0.1:1\n',
  )
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'local.yaml'),
    [
      'name: Local',
      'variables:',
      '  user: alice',
      '  pass: wonderland',
      '  cid: fd-vars-client',
      '  adminToken: secret',
      '',
    ].join('\n'),
  )
  context.dir = dir
  service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  rec = record(service)
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await io.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred)

describe.skipIf(!MOSQUITTO)('MQTT sessions resolve {{variables}} in what they send', () => {
  let broker: MosquittoFixture
  let watcher: BrokerWatcher

  beforeAll(async () => {
    broker = await startMosquitto()
    watcher = await watchBroker(broker.url, 'peer')
  })
  afterAll(async () => {
    await watcher?.close()
    await broker?.close()
  })

  const seen = async (topic: string): Promise<string> => (await watcher.on(topic)).payload

  it.skipIf(!MOSQUITTO)(
    'connects with the resolved user name and password and subscribes the resolved topic filters',
    async () => {
      if (!broker.authUrl) return
      const r = await service.invoke('mqtt.open', {
        url: broker.authUrl,
        subscriptions: [{ topic: '{{room}}/in', qos: 0 }],
        options: { username: '{{user}}', password: '{{pass}}', protocolVersion: 5 },
        context,
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      // A broker that wants alice/wonderland let the session in: it did not get `{{user}}`.
      await rec.until(sid, (e) => e.type === 'stream-open')
      await logUntil(sid, (e) => e.event === 'SUBACK')
      // The subscription made at open is `lobby/in`, not `{{room}}/in`.
      await watcher.client.publishAsync('lobby/in', 'hello lobby')
      await logUntil(sid, (e) => e.dir === 'in' && e.event === 'lobby/in' && e.data === 'hello lobby')
      await service.invoke('session.cancel', { sid })
      await service.streams.wait(sid)
    },
    20_000,
  )

  it.skipIf(!MOSQUITTO)(
    'publishes resolved topics and payloads, subscribes resolved filters; an unknown variable refuses one publish',
    async () => {
      const r = await service.invoke('mqtt.open', { url: broker.url, subscriptions: [], context })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      const pub = await service.invoke('mqtt.publish', {
        sid,
        topic: '{{room}}/out',
        payload: '{"token":"{{token}}"}',
        qos: 1,
        retain: false,
      })
      expect(pub.ok).toBe(true)
      expect(await seen('lobby/out')).toBe('{"token":"t-123"}')
      expect(watcher.relayed.some((m) => m.topic.includes('{{'))).toBe(false)

      // A filter subscribed to resolves too.
      const sub = await service.invoke('mqtt.subscribe', {
        sid,
        subscriptions: [{ topic: '{{room}}/later', qos: 0 }],
      })
      expect(sub.ok).toBe(true)
      await logUntil(sid, (e) => e.event === 'SUBACK')
      await watcher.client.publishAsync('lobby/later', 'later on')
      await logUntil(sid, (e) => e.dir === 'in' && e.event === 'lobby/later')

      // An unknown variable refuses that publish, naming it; nothing goes out and the session carries on.
      const before = watcher.relayed.length
      const bad = await service.invoke('mqtt.publish', {
        sid,
        topic: '{{room}}/bad',
        payload: '{{nowhere}}',
        qos: 0,
        retain: false,
      })
      expect(bad).toMatchObject({ ok: false, error: { code: 'unknown_variable' } })
      expect(bad.ok ? '' : bad.error.message).toContain('{{nowhere}}')
      const after = await service.invoke('mqtt.publish', {
        sid,
        topic: '{{room}}/after',
        payload: 'still here',
        qos: 0,
        retain: false,
      })
      expect(after.ok).toBe(true)
      expect(await seen('lobby/after')).toBe('still here')
      expect(watcher.relayed.slice(before).some((m) => m.topic === 'lobby/bad')).toBe(false)

      // A topic that resolves to nothing is refused in words, not sent to an empty topic.
      const blank = await service.invoke('mqtt.publish', {
        sid,
        topic: '{{blank}}',
        payload: 'x',
        qos: 0,
        retain: false,
      })
      expect(blank).toMatchObject({
        ok: false,
        error: { message: 'The topic {{blank}} is empty once resolved' },
      })

      // So is a filter, at open as later.
      const noFilter = await service.invoke('mqtt.open', {
        url: broker.url,
        subscriptions: [
          { topic: 'ok/#', qos: 0 },
          { topic: '{{blank}}', qos: 0 },
        ],
        context,
      })
      expect(noFilter).toMatchObject({
        ok: false,
        error: { message: 'The topic filter {{blank}} is empty once resolved' },
      })

      // Bytes given as hex go as they are: `{{` there is not a variable.
      const hex = await service.invoke('mqtt.publish', {
        sid,
        topic: '{{room}}/hex',
        payload: Buffer.from('{{x}}').toString('hex'),
        encoding: 'hex',
        qos: 0,
        retain: false,
      })
      expect(hex.ok).toBe(true)
      expect(await seen('lobby/hex')).toBe('{{x}}')
      await service.invoke('session.cancel', { sid })
      await service.streams.wait(sid)
    },
    20_000,
  )

  it.skipIf(!MOSQUITTO)(
    'the client id and the will resolve: taken over, the broker sends the resolved will',
    async () => {
      const r = await service.invoke('mqtt.open', {
        url: broker.url,
        subscriptions: [],
        options: {
          clientId: '{{cid}}',
          protocolVersion: 5,
          will: { topic: '{{room}}/will', payload: 'gone {{token}}', qos: 0, retain: false },
        },
        context,
      })
      if (!r.ok) throw new Error(r.error.message)
      await rec.until(r.value.sid, (e) => e.type === 'stream-open')
      // A second client with the resolved id takes the session over: the first one's will goes out.
      const twin = await connectAsync(broker.url, {
        protocolVersion: 5,
        clientId: 'fd-vars-client',
        reconnectPeriod: 0,
      })
      try {
        expect(await seen('lobby/will')).toBe('gone t-123')
      } finally {
        await twin.endAsync(true)
        await service.invoke('session.cancel', { sid: r.value.sid })
        await service.streams.wait(r.value.sid)
      }
    },
    20_000,
  )
})

describe('Socket.IO sessions resolve {{variables}} in what they send', () => {
  it('the auth payload reaches the server resolved', async () => {
    const r = await service.invoke('socketio.open', {
      url: io.url,
      namespace: '/admin',
      auth: '{"token":"{{adminToken}}"}',
      headers: [],
      query: [],
      listen: [],
      context,
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    // /admin lets in only auth.token === 'secret': it received the resolved payload.
    await logUntil(sid, (e) => e.event === 'hello-admin')
    await service.invoke('session.cancel', { sid })
    await service.streams.wait(sid)
  })

  it('the event name and the arguments reach the server resolved; an unknown one refuses that emit', async () => {
    const root = await service.invoke('socketio.open', {
      url: io.url,
      headers: [],
      query: [],
      listen: [],
      context,
    })
    if (!root.ok) throw new Error(root.error.message)
    const s2 = root.value.sid
    await logUntil(s2, (e) => e.event === 'welcome')
    // The server echoes back what it received on `echo`.
    const emit = await service.invoke('socketio.emit', {
      sid: s2,
      event: '{{evt}}',
      args: [
        { kind: 'json', data: '{"token":"{{token}}","room":"{{room}}"}' },
        { kind: 'text', data: 'plain {{room}}' },
      ],
      ack: false,
    })
    expect(emit.ok).toBe(true)
    const log = await logUntil(s2, (e) => e.dir === 'in' && e.event === 'echo')
    expect(log.find((e) => e.dir === 'in' && e.event === 'echo')?.data).toBe(
      '[{"token":"t-123","room":"lobby"},"plain lobby"]',
    )

    const bad = await service.invoke('socketio.emit', {
      sid: s2,
      event: 'echo',
      args: [{ kind: 'text', data: '{{nowhere}}' }],
      ack: false,
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'unknown_variable' } })
    expect(bad.ok ? '' : bad.error.message).toContain('{{nowhere}}')
    const blank = await service.invoke('socketio.emit', { sid: s2, event: '{{blank}}', args: [], ack: false })
    expect(blank).toMatchObject({
      ok: false,
      error: { message: 'The event {{blank}} is empty once resolved' },
    })
    // The session carries on: the next emit goes out and comes back.
    const again = await service.invoke('socketio.emit', {
      sid: s2,
      event: 'echo',
      args: [{ kind: 'text', data: 'again {{token}}' }],
      ack: false,
    })
    expect(again.ok).toBe(true)
    const log2 = await logUntil(s2, (e) => e.dir === 'in' && e.data === '["again t-123"]')
    expect(log2.some((e) => e.data.includes('nowhere'))).toBe(false)
    await service.invoke('session.cancel', { sid: s2 })
    await service.streams.wait(s2)
  }, 20_000)

  it('a session opened from no collection sends its texts as typed', async () => {
    const r = await service.invoke('socketio.open', { url: io.url, headers: [], query: [], listen: [] })
    if (!r.ok) throw new Error(r.error.message)
    await logUntil(r.value.sid, (e) => e.event === 'welcome')
    const emit = await service.invoke('socketio.emit', {
      sid: r.value.sid,
      event: 'echo',
      args: [{ kind: 'text', data: '{{room}}' }],
      ack: false,
    })
    expect(emit.ok).toBe(true)
    await logUntil(r.value.sid, (e) => e.dir === 'in' && e.data === '["{{room}}"]')
    await service.invoke('session.cancel', { sid: r.value.sid })
    await service.streams.wait(r.value.sid)
  })
})

/**
 * A URL of another mode (a tab switched from MQTT keeps its mqtt://) is refused by the open itself, once its
 * {{variables}} are filled in, naming the schemes the mode takes: the app shows it under the URL and the CLI
 * prints it, and no session row is made. Nothing is listening on port 1: none of these may connect.
 */
describe('every mode refuses a URL of another scheme when asked to open', () => {
  const refused = (r: { ok: boolean; error?: { code: string; message: string } }, text: string): void => {
    expect(r.ok).toBe(false)
    expect(r.error).toEqual({ code: 'invalid_url', message: text })
  }
  const none = { kind: 'none' as const }

  it('WebSocket and SSE', async () => {
    refused(
      await service.invoke('ws.open', { url: '{{broker}}', headers: [], protocols: [], context }),
      'WebSocket takes ws:// or wss:// URLs, not mqtt:// (e.g. ws://localhost:8080)',
    )
    const request = { method: 'GET', url: 'ws://127.0.0.1:1/', headers: [], body: none, options: {} }
    refused(
      await service.invoke('sse.open', { request }),
      'SSE takes http:// or https:// URLs, not ws:// (e.g. http://localhost:8080/events)',
    )
  })

  it('GraphQL, by its transport', async () => {
    const send = (transport: 'http' | 'transport-ws' | 'sse') =>
      service.invoke('graphql.send', {
        url: '{{broker}}/graphql',
        query: '{ a }',
        transport,
        headers: [],
        context,
      })
    refused(
      await send('http'),
      'GraphQL over HTTP takes http:// or https:// URLs, not mqtt:// (e.g. http://localhost:4000/graphql)',
    )
    refused(
      await send('transport-ws'),
      'GraphQL over WebSocket takes ws://, wss://, http:// or https:// URLs, not mqtt:// (e.g. ws://localhost:4000/graphql)',
    )
    refused(
      await send('sse'),
      'GraphQL over SSE takes http:// or https:// URLs, not mqtt:// (e.g. http://localhost:4000/graphql/stream)',
    )
  })

  it('gRPC, MQTT and Socket.IO', async () => {
    const grpcOpen = await service.invoke('grpc.open', {
      target: 'ws://127.0.0.1:1',
      method: 'demo.Echo/Say',
      messages: [],
      metadata: [],
      schema: { kind: 'reflection' },
      tls: { plaintext: true },
    })
    refused(
      grpcOpen,
      'gRPC takes host:port targets or grpc://, grpcs://, http:// or https:// URLs, not ws:// (e.g. localhost:50051)',
    )
    refused(
      await service.invoke('mqtt.open', { url: 'http://127.0.0.1:1', subscriptions: [] }),
      'MQTT takes mqtt://, mqtts://, ws:// or wss:// URLs, not http:// (e.g. mqtt://localhost:1883)',
    )
    refused(
      await service.invoke('socketio.open', {
        url: '{{broker}}',
        headers: [],
        query: [],
        listen: [],
        context,
      }),
      'Socket.IO takes http://, https://, ws:// or wss:// URLs, not mqtt:// (e.g. http://localhost:3000)',
    )
  })
})
