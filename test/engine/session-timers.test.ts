import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * A desktop app opens and closes thousands of sessions: each timer the engine left armed after a close (an idle
 * bound, a reconnect wait, a keep-alive ping) would hold its closure and session until it fired. N sessions of a
 * kind are opened against real servers on 127.0.0.1 and closed in each state that arms one; the process's live
 * Timeouts are then back where they started. The servers here arm no timers of their own, so any are the engine's.
 */

const N = 10

let sse: SseFixture
let broker: Server
let brokerPort: number
const brokerSockets = new Set<Socket>()
let service: EngineService
let rec: Recorder

const liveTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

/** The live Timeouts once the engine's own have had a moment to be cleared (bounded: 40 turns of 25 ms). */
async function timeoutsAfterClose(baseline: number): Promise<number> {
  let now = liveTimeouts()
  for (let i = 0; i < 40 && now > baseline; i++) {
    await new Promise((r) => setTimeout(r, 25))
    now = liveTimeouts()
  }
  return now
}

beforeAll(async () => {
  sse = await startSseServer()
  // An open stream: one event, then nothing, never ended.
  sse.route('/held', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: first\n\n')
  })
  // One event, then the end: a reconnecting session waits the 60 s its `retry:` asks for.
  sse.route('/once', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('retry: 60000\ndata: only\n\n')
  })
  // GraphQL over SSE (distinct connections): one result, then the stream stays open.
  sse.route('/graphql-held', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('event: next\ndata: {"data":{"count":1}}\n\n')
  })
  // A broker that accepts every CONNECT (CONNACK in the client's version) and then says nothing.
  broker = createServer((socket) => {
    brokerSockets.add(socket)
    socket.once('close', () => brokerSockets.delete(socket))
    socket.on('error', () => undefined)
    socket.once('data', (chunk) => {
      const level = chunk[chunk.indexOf('MQTT') + 4]
      socket.write(Buffer.from(level === 5 ? [0x20, 0x03, 0, 0, 0] : [0x20, 0x02, 0, 0]))
    })
  })
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r))
  brokerPort = (broker.address() as AddressInfo).port
  service = makeService({ watchCollections: false, persistWorkspace: false })
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await sse.close()
  for (const s of brokerSockets) s.destroy()
  await new Promise<void>((r) => broker.close(() => r()))
})

async function openSse(path: string): Promise<string> {
  const r = await service.invoke('sse.open', {
    request: { method: 'GET', url: `${sse.url}${path}`, headers: [], body: { kind: 'none' }, options: {} },
    stream: { reconnect: true, retryMs: 60_000, maxRetries: 5 },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

async function openMqtt(): Promise<string> {
  const r = await service.invoke('mqtt.open', {
    url: `mqtt://127.0.0.1:${brokerPort}`,
    subscriptions: [],
    options: { protocolVersion: 5, keepalive: 60, reconnect: true, backoffMs: 60_000 },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

/** Waits (bounded) until every session has seen an event of `type`. */
async function untilEach(sids: string[], type: string): Promise<void> {
  for (let i = 0; i < 200 && !sids.every((sid) => rec.of(sid).some((e) => e.type === type)); i++)
    await new Promise((r) => setTimeout(r, 25))
  expect(sids.filter((sid) => !rec.of(sid).some((e) => e.type === type))).toEqual([])
}

async function closeAll(sids: string[]): Promise<void> {
  for (const sid of sids) await service.invoke('session.cancel', { sid })
  for (const sid of sids) await settle(service, sid)
}

describe('closing sessions leaves no timer of theirs running', () => {
  it(`SSE: ${N} open streams closed`, async () => {
    const baseline = liveTimeouts()
    const sids = await Promise.all(Array.from({ length: N }, () => openSse('/held')))
    await untilEach(sids, 'stream-open')
    await closeAll(sids)
    expect(await timeoutsAfterClose(baseline)).toBeLessThanOrEqual(baseline)
  })

  it(`SSE: ${N} streams closed while waiting 60 s to reconnect`, async () => {
    const baseline = liveTimeouts()
    const sids = await Promise.all(Array.from({ length: N }, () => openSse('/once')))
    await untilEach(sids, 'retry')
    expect(liveTimeouts(), 'the reconnect waits are armed').toBeGreaterThan(baseline)
    await closeAll(sids)
    expect(await timeoutsAfterClose(baseline)).toBeLessThanOrEqual(baseline)
  })

  it(`GraphQL over SSE: ${N} open subscriptions closed`, async () => {
    const baseline = liveTimeouts()
    const sids = await Promise.all(
      Array.from({ length: N }, async () => {
        const r = await service.invoke('graphql.send', {
          url: `${sse.url}/graphql-held`,
          query: 'subscription { count(to: 3) }',
          transport: 'sse',
          headers: [],
        })
        if (!r.ok) throw new Error(r.error.message)
        return r.value.sid
      }),
    )
    await untilEach(sids, 'sse-event')
    await closeAll(sids)
    expect(await timeoutsAfterClose(baseline)).toBeLessThanOrEqual(baseline)
  })

  it(`MQTT: ${N} connected sessions with a 60 s keep-alive closed`, async () => {
    const baseline = liveTimeouts()
    const sids = await Promise.all(Array.from({ length: N }, () => openMqtt()))
    await untilEach(sids, 'stream-open')
    await closeAll(sids)
    expect(await timeoutsAfterClose(baseline)).toBeLessThanOrEqual(baseline)
  })

  it(`MQTT: ${N} sessions closed while waiting 60 s to reconnect`, async () => {
    const baseline = liveTimeouts()
    const sids = await Promise.all(Array.from({ length: N }, () => openMqtt()))
    await untilEach(sids, 'stream-open')
    for (const s of brokerSockets) s.destroy()
    await untilEach(sids, 'retry')
    expect(liveTimeouts(), 'the reconnect waits are armed').toBeGreaterThan(baseline)
    await closeAll(sids)
    expect(await timeoutsAfterClose(baseline)).toBeLessThanOrEqual(baseline)
  })
})
