import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { createClient } from 'graphql-ws'
import { WebSocket } from 'ws'
import { createEngineService } from '../src/engine/service'
import { paired } from './paired'

/**
 * GraphQL bench:
 * - `graphql.engine_vs_client`: subscription results/s received through the engine over graphql-transport-ws
 *   (each message parsed and checked against the protocol, logged, and emitted as a timeline event to a
 *   subscriber, as a host gets them) versus a bare `graphql-ws` client on `ws` (each result delivered to its
 *   sink and counted), from the same server in another process, in paired back-to-back rounds; the median of
 *   the per-round ratios. Target ≥ 0.8.
 */

const TOTAL = Number(process.env.BENCH_GRAPHQL_TOTAL ?? 50_000)
const PAD = 64
const ROUNDS = Number(process.env.BENCH_GRAPHQL_ROUNDS ?? 7)
const QUERY = `subscription { count(to: ${TOTAL}, pad: ${PAD}) { i pad } }`

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [new URL('./graphql-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench GraphQL server exited')))
  })
  return { url: `ws://127.0.0.1:${port}/graphql`, stop: () => child.kill('SIGTERM') }
}

async function runBare(url: string): Promise<number> {
  const client = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 })
  const start = performance.now()
  let count = 0
  await new Promise<void>((resolve, reject) => {
    client.subscribe({ query: QUERY }, { next: () => void count++, error: reject, complete: resolve })
  })
  const elapsed = performance.now() - start
  await client.dispose()
  if (count !== TOTAL) throw new Error(`bare graphql-ws client got ${count}/${TOTAL} results`)
  return (TOTAL / elapsed) * 1000
}

async function runEngine(url: string): Promise<number> {
  const service = createEngineService({ host: 'test' })
  let messages = 0
  service.subscribe((batch) => {
    for (const e of batch.events)
      if (e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text') messages += e.count ?? 1
  })
  const start = performance.now()
  const r = await service.invoke('graphql.send', {
    url,
    query: QUERY,
    transport: 'transport-ws',
    headers: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  const { final } = await service.streams.wait(r.value.sid)
  const elapsed = performance.now() - start
  service.flush()
  await service.dispose()
  if (final.type !== 'done') throw new Error(`engine subscription ended with ${final.type}`)
  // The results, the ack and the complete.
  if (messages !== TOTAL + 2) throw new Error(`engine emitted ${messages}/${TOTAL + 2} message events`)
  return (TOTAL / elapsed) * 1000
}

export async function benchGraphql(): Promise<Record<string, number>> {
  const server = await startServer()
  try {
    // One warm-up of each, so neither side pays for loading and JIT in the measured rounds.
    await runBare(server.url)
    await runEngine(server.url)
    const r = await paired(
      'graphql',
      ROUNDS,
      { name: 'engine', run: () => runEngine(server.url) },
      { name: 'graphql-ws', run: () => runBare(server.url) },
      'results/s',
    )
    console.log(
      `  graphql.engine_vs_client ${r.ratio.toFixed(3)} (engine ${r.a.toFixed(0)} results/s, graphql-ws ${r.b.toFixed(0)} results/s)`,
    )
    return {
      'graphql.engine_vs_client': Number(r.ratio.toFixed(3)),
      'graphql.engine_results_per_s': Math.round(r.a),
      'graphql.client_results_per_s': Math.round(r.b),
    }
  } finally {
    server.stop()
  }
}
