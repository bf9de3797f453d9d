import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isEngineIo3Handshake } from '../../src/engine/socketio/socketio-version'
import type { CommandRequest } from '../../src/shared/contract'
import type { SocketIoDelivery } from '../../src/shared/socketio'
import type { StreamEntry } from '../../src/shared/streams'
import { startSocketIoV2Stub, type SocketIoV2Stub } from '../fixtures/socketio-v2-stub'
import { startSocketIoV3Server, type SocketIoV3Fixture } from '../fixtures/socketio-v3-server'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/** Socket.IO servers of other versions: v3 (the same protocol as v4) works; v2 is named, not a vague failure. */

let v3: SocketIoV3Fixture
let v2: SocketIoV2Stub
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  v3 = await startSocketIoV3Server()
  v2 = await startSocketIoV2Stub()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await v3.close()
  await v2.close()
})

async function open(url: string, p: Partial<CommandRequest<'socketio.open'>> = {}): Promise<string> {
  const r = await service.invoke('socketio.open', { url, headers: [], query: [], listen: [], ...p })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean, n = 1, ms = 5000): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred, n, ms)

const delivery = (e: StreamEntry | undefined): SocketIoDelivery =>
  JSON.parse(e?.id ?? '{}') as SocketIoDelivery

describe('a Socket.IO v3 server (socket.io 3.1)', () => {
  it('connects over polling with the upgrade; events, acks and binary both ways', async () => {
    const sid = await open(v3.url, { query: [{ name: 'room', value: 'red', enabled: true }] })
    await rec.until(sid, (e) => e.type === 'stream-open')
    let log = await logUntil(sid, (e) => e.event === 'upgrade')
    expect(log.find((e) => e.event === 'welcome')?.data).toBe('[{"room":"red","version":3}]')
    expect(log.find((e) => e.event === 'upgrade')?.data).toBe('Upgraded from polling to websocket')
    const hs = rec.of(sid).find((e) => e.type === 'response-headers')
    expect(hs).toMatchObject({ statusText: 'Engine.IO handshake over polling' })

    await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [
        { kind: 'json', data: '{"a":1}' },
        { kind: 'binary', data: 'cafe', encoding: 'hex' },
      ],
      ack: false,
    })
    log = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'echo')
    const echo = log.find((e) => e.dir === 'in' && e.event === 'echo')
    expect(echo?.data).toBe('[{"a":1},{"$binary":"yv4="}]')
    expect(delivery(echo).binary).toBe(1)

    const sent = await service.invoke('socketio.emit', {
      sid,
      event: 'ack-me',
      args: [{ kind: 'json', data: '"hi"' }],
      ack: true,
    })
    log = await logUntil(sid, (e) => e.event === 'ack')
    const ack = log.find((e) => e.event === 'ack')
    expect(ack).toMatchObject({ kind: 'control', data: '[{"got":["hi"]}]' })
    expect(delivery(ack)).toMatchObject({ ack: 1, emitSeq: sent.ok ? sent.value.seq : -1 })

    await service.invoke('socketio.emit', { sid, event: 'bin', args: [], ack: false })
    log = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'bin')
    expect(log.find((e) => e.dir === 'in' && e.event === 'bin')?.data).toBe('[{"$binary":"AQID"}]')
    await service.invoke('session.cancel', { sid })
    expect((await settle(service, sid)).final.type).toBe('done')
  })

  it("the URL's query goes with the handshake (it was dropped: the client keeps the origin)", async () => {
    const sid = await open(`${v3.url}/?room=from-url`, { options: { transports: 'websocket' } })
    const log = await logUntil(sid, (e) => e.event === 'welcome')
    expect(log.find((e) => e.event === 'welcome')?.data).toBe('[{"room":"from-url","version":3}]')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('namespaces: a refusing middleware is an auth error; with the token, the namespace answers', async () => {
    const refused = await open(v3.url, { namespace: '/admin', auth: '{"token":"no"}' })
    expect((await settle(service, refused)).final).toMatchObject({
      type: 'error',
      code: 'auth',
      message: 'The server refused the connection to namespace /admin: not authorized',
    })
    const sid = await open(v3.url, {
      namespace: '/admin',
      auth: '{"token":"secret"}',
      options: { transports: 'websocket' },
    })
    const [so] = await rec.until(sid, (e) => e.type === 'stream-open')
    expect(so).toMatchObject({ status: 101 })
    const log = await logUntil(sid, (e) => e.event === 'hello-admin')
    expect(log.find((e) => e.event === 'hello-admin')?.data).toBe('["welcome, admin (v3)"]')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })
})

describe('a Socket.IO v2 server (Engine.IO protocol 3)', () => {
  it('its handshake is told by its framing: length-prefixed text or binary, not a v4 answer', () => {
    const open = '0{"sid":"x","upgrades":[]}'
    expect(isEngineIo3Handshake(Buffer.from(`${open.length}:${open}2:40`))).toBe(true)
    const binary = Buffer.concat([Buffer.from([0, 2, 6, 255]), Buffer.from(open)])
    expect(isEngineIo3Handshake(binary)).toBe(true)
    expect(isEngineIo3Handshake(Buffer.from(`${open}\x1e40`))).toBe(false)
    expect(isEngineIo3Handshake(Buffer.from('<html>'))).toBe(false)
  })

  for (const transports of ['polling', 'websocket'] as const) {
    it(`is named in words over ${transports}, and not retried`, async () => {
      const sid = await open(v2.url, { options: { transports, reconnect: true, backoffMs: 10 } })
      const { final } = await settle(service, sid)
      expect(final).toMatchObject({ type: 'error', code: 'unsupported' })
      expect(final.type === 'error' && final.message).toMatch(
        /^This server speaks Socket.IO v2 \(Engine.IO protocol 3\); Flightdeck speaks Socket.IO v3 and v4/,
      )
      expect(rec.of(sid).some((e) => e.type === 'retry')).toBe(false)
    })
  }
})
