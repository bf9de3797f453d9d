import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestContext } from '../../src/shared/collection'
import { startWssServer, type WsFixture } from '../fixtures/ws-server'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * Sessions opened in the app from a collection's request (WebSocket, MQTT, Socket.IO, gRPC) name their TLS files
 * as a request does: relative to the collection folder and confined to it. Before, the open handed the path on
 * as typed: a relative one was looked up in the engine's working folder, and one outside the collection was read.
 */

let server: WsFixture
let service: EngineService
let rec: Recorder
let base = ''
let dir = ''
let outsideCa = ''
let context: RequestContext

beforeAll(async () => {
  server = await startWssServer()
  base = realpathSync(mkdtempSync(join(tmpdir(), 'fd-tls-sessions-')))
  dir = join(base, 'collection')
  mkdirSync(join(dir, 'certs'), { recursive: true })
  mkdirSync(join(base, 'outside'))
  writeFileSync(join(dir, 'certs', 'ca.pem'), server.caPem ?? '')
  outsideCa = join(base, 'outside', 'ca.pem')
  writeFileSync(outsideCa, server.caPem ?? '')
  service = makeService({ configDir: join(base, 'config'), persistWorkspace: false, watchCollections: false })
  rec = record(service)
  const opened = await service.invoke('collection.open', { dir, create: true, name: 'Sessions' })
  if (!opened.ok) throw new Error(opened.error.message)
  // The context of a saved request: its file need not exist for the confinement to apply.
  context = { dir, path: 'session.yaml' }
})

afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
  rmSync(base, { recursive: true, force: true })
})

const outside = (message: string | undefined): void => {
  expect(message).toContain(`The CA file ${outsideCa} is outside the collection folder ${dir}`)
}

describe("a session's TLS files from a collection", () => {
  it('a WebSocket finds certs/ca.pem in its collection, not in the working folder', async () => {
    const r = await service.invoke('ws.open', {
      url: `wss://localhost:${server.port}/echo`,
      headers: [],
      protocols: [],
      options: { caFile: 'certs/ca.pem' },
      context,
    })
    if (!r.ok) throw new Error(r.error.message)
    await rec.until(r.value.sid, (e) => e.type === 'stream-open' || e.type === 'error')
    expect(rec.of(r.value.sid).some((e) => e.type === 'stream-open')).toBe(true)
    await service.invoke('ws.close', { sid: r.value.sid })
    await settle(service, r.value.sid)
  })

  it('a WebSocket naming a CA file outside the collection is refused before it connects', async () => {
    const before = server.upgrades.length
    const r = await service.invoke('ws.open', {
      url: `wss://localhost:${server.port}/echo`,
      headers: [],
      protocols: [],
      options: { caFile: outsideCa },
      context,
    })
    expect(r.ok).toBe(false)
    if (!r.ok) outside(r.error.message)
    expect(server.upgrades.length).toBe(before)
  })

  it('MQTT and Socket.IO refuse it the same way', async () => {
    const mqtt = await service.invoke('mqtt.open', {
      url: `mqtts://127.0.0.1:${server.port}`,
      options: { caFile: outsideCa },
      subscriptions: [],
      context,
    })
    expect(mqtt.ok).toBe(false)
    if (!mqtt.ok) outside(mqtt.error.message)
    const io = await service.invoke('socketio.open', {
      url: `https://127.0.0.1:${server.port}`,
      headers: [],
      query: [],
      listen: [],
      options: { caFile: outsideCa },
      context,
    })
    expect(io.ok).toBe(false)
    if (!io.ok) outside(io.error.message)
  })

  it('gRPC refuses a CA file, client certificate or key outside the collection', async () => {
    const call = (tls: { caFile?: string; certFile?: string; keyFile?: string }) =>
      service.invoke('grpc.describe', {
        target: `127.0.0.1:${server.port}`,
        tls: { plaintext: false, ...tls },
        metadata: [],
        schema: { kind: 'reflection' },
        context,
      })
    const ca = await call({ caFile: outsideCa })
    expect(ca.ok).toBe(false)
    if (!ca.ok) outside(ca.error.message)
    const cert = await call({ caFile: 'certs/ca.pem', certFile: outsideCa, keyFile: 'certs/ca.pem' })
    expect(cert.ok).toBe(false)
    if (!cert.ok) expect(cert.error.message).toContain(`The client certificate ${outsideCa} is outside`)
    // A link inside the collection to a file outside is judged by where it leads, as a body file is.
    symlinkSync(outsideCa, join(dir, 'certs', 'link.pem'))
    const linked = await call({ caFile: 'certs/link.pem' })
    expect(!linked.ok && linked.error.message).toContain(
      `The CA file certs/link.pem (it leads to ${outsideCa}) is outside`,
    )
    const key = await call({ keyFile: '../outside/ca.pem' })
    expect(key.ok).toBe(false)
    if (!key.ok)
      expect(key.error.message).toContain(`The client key ../outside/ca.pem (it leads to ${outsideCa})`)
  })
})
