import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { SocketIoDelivery } from '../../src/shared/socketio'
import type { StreamEntry } from '../../src/shared/streams'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'
import { readLog, record, settle, type Recorder } from './stream-helpers'

let server: SocketIoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startSocketIoServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

async function open(p: Partial<CommandRequest<'socketio.open'>> = {}): Promise<string> {
  const r = await service.invoke('socketio.open', {
    url: server.url,
    headers: [],
    query: [],
    listen: [],
    ...p,
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const opened = (sid: string, n = 1) => rec.until(sid, (e) => e.type === 'stream-open', n)

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean, n = 1, ms = 5000): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred, n, ms)

const delivery = (e: StreamEntry | undefined): SocketIoDelivery =>
  JSON.parse(e?.id ?? '{}') as SocketIoDelivery

describe('Socket.IO sessions', () => {
  it('connects over polling, shows the Engine.IO handshake and the upgrade, with headers and query', async () => {
    const sid = await open({
      headers: [{ name: 'X-Token', value: 't-1', enabled: true }],
      query: [{ name: 'room', value: 'blue', enabled: true }],
    })
    await opened(sid)
    const log = await logUntil(sid, (e) => e.event === 'upgrade')
    const events = rec.of(sid)
    expect(events[0]).toMatchObject({ type: 'queued', kind: 'socketio', method: 'CONNECT' })
    const hs = events.find((e) => e.type === 'response-headers')
    expect(hs).toMatchObject({ status: 200, statusText: 'Engine.IO handshake over polling' })
    expect(hs?.type === 'response-headers' && hs.headers.map(([k]) => k)).toEqual(
      expect.arrayContaining(['Engine.IO-Sid', 'Upgrades', 'Ping-Interval']),
    )
    const so = events.find((e) => e.type === 'stream-open')
    // The upgrade may finish before the namespace's CONNECT is answered: the note names the transport then.
    expect(so).toMatchObject({ mode: 'socketio' })
    expect(so?.type === 'stream-open' && so.note).toMatch(
      /^namespace \/ connected over (polling|websocket), socket id /,
    )
    const welcome = log.find((e) => e.event === 'welcome')
    expect(welcome).toMatchObject({ dir: 'in', kind: 'text', data: '[{"token":"t-1","room":"blue"}]' })
    expect(log.find((e) => e.event === 'upgrade')?.data).toBe('Upgraded from polling to websocket')
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({ by: 'client' })
  })

  it('refuses a header its client writes itself, naming it, before anything is sent', async () => {
    const sid = await open({ headers: [{ name: 'Transfer-Encoding', value: 'chunked', enabled: true }] })
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.message).toMatch(
      /^Header "Transfer-Encoding" cannot be set: Socket.IO's client .* frames its requests itself/,
    )
    expect(rec.of(sid).some((e) => e.type === 'request-sent')).toBe(false)
  })

  it('emits JSON, text and binary; an ack is paired with its emit and its round trip', async () => {
    const sid = await open({ options: { transports: 'websocket' } })
    await opened(sid)
    expect(rec.of(sid).find((e) => e.type === 'stream-open')).toMatchObject({ status: 101 })
    const e1 = await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [
        { kind: 'json', data: '{"a":1}' },
        { kind: 'text', data: 'plain' },
        { kind: 'binary', data: 'cafe', encoding: 'hex' },
      ],
      ack: false,
    })
    expect(e1.ok).toBe(true)
    const log1 = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'echo')
    const back = log1.find((e) => e.dir === 'in' && e.event === 'echo')
    expect(back?.data).toBe('[{"a":1},"plain",{"$binary":"yv4="}]')
    expect(delivery(back).binary).toBe(1)
    const sent = await service.invoke('socketio.emit', {
      sid,
      event: 'ack-me',
      args: [{ kind: 'json', data: '[1,2]' }],
      ack: true,
    })
    const seq = sent.ok ? sent.value.seq : -2
    const log2 = await logUntil(sid, (e) => e.event === 'ack')
    const ack = log2.find((e) => e.event === 'ack')
    expect(ack).toMatchObject({ dir: 'in', kind: 'control', data: '[{"got":[[1,2]]}]' })
    expect(delivery(ack)).toMatchObject({ ack: 1, emitSeq: seq })
    expect(delivery(ack).rttMs).toBeGreaterThan(0)
    expect(delivery(log2[seq])).toMatchObject({ ack: 1 })
    await service.invoke('socketio.emit', { sid, event: 'bin', args: [], ack: false })
    const log3 = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'bin')
    expect(log3.find((e) => e.dir === 'in' && e.event === 'bin')?.data).toBe('[{"$binary":"AQID"}]')
    const bad = await service.invoke('socketio.emit', {
      sid,
      event: 'x',
      args: [{ kind: 'json', data: '{' }],
      ack: false,
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('listens only to the named events when given', async () => {
    const sid = await open({ listen: ['echo'] })
    await opened(sid)
    await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [{ kind: 'text', data: 'x' }],
      ack: false,
    })
    const log = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'echo')
    expect(log.some((e) => e.event === 'welcome')).toBe(false)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('a namespace whose middleware refuses: an auth error in the server words, never reconnected', async () => {
    const sid = await open({
      namespace: '/admin',
      auth: '{"token":"nope"}',
      options: { reconnect: true, backoffMs: 10 },
    })
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({
      type: 'error',
      code: 'auth',
      message: 'The server refused the connection to namespace /admin: not authorized',
      detail: '{"hint":"send auth.token"}',
    })
    expect(rec.of(sid).some((e) => e.type === 'retry')).toBe(false)
    const ok = await open({ namespace: '/admin', auth: '{"token":"secret"}' })
    const log = await logUntil(ok, (e) => e.event === 'hello-admin')
    expect(log.find((e) => e.event === 'hello-admin')?.data).toBe('["welcome, admin"]')
    await service.invoke('session.cancel', { sid: ok })
    await settle(service, ok)
    const badAuth = await service.invoke('socketio.open', {
      url: server.url,
      auth: 'not json',
      headers: [],
      query: [],
      listen: [],
    })
    expect(badAuth).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  })

  it('the server disconnecting is a marker in words; a server that goes away reconnects by the policy', async () => {
    const sid = await open()
    await opened(sid)
    await service.invoke('socketio.emit', { sid, event: 'bye', args: [], ack: false })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({
      by: 'server',
      reason: 'The server disconnected the socket (io server disconnect)',
      willRetry: false,
    })

    const again = await open({
      options: { reconnect: true, backoffMs: 100, maxBackoffMs: 200, maxRetries: 50 },
    })
    await opened(again)
    await server.stop()
    await rec.until(again, (e) => e.type === 'retry')
    expect(rec.of(again).find((e) => e.type === 'stream-closed')).toMatchObject({
      by: 'network',
      willRetry: true,
      // A cut connection reads as either, depending on which the client notices first.
      reason: expect.stringMatching(
        /^The connection (closed \(transport close\)|failed \(transport error\))$/,
      ) as unknown,
    })
    await server.start()
    await opened(again, 2)
    await logUntil(again, (e) => e.event === 'welcome', 2, 10_000)
    await service.invoke('session.cancel', { sid: again })
    expect((await settle(service, again)).final.type).toBe('done')
  }, 20_000)
})

describe('Socket.IO and MQTT opens resolve {{variables}} in their collection', () => {
  it('opens on the environment URL with a header from the collection; an unknown variable refuses, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-io-vars-'))
    const configDir = mkdtempSync(join(tmpdir(), 'fd-io-config-'))
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Live\nvariables:\n  token: t-vars\n')
    mkdirSync(join(dir, 'environments'))
    writeFileSync(
      join(dir, 'environments', 'local.yaml'),
      `name: Local\nvariables:\n  ioBase: ${server.url}\n`,
    )
    const svc = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    const r2 = record(svc)
    try {
      const opened = await svc.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const context = { dir, path: '', env: 'local' }
      const r = await svc.invoke('socketio.open', {
        url: '{{ioBase}}',
        headers: [{ name: 'X-Token', value: '{{token}}', enabled: true }],
        query: [],
        listen: ['welcome'],
        context,
      })
      if (!r.ok) throw new Error(r.error.message)
      await r2.until(r.value.sid, (e) => e.type === 'sse-event' && e.dir === 'in')
      const log = await readLog(svc, r.value.sid)
      expect(log.find((e) => e.event === 'welcome')?.data).toBe('[{"token":"t-vars","room":null}]')
      expect(r2.of(r.value.sid)[0]).toMatchObject({ type: 'queued', url: server.url })
      await svc.invoke('session.cancel', { sid: r.value.sid })
      await svc.streams.wait(r.value.sid)
      const unknown = await svc.invoke('mqtt.open', { url: 'mqtt://{{nowhere}}', subscriptions: [], context })
      expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_variable' } })
      expect(unknown.ok ? '' : unknown.error.message).toContain('nowhere')
    } finally {
      r2.stop()
      await svc.dispose()
      rmSync(dir, { recursive: true, force: true })
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})
