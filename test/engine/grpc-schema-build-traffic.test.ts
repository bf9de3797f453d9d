import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { field, reflectionServer, varint, type Served } from '../attack/reflection-peer'

/**
 * A reflected schema near the limits (2,400 messages of 40 fields: 98,400 items, weight 3.84 M) takes protobufjs
 * seconds to build. Built in one go on the engine's thread, a stream open beside it stopped for all that time;
 * built a declaration at a time, the stream keeps delivering while the schema is built.
 */

const num = (id: number, n: number): Buffer => Buffer.concat([varint(id << 3), varint(n)])
const str = (id: number, s: string): Buffer => field(id, Buffer.from(s))

function nearTheLimits(): Buffer {
  const messages: Buffer[] = []
  for (let m = 0; m < 2400; m++) {
    const fields: Buffer[] = [str(1, `M${m}`)]
    for (let i = 1; i <= 40; i++)
      fields.push(field(2, Buffer.concat([str(1, `f${i}`), num(3, i), num(4, 1), num(5, 9)])))
    messages.push(field(4, Buffer.concat(fields)))
  }
  return Buffer.concat([str(1, 'big.proto'), str(2, 'p'), ...messages])
}

/** An SSE server writing an event every 5 ms (at most 4,000) until the client goes. */
function sseServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const open = new Set<ServerResponse>()
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    open.add(res)
    let n = 0
    const timer = setInterval(() => {
      if (++n > 4000) {
        clearInterval(timer)
        res.end()
        return
      }
      res.write(`data: ${n}\n\n`)
    }, 5)
    res.on('close', () => {
      clearInterval(timer)
      open.delete(res)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
        close: () =>
          new Promise<void>((done) => {
            for (const res of open) res.destroy()
            server.close(() => done())
          }),
      }),
    ),
  )
}

let service: EngineService
let sse: Awaited<ReturnType<typeof sseServer>>
let served: Served

beforeAll(async () => {
  sse = await sseServer()
  served = await reflectionServer(nearTheLimits())
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  await service.dispose()
  await served.close()
  await sse.close()
})

describe('a large reflected schema beside a stream', () => {
  it('is built while the stream keeps delivering events', async () => {
    let building = false
    let duringBuild = 0
    let total = 0
    const off = service.onEvent((event) => {
      if (event.name !== 'timeline.batch') return
      const n = event.payload.events.filter((e) => e.type === 'sse-event').length
      total += n
      // The file's descriptors have been sent (the second reflection request): the engine is building.
      if (building && served.asked() >= 2) duringBuild += n
    })
    const opened = await service.invoke('sse.open', {
      request: { method: 'GET', url: sse.url, headers: [], body: { kind: 'none' }, options: {} },
      stream: { reconnect: false },
    })
    expect(opened.ok).toBe(true)
    const end = Date.now() + 10_000
    while (total < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    expect(total).toBeGreaterThanOrEqual(5)

    building = true
    const described = await service.invoke('grpc.describe', {
      target: served.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'reflection' },
    })
    building = false
    off()
    expect(described.ok ? 'described' : described.error.message).toBe('described')
    // Built in one go, none arrived between the descriptors' arrival and the answer.
    expect(duringBuild).toBeGreaterThanOrEqual(20)
  }, 120_000)
})
