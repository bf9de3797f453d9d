import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { GrpcEngine } from '../src/engine/grpc/grpc-engine'
import { createEngineService } from '../src/engine/service'
import { paired } from './paired'

/**
 * gRPC bench:
 * - `grpc.engine_vs_client`: server-streamed messages/s received through the engine (each one decoded to JSON,
 *   logged, and emitted as a timeline event to a subscriber, as a host gets them) versus a bare grpc-js client
 *   made from the same .proto with proto-loader (each message decoded to an object and counted), from the same
 *   server in another process, in paired back-to-back rounds; the median of the per-round ratios. Target ≥ 0.8.
 */

const TOTAL = Number(process.env.BENCH_GRPC_TOTAL ?? 100_000)
const PAD = 64
const ROUNDS = Number(process.env.BENCH_GRPC_ROUNDS ?? 5)
const PROTO_DIR = fileURLToPath(new URL('../test/fixtures/grpc/protos/', import.meta.url))
const PROTO = `${PROTO_DIR}echo.proto`

async function startServer(): Promise<{ target: string; stop(): void }> {
  const child = spawn(process.execPath, [new URL('./grpc-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench gRPC server exited')))
  })
  return { target: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}

type EchoClient = grpc.Client & {
  Count(request: object): grpc.ClientReadableStream<unknown>
}

async function runBare(target: string): Promise<number> {
  const pkg = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    includeDirs: [PROTO_DIR],
  })
  const proto = grpc.loadPackageDefinition(pkg) as unknown as {
    flightdeck: { test: { Echo: new (t: string, c: grpc.ChannelCredentials) => EchoClient } }
  }
  const client = new proto.flightdeck.test.Echo(target, grpc.credentials.createInsecure())
  const start = performance.now()
  let count = 0
  await new Promise<void>((resolve, reject) => {
    const call = client.Count({ n: TOTAL, pad: PAD })
    call.on('data', () => count++)
    call.on('status', (s: grpc.StatusObject) => (s.code === 0 ? resolve() : reject(new Error(s.details))))
    call.on('error', () => undefined)
  })
  const elapsed = performance.now() - start
  client.close()
  if (count !== TOTAL) throw new Error(`bare grpc-js client got ${count}/${TOTAL} messages`)
  return (TOTAL / elapsed) * 1000
}

async function runEngine(target: string): Promise<number> {
  const service = createEngineService({ host: 'test' })
  const engine = new GrpcEngine(service.streams)
  let messages = 0
  service.subscribe((batch) => {
    for (const e of batch.events)
      if (e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text') messages += e.count ?? 1
  })
  const start = performance.now()
  const r = await engine.open(
    {
      target,
      method: 'flightdeck.test.Echo/Count',
      messages: [JSON.stringify({ n: TOTAL, pad: PAD })],
      metadata: [],
      schema: { kind: 'proto', files: [PROTO], importPaths: [PROTO_DIR] },
      tls: { plaintext: true },
    },
    { base: PROTO_DIR },
  )
  if (!r.ok) throw new Error(r.error.message)
  const { final } = await service.streams.wait(r.value.sid)
  const elapsed = performance.now() - start
  service.flush()
  await service.dispose()
  engine.dispose()
  if (final.type !== 'done') throw new Error(`engine call ended with ${final.type}`)
  if (messages !== TOTAL) throw new Error(`engine emitted ${messages}/${TOTAL} message events`)
  return (TOTAL / elapsed) * 1000
}

export async function benchGrpc(): Promise<Record<string, number>> {
  const server = await startServer()
  try {
    // One warm-up of each, so neither side pays for loading and JIT in the measured rounds.
    await runBare(server.target)
    await runEngine(server.target)
    const r = await paired(
      'grpc',
      ROUNDS,
      { name: 'engine', run: () => runEngine(server.target) },
      { name: 'grpc-js', run: () => runBare(server.target) },
      'msg/s',
    )
    console.log(
      `  grpc.engine_vs_client ${r.ratio.toFixed(3)} (engine ${r.a.toFixed(0)} msg/s, grpc-js ${r.b.toFixed(0)} msg/s)`,
    )
    return {
      'grpc.engine_vs_client': Number(r.ratio.toFixed(3)),
      'grpc.engine_msgs_per_s': Math.round(r.a),
      'grpc.client_msgs_per_s': Math.round(r.b),
    }
  } finally {
    server.stop()
  }
}
