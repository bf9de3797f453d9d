import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as grpcJs from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { afterEach, describe, expect, it } from 'vitest'
import { feedLines } from '../../src/cli/grpc-line-feed'
import { GrpcEngine } from '../../src/engine/grpc/grpc-engine'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { ECHO_PROTO, PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { until } from '../renderer/engine-client'
import { call, PROTOS } from './grpc-helpers'

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

  it('a long lines feed to a server that stops reading: lines are read as grpc-js drains, not ahead of it', async () => {
    // A server whose Chat reads one message, then stops reading until the test resumes it (its HTTP/2 window
    // fills), then reads the rest.
    const pkg = protoLoader.loadSync(ECHO_PROTO, { keepCase: true, includeDirs: [PROTO_DIR] })
    const proto = grpcJs.loadPackageDefinition(pkg) as unknown as {
      flightdeck: { test: { Echo: grpcJs.ServiceClientConstructor } }
    }
    const slow = new grpcJs.Server()
    let got = 0
    let resume = (): void => undefined
    slow.addService(proto.flightdeck.test.Echo.service, {
      Chat: (c: grpcJs.ServerDuplexStream<unknown, unknown>) => {
        c.on('data', () => {
          if (++got > 1) return
          c.pause()
          resume = () => c.resume()
        })
        c.on('end', () => {
          c.write({ text: String(got) })
          c.end()
        })
      },
    })
    const port = await new Promise<number>((ok, no) =>
      slow.bindAsync('127.0.0.1:0', grpcJs.ServerCredentials.createInsecure(), (e, p) => (e ? no(e) : ok(p))),
    )
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    grpc = new GrpcEngine(service.streams)
    try {
      const spec = call(`127.0.0.1:${port}`, 'flightdeck.test.Echo/Chat', [], {
        schema: PROTOS,
        halfClose: false,
      })
      const opened = await grpc.open(spec, { base: '.' })
      if (!opened.ok) throw new Error(opened.error.message)
      const sid = opened.value.sid
      // 2,000 lines of 8 KiB (16 MiB), made as they are asked for: the lines read and not yet at the server are what the
      // client holds (in grpc-js, HTTP/2 and the reader).
      const total = 2000
      const line = `{"text":"${'x'.repeat(8000)}"}\n`
      let pulled = 0
      let ahead = 0
      const input = new Readable({
        read: () => {
          ahead = Math.max(ahead, pulled - got)
          input.push(pulled < total ? (pulled++, line) : null)
        },
      })
      // The feed asks the engine whether to wait: once it waits with the server stopped, the server goes on.
      const engine = grpc
      const writable = engine.writable.bind(engine)
      let waiting = 0
      engine.writable = (id) => {
        const wait = writable(id)
        if (!wait) return null
        waiting++
        return wait.finally(() => void waiting--)
      }
      const fed = feedLines(engine, sid, input, 'stdin')
      await until(() => got >= 1 && (waiting > 0 || pulled === total), 20_000)
      resume()
      expect(await fed).toBeNull()
      expect((await service.streams.wait(sid)).final.type).toBe('done')
      expect(got).toBe(total)
      // ~150 lines (1.2 MiB): grpc-js's 16 messages, its retry buffer and the HTTP/2 windows and buffers on both
      // sides; a bound in bytes, whatever the input's length. Without the pacing every line was read while the
      // server had stopped (all 2,000 ahead), all of it buffered in grpc-js.
      expect(ahead).toBeLessThan(total / 4)
    } finally {
      slow.forceShutdown()
    }
  }, 30_000)
})
