import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { GrpcEngine } from '../../src/engine/grpc/grpc-engine'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { call } from './grpc-helpers'

/** The heap in use after a full collection (what is kept, not garbage). */
function heapKept(): number {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  return process.memoryUsage().heapUsed
}

describe('gRPC: a flood of streamed messages', () => {
  let server: GrpcTestServer | null = null
  let service: EngineService | null = null
  let grpc: GrpcEngine | null = null
  afterEach(async () => {
    service?.dispose()
    grpc?.dispose()
    await server?.close()
    server = service = grpc = null
  })

  it('100,000 server-streamed messages: all logged, readable at the end, with the heap bounded', async () => {
    server = await startGrpcServer()
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    grpc = new GrpcEngine(service.streams)
    // Events are not collected here (a subscriber that kept them all would be the one holding memory).
    const before = heapKept()
    const opened = await grpc.open(
      call(server.target, 'flightdeck.test.Echo/Count', [{ n: 100_000, pad: 200 }]),
      { base: '.' },
    )
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    const outcome = await service.streams.wait(sid)
    expect(outcome.final.type).toBe('done')
    const grown = heapKept() - before
    expect(grpc.outcome(sid)?.received).toBe(100_000)
    const last = await service.invoke('stream.read', { sid, from: 100_000, count: 3 })
    if (!last.ok) throw new Error(last.error.message)
    // Message, half-close and status: 1 sent, its half-close, 100,000 received, the trailers.
    expect(last.value.total).toBe(100_003)
    expect(JSON.parse(last.value.entries[1]?.data ?? '{}')).toMatchObject({ i: 99_999 })
    // ~23 MB of JSON went through; the log keeps a bounded part of it in memory and spills the rest.
    console.log(`gRPC flood: heap grew ${(grown / 1024 / 1024).toFixed(1)} MB for 100,000 messages`)
    expect(grown).toBeLessThan(16 * 1024 * 1024)
  }, 120_000)
})
