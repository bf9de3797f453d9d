import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Server as IoServer } from 'socket.io'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * A WebSocket's and a Socket.IO session's handshakes go with Flightdeck's User-Agent unless the request's
 * `omitDefaultHeaders` leaves it out, as a send and an SSE request do (a server that tells clients apart by it saw
 * one from every tab but these). A `ws` server and a Socket.IO server on 127.0.0.1 record every request's headers:
 * the upgrade's, and each Engine.IO poll's.
 */
let wsServer: WsFixture
let ioHttp: HttpServer
let ioUrl = ''
const ioRequests: IncomingHttpHeaders[] = []
const ioSockets = new Set<Socket>()
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  wsServer = await startWsServer()
  ioHttp = createServer()
  ioHttp.on('connection', (c: Socket) => {
    ioSockets.add(c)
    c.once('close', () => ioSockets.delete(c))
  })
  // Engine.IO takes the server's request listeners over: each poll is seen as its answer's headers are made.
  ioHttp.prependListener('upgrade', (req) => ioRequests.push(req.headers))
  const io = new IoServer(ioHttp)
  io.engine.on('headers', (_headers: unknown, req: IncomingMessage) => ioRequests.push(req.headers))
  io.on('connection', (socket) => socket.emit('welcome', 'hi'))
  await new Promise<void>((r) => ioHttp.listen(0, '127.0.0.1', r))
  ioUrl = `http://127.0.0.1:${(ioHttp.address() as AddressInfo).port}`
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await wsServer.close()
  for (const s of ioSockets) s.destroy()
  await new Promise<void>((r) => ioHttp.close(() => r()))
})

async function wsUpgradeHeaders(options: CommandRequest<'ws.open'>['options']): Promise<IncomingHttpHeaders> {
  const before = wsServer.upgrades.length
  const r = await service.invoke('ws.open', {
    url: `${wsServer.url}/echo`,
    headers: [],
    protocols: [],
    ...(options ? { options } : {}),
  })
  if (!r.ok) throw new Error(r.error.message)
  await rec.until(r.value.sid, (e) => e.type === 'stream-open', 1, 5000)
  await service.invoke('session.cancel', { sid: r.value.sid })
  await settle(service, r.value.sid)
  expect(wsServer.upgrades.length).toBe(before + 1)
  return wsServer.upgrades.at(-1)?.headers ?? {}
}

async function socketIoHeaders(
  options: CommandRequest<'socketio.open'>['options'],
): Promise<IncomingHttpHeaders[]> {
  ioRequests.length = 0
  const r = await service.invoke('socketio.open', {
    url: ioUrl,
    headers: [],
    query: [],
    listen: [],
    ...(options ? { options } : {}),
  })
  if (!r.ok) throw new Error(r.error.message)
  // Its entries in (the welcome; over polling, the upgrade's marker too): every poll and the upgrade went out.
  const entries = options?.transports === 'websocket' ? 1 : 2
  await rec.until(r.value.sid, (e) => e.type === 'sse-event', entries, 5000)
  await service.invoke('session.cancel', { sid: r.value.sid })
  await settle(service, r.value.sid)
  return [...ioRequests]
}

/** A GraphQL-over-WebSocket operation's upgrade headers (the server offers no GraphQL subprotocol: it ends there). */
async function graphqlUpgradeHeaders(omit: boolean, shareConnection: boolean): Promise<IncomingHttpHeaders> {
  const before = wsServer.upgrades.length
  const r = await service.invoke('graphql.send', {
    url: `${wsServer.url}/graphql`,
    query: 'subscription { ticks }',
    transport: 'transport-ws',
    headers: [],
    ...(omit ? { options: { omitDefaultHeaders: ['user-agent'] } } : {}),
    subscription: { shareConnection },
  })
  if (!r.ok) throw new Error(r.error.message)
  await service.waitForStream(r.value.sid)
  expect(wsServer.upgrades.length).toBe(before + 1)
  return wsServer.upgrades.at(-1)?.headers ?? {}
}

describe("a handshake's User-Agent", () => {
  it('a GraphQL subscription over WebSocket sends Flightdeck’s, and none when left out, shared or not', async () => {
    for (const shared of [false, true]) {
      expect((await graphqlUpgradeHeaders(false, shared))['user-agent']).toMatch(/^Flightdeck\//)
      expect((await graphqlUpgradeHeaders(true, shared))['user-agent']).toBeUndefined()
    }
  })

  it('a WebSocket sends Flightdeck’s, and none when omitDefaultHeaders lists user-agent', async () => {
    expect((await wsUpgradeHeaders(undefined))['user-agent']).toMatch(/^Flightdeck\//)
    expect((await wsUpgradeHeaders({ omitDefaultHeaders: ['user-agent'] }))['user-agent']).toBeUndefined()
  })

  it('a WebSocket sends one typed in the request as typed', async () => {
    const r = await service.invoke('ws.open', {
      url: `${wsServer.url}/echo`,
      headers: [{ name: 'User-Agent', value: 'probe/1', enabled: true }],
      protocols: [],
      options: { omitDefaultHeaders: ['user-agent'] },
    })
    if (!r.ok) throw new Error(r.error.message)
    await rec.until(r.value.sid, (e) => e.type === 'stream-open', 1, 5000)
    await service.invoke('session.cancel', { sid: r.value.sid })
    await settle(service, r.value.sid)
    expect(wsServer.upgrades.at(-1)?.headers['user-agent']).toBe('probe/1')
  })

  it('Socket.IO sends Flightdeck’s on every poll and the upgrade, and none when left out', async () => {
    const sent = await socketIoHeaders({ transports: 'polling' })
    // The handshake poll, at least one more, and the upgrade.
    expect(sent.length).toBeGreaterThanOrEqual(3)
    expect(sent.map((h) => h['user-agent']?.replace(/\/.*/, '/…'))).toEqual(sent.map(() => 'Flightdeck/…'))
    const omitted = await socketIoHeaders({ transports: 'polling', omitDefaultHeaders: ['user-agent'] })
    expect(omitted.map((h) => h['user-agent'] ?? null)).toEqual(omitted.map(() => null))
    expect(omitted.length).toBeGreaterThanOrEqual(3)
    const wsOnly = await socketIoHeaders({ transports: 'websocket', omitDefaultHeaders: ['user-agent'] })
    expect(wsOnly.length).toBeGreaterThanOrEqual(1)
    expect(wsOnly.map((h) => h['user-agent'] ?? null)).toEqual(wsOnly.map(() => null))
  })
})
