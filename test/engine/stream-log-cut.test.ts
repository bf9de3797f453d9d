import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GrpcEngine } from '../../src/engine/grpc/grpc-engine'
import type { EngineService } from '../../src/engine/service'
import type { StreamLogStoreOptions } from '../../src/engine/streams/stream-log-store'
import { streamLogCutText } from '../../src/shared/stream-log-cut'
import type { StreamPage } from '../../src/shared/streams'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { call } from './grpc-helpers'
import { makeService, spec } from './helpers'
import { messageCount, record, settle, type Recorder } from './stream-helpers'

/**
 * Every kind of stream session at its log's cut, against real servers flooding it: the log keeps the messages
 * up to the cut and none after, counts every later one as not kept, says where and why (the page's `dropped`
 * and `cut`), and its timeline still shows each message that was not kept (a tick without a log entry), so the
 * count the lanes show and the engine's agree. The limits are made small through the engine's options.
 */

const CAP = 40
const FLOOD = 300

let ws: WsFixture
let sse: SseFixture
let gql: GraphqlFixture
let sio: SocketIoFixture
let grpcServer: GrpcTestServer
const services: EngineService[] = []
const recorders: Recorder[] = []

beforeAll(async () => {
  ;[ws, sse, gql, sio, grpcServer] = await Promise.all([
    startWsServer(),
    startSseServer(),
    startGraphqlServer(),
    startSocketIoServer(),
    startGrpcServer(),
  ])
  sse.route('/flood', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    // Many events a chunk, as a fast server sends them: the log takes a chunk's events as one group.
    for (let i = 0; i < FLOOD; i += 50) {
      let chunk = ''
      for (let j = i; j < i + 50; j++) chunk += `id: ${j}\ndata: {"i":${j}}\n\n`
      res.write(chunk)
    }
    res.end()
  })
})
afterAll(async () => {
  for (const r of recorders) r.stop()
  for (const s of services) await s.dispose()
  await Promise.all([ws.close(), sse.close(), gql.close(), sio.close(), grpcServer.close()])
})

function engine(logs: StreamLogStoreOptions): { service: EngineService; rec: Recorder } {
  const service = makeService({ persistWorkspace: false, watchCollections: false, streamLogs: logs })
  const rec = record(service)
  services.push(service)
  recorders.push(rec)
  return { service, rec }
}

async function page(service: EngineService, sid: string, from = 0): Promise<StreamPage> {
  const r = await service.invoke('stream.read', { sid, from, count: 2000 })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/**
 * What every session must show at a cut by entries: CAP entries kept and no more, the rest of what the timeline
 * showed counted as not kept, with the same words everywhere. Returns the page.
 */
async function expectCutByEntries(service: EngineService, rec: Recorder, sid: string): Promise<StreamPage> {
  const p = await page(service, sid)
  const shown = messageCount(rec.of(sid))
  const notKept = messageCount(rec.of(sid), (e) => 'seq' in e && e.seq < 0)
  expect(p.total).toBe(CAP)
  expect(p.entries).toHaveLength(CAP)
  expect(p.cut).toEqual({ reason: 'entries', limit: CAP, at: CAP })
  // Every message the timeline shows is kept or counted, once.
  expect(p.dropped).toBe(notKept)
  expect(p.total + p.dropped).toBe(shown)
  expect(streamLogCutText(p.dropped, p.cut)).toBe(
    `${p.dropped.toLocaleString('en-US')} messages not kept: this session's log is full (40 messages)`,
  )
  return p
}

describe('each kind of session at its log cut (entries)', () => {
  it('WebSocket: a flood past the cut keeps the first 40 and counts the rest', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const r = await service.invoke('ws.open', {
      url: `${ws.url}/flood?n=${FLOOD}&size=20`,
      headers: [],
      protocols: [],
    })
    if (!r.ok) throw new Error(r.error.message)
    await settle(service, r.value.sid)
    const p = await expectCutByEntries(service, rec, r.value.sid)
    // The flood's messages and its close frame: all but the kept ones counted.
    expect(p.dropped).toBe(FLOOD + 1 - CAP)
  })

  it('SSE: events held a chunk at a time are cut mid-chunk, the rest counted', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const r = await service.invoke('sse.open', {
      request: spec(`${sse.url}/flood`),
      stream: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    await settle(service, r.value.sid)
    const p = await expectCutByEntries(service, rec, r.value.sid)
    expect(p.dropped).toBe(FLOOD - CAP)
    expect(p.entries.at(-1)).toMatchObject({ id: String(CAP - 1), data: `{"i":${CAP - 1}}` })
  })

  it('GraphQL subscription over a WebSocket: results past the cut are counted', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const r = await service.invoke('graphql.send', {
      url: gql.wsUrl,
      query: `subscription { count(to: ${FLOOD}) }`,
      transport: 'ws',
      headers: [],
    })
    if (!r.ok) throw new Error(r.error.message)
    await settle(service, r.value.sid)
    const p = await expectCutByEntries(service, rec, r.value.sid)
    expect(p.dropped).toBeGreaterThanOrEqual(FLOOD - CAP)
  })

  it('GraphQL subscription over SSE: results past the cut are counted', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const r = await service.invoke('graphql.send', {
      url: gql.url,
      query: `subscription { count(to: ${FLOOD}) }`,
      transport: 'sse',
      headers: [],
    })
    if (!r.ok) throw new Error(r.error.message)
    const outcome = await settle(service, r.value.sid)
    // A subscription whose log was cut still ends as it did: the cut loses no result's tick.
    expect(outcome.final.type === 'error' ? outcome.final.message : 'done').toBe('done')
    const p = await expectCutByEntries(service, rec, r.value.sid)
    expect(p.dropped).toBeGreaterThanOrEqual(FLOOD - CAP)
  })

  it('gRPC server stream: messages past the cut are counted once each', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const grpc = new GrpcEngine(service.streams)
    try {
      const opened = await grpc.open(call(grpcServer.target, 'flightdeck.test.Echo/Count', [{ n: FLOOD }]), {
        base: '.',
      })
      if (!opened.ok) throw new Error(opened.error.message)
      await settle(service, opened.value.sid)
      const p = await expectCutByEntries(service, rec, opened.value.sid)
      // The call's message and half-close, the FLOOD received, the trailers: all but the kept counted.
      expect(p.dropped).toBe(FLOOD + 3 - CAP)
    } finally {
      grpc.dispose()
    }
  })

  it('Socket.IO: emitted events past the cut are counted', async () => {
    const { service, rec } = engine({ maxEntries: CAP })
    const r = await service.invoke('socketio.open', { url: sio.url, headers: [], query: [], listen: [] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    await service.invoke('socketio.emit', {
      sid,
      event: 'flood',
      args: [{ kind: 'json', data: String(FLOOD) }],
      ack: false,
    })
    // The flood's ticks (kept or not), then the close.
    await rec.until(
      sid,
      (e) => (e.type === 'ws-message' || e.type === 'sse-event') && e.preview.includes(`${FLOOD - 1}`),
    )
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const p = await expectCutByEntries(service, rec, sid)
    expect(p.dropped).toBeGreaterThanOrEqual(FLOOD - CAP)
  })

  it.skipIf(!MOSQUITTO)('MQTT: publishes past the cut are counted', async () => {
    if (!MOSQUITTO) throw new Error(MOSQUITTO_MISSING)
    const broker = await startMosquitto()
    const peer = await connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'cut-peer',
      reconnectPeriod: 0,
    })
    try {
      const { service, rec } = engine({ maxEntries: CAP })
      const r = await service.invoke('mqtt.open', {
        url: broker.url,
        subscriptions: [{ topic: 'cut/#', qos: 0 }],
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      // The SUBACK is in the log once the subscription holds.
      await rec.until(sid, (e) => (e.type === 'sse-event' || e.type === 'ws-message') && e.kind === 'control')
      for (let i = 0; i < FLOOD; i++) await peer.publishAsync(`cut/${i % 3}`, `m${i}`, { qos: 1 })
      await rec.until(
        sid,
        (e) => (e.type === 'sse-event' || e.type === 'ws-message') && e.preview.includes(`m${FLOOD - 1}`),
      )
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      const p = await expectCutByEntries(service, rec, sid)
      expect(p.dropped).toBeGreaterThanOrEqual(FLOOD - CAP)
    } finally {
      await peer.endAsync(true)
      await broker.close()
    }
  })
})

describe('the budget across sessions', () => {
  it('index: three WebSocket floods share it; each cut one says so, and nothing past it is kept', async () => {
    // Room for 500 record entries of index among all sessions.
    const maxIndexBytes = 25 * 500
    const { service, rec } = engine({ maxIndexBytes })
    const sids: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await service.invoke('ws.open', {
        url: `${ws.url}/flood?n=${FLOOD}&size=20`,
        headers: [],
        protocols: [],
      })
      if (!r.ok) throw new Error(r.error.message)
      sids.push(r.value.sid)
    }
    let kept = 0
    let cut = 0
    for (const sid of sids) {
      await settle(service, sid)
      const p = await page(service, sid)
      kept += p.total
      expect(p.total + p.dropped).toBe(messageCount(rec.of(sid)))
      if (p.cut) {
        cut++
        expect(p.cut).toEqual({ reason: 'index', limit: maxIndexBytes, at: p.total })
        expect(streamLogCutText(p.dropped, p.cut)).toBe(
          `${p.dropped.toLocaleString('en-US')} message${p.dropped === 1 ? '' : 's'} not kept: the logs of all stream sessions are full (12.2 KB of index)`,
        )
      } else expect(p.dropped).toBe(0)
    }
    // 903 messages came; 500 fit.
    expect(kept).toBe(500)
    expect(cut).toBeGreaterThanOrEqual(1)
  })

  it('message bytes: a flood of large messages is cut by the bytes all logs keep, in memory and on disk', async () => {
    const maxKeptBytes = 50_000
    const { service, rec } = engine({ maxKeptBytes, memoryPerLog: 10_000 })
    const r = await service.invoke('ws.open', {
      url: `${ws.url}/flood?n=100&size=1000`,
      headers: [],
      protocols: [],
    })
    if (!r.ok) throw new Error(r.error.message)
    await settle(service, r.value.sid)
    const p = await page(service, r.value.sid)
    // Each record is the 1000 bytes and 4 of head: 49 fit in 50,000.
    expect(p.total).toBe(49)
    expect(p.dropped).toBe(messageCount(rec.of(r.value.sid)) - 49)
    expect(p.cut).toEqual({ reason: 'bytes', limit: maxKeptBytes, at: 49 })
    expect(streamLogCutText(p.dropped, p.cut)).toContain(
      'not kept: the logs of all stream sessions are full (48.8 KB of messages)',
    )
  })

  it('a session let go gives its room back to the logs not cut yet; a cut log stays cut', async () => {
    const { service } = engine({ maxIndexBytes: 25 * 100 })
    const first = await service.invoke('ws.open', {
      url: `${ws.url}/flood?n=150&size=10`,
      headers: [],
      protocols: [],
    })
    if (!first.ok) throw new Error(first.error.message)
    await settle(service, first.value.sid)
    expect((await page(service, first.value.sid)).cut?.reason).toBe('index')
    const logs = service.streams.logs
    expect(logs.indexUsed).toBe(25 * 100)
    logs.remove(first.value.sid)
    expect(logs.indexUsed).toBe(0)
    const second = await service.invoke('ws.open', {
      url: `${ws.url}/flood?n=50&size=10`,
      headers: [],
      protocols: [],
    })
    if (!second.ok) throw new Error(second.error.message)
    await settle(service, second.value.sid)
    const p = await page(service, second.value.sid)
    expect(p).toMatchObject({ total: 51, dropped: 0 })
    expect(p.cut).toBeUndefined()
  })
})
