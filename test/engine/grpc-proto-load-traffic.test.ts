import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { call, grpcRig, type GrpcRig } from './grpc-helpers'
import { readLog, settle } from './stream-helpers'

/**
 * A .proto file near the schema limits (2,400 messages of 40 fields) takes protobufjs seconds to parse, in one
 * synchronous step. Parsed on the engine's thread, a stream open beside it received nothing for all that time;
 * parsed in a pool worker and built a declaration at a time, the stream keeps delivering while the schema loads,
 * and the schema it loads calls a real server correctly.
 */

function bigProto(): string {
  const lines = ['syntax = "proto3";', 'package big;', 'service Big { rpc Echo (M0) returns (M0); }']
  for (let m = 0; m < 2400; m++) {
    lines.push(`message M${m} {`)
    for (let i = 1; i <= 40; i++) lines.push(`  string f${i} = ${i};`)
    lines.push('}')
  }
  return lines.join('\n')
}

/** A grpc-js server for big.Big/Echo on raw bytes: it answers the request with field 2 (`f2`) added. */
async function echoServer(): Promise<{ target: string; close: () => Promise<void> }> {
  const server = new grpc.Server()
  const raw = (b: Buffer): Buffer => b
  server.addService(
    {
      Echo: {
        path: '/big.Big/Echo',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Echo: (c: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
        const text = Buffer.from('from the server')
        done(null, Buffer.concat([c.request, Buffer.from([(2 << 3) | 2, text.length]), text]))
      },
    },
  )
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  )
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  }
}

let dir: string
let file: string
let sse: SseFixture
let server: Awaited<ReturnType<typeof echoServer>>
let service: EngineService
let rig: GrpcRig

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-big-proto-'))
  file = join(dir, 'big.proto')
  writeFileSync(file, bigProto())
  sse = await startSseServer()
  server = await echoServer()
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  rig?.close()
  await service.dispose()
  await server.close()
  await sse.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a large .proto file beside a stream', () => {
  it('loads while the stream keeps delivering events, never held up for long', async () => {
    let loading = false
    const arrivals: number[] = []
    let total = 0
    const off = service.onEvent((event) => {
      if (event.name !== 'timeline.batch') return
      const n = event.payload.events.filter((e) => e.type === 'sse-event').length
      total += n
      if (loading && n > 0) arrivals.push(performance.now())
    })
    const opened = await service.invoke('sse.open', {
      request: {
        method: 'GET',
        url: `${sse.url}/events?n=4000&every=5`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
      stream: { reconnect: false },
    })
    expect(opened.ok).toBe(true)
    const end = Date.now() + 10_000
    while (total < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    expect(total).toBeGreaterThanOrEqual(5)

    loading = true
    const started = performance.now()
    const described = await service.invoke('grpc.describe', {
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'proto', files: [file], importPaths: [] },
    })
    const finished = performance.now()
    loading = false
    off()
    expect(described.ok ? described.value.services.map((s) => s.name) : described.error.message).toEqual([
      'big.Big',
    ])
    // The stream's events kept arriving: no silence as long as a parse in one step (1.4 s on a quiet machine, 2.4 s on a busy one) from the load's
    // start to its answer.
    const times = [started, ...arrivals, finished]
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number))
    expect(arrivals.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...gaps)).toBeLessThan(1000)
  }, 120_000)

  it('the loaded schema calls a real server: the answer decoded by its types', async () => {
    rig = grpcRig()
    const opened = await rig.grpc.open(
      call(server.target, 'big.Big/Echo', [{ f1: 'from the client', f40: 'last' }], {
        schema: { kind: 'proto', files: [file], importPaths: [] },
      }),
      { base: dir },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const outcome = await settle(rig.service, opened.value.sid)
    expect(outcome.final.type).toBe('done')
    const answer = (await readLog(rig.service, opened.value.sid)).find((e) => e.dir === 'in')
    expect(JSON.parse(answer?.data ?? '{}')).toMatchObject({
      f1: 'from the client',
      f2: 'from the server',
      f40: 'last',
    })
  }, 120_000)
})
