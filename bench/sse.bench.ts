import { performance } from 'node:perf_hooks'
import { createParser } from 'eventsource-parser'
import { Agent, request } from 'undici'
import { createEngineService } from '../src/engine/service'
import { paired } from './paired'
import { startStreamServer } from './ws.bench'

/**
 * `sse.engine_vs_parser`: events/s of one SSE stream read through the engine (an SSE session: timed handshake,
 * the stream parsed by the EventSource rules, every event recorded in the session's log, ticks emitted as
 * timeline events to a subscriber) versus the bare minimum a client needs to read it (undici `request()`, a
 * streaming TextDecoder and eventsource-parser counting events), from the same server in another process, in
 * paired rounds; the median of the per-round ratios (target >= 0.8). Both clocks stop at the last event
 * received; after the clock stops, the engine's log is checked to hold every event, readable with its data
 * and id (`stream.read`, `stream.data`), and the timeline to have counted every one.
 */

const TOTAL = Number(process.env.BENCH_SSE_TOTAL ?? 200_000)
const ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 7)
const WARMUP = Number(process.env.BENCH_SSE_WARMUP ?? 3)

async function runParser(url: string): Promise<number> {
  const agent = new Agent()
  const start = performance.now()
  let count = 0
  const parser = createParser({ onEvent: () => count++ })
  const decoder = new TextDecoder()
  const res = await request(url, { dispatcher: agent, headers: { accept: 'text/event-stream' } })
  for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }))
  const elapsed = performance.now() - start
  await agent.close()
  if (count !== TOTAL) throw new Error(`bare parser saw ${count}/${TOTAL} events`)
  return (TOTAL / elapsed) * 1000
}

async function runEngine(url: string): Promise<number> {
  const service = createEngineService({ host: 'test' })
  let events = 0
  service.subscribe((batch) => {
    for (const e of batch.events) if (e.type === 'sse-event' && e.kind === 'event') events += e.count ?? 1
  })
  const start = performance.now()
  const r = await service.invoke('sse.open', {
    request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
    stream: { reconnect: false },
  })
  if (!r.ok) throw new Error(r.error.message)
  const { sid } = r.value
  const { final } = await service.streams.wait(sid)
  const elapsed = performance.now() - start
  service.flush()
  try {
    if (final.type !== 'done') throw new Error(`engine session ended with ${final.type}`)
    if (events !== TOTAL) throw new Error(`engine emitted ${events}/${TOTAL} events`)
    await checkLog(service, sid)
  } finally {
    await service.dispose()
  }
  return (TOTAL / elapsed) * 1000
}

/** The engine's log holds every event, each readable with its data and id (a few, spread over the stream). */
async function checkLog(service: ReturnType<typeof createEngineService>, sid: string): Promise<void> {
  for (const seq of [0, 1, Math.floor(TOTAL / 3), TOTAL - 2, TOTAL - 1]) {
    const want = `{"i":${seq},"text":"hello flightdeck"}`
    const page = await service.invoke('stream.read', { sid, from: seq, count: 1 })
    const e = page.ok ? page.value.entries[0] : undefined
    if (!page.ok || page.value.total !== TOTAL || e?.data !== want || e.id !== String(seq))
      throw new Error(`engine log entry ${seq} is not the event sent: ${JSON.stringify(page)}`)
    const data = await service.invoke('stream.data', { sid, seq, offset: 0, length: 1024, encoding: 'utf8' })
    if (!data.ok || data.value.data !== want) throw new Error(`stream.data of entry ${seq} is wrong`)
  }
}

export async function benchSse(): Promise<Record<string, number>> {
  const server = await startStreamServer()
  const url = `http://127.0.0.1:${server.port}/sse?n=${TOTAL}`
  try {
    // Warm both paths up alike (JIT, heap sizes), so the rounds compare steady states.
    for (let i = 0; i < WARMUP; i++) {
      await runParser(url)
      await runEngine(url)
    }
    const r = await paired(
      'sse',
      ROUNDS,
      { name: 'engine', run: () => runEngine(url) },
      { name: 'parser', run: () => runParser(url) },
      'ev/s',
    )
    const ratio = r.ratio
    const bare = r.b
    const engine = r.a
    console.log(`sse: one stream of ${TOTAL} events, median of ${ROUNDS} paired rounds`)
    console.log(`  undici + eventsource-parser: ${bare.toFixed(0)} events/s`)
    console.log(`  Flightdeck engine:           ${engine.toFixed(0)} events/s (log + timeline events)`)
    console.log(`  ratio engine/parser:         ${ratio.toFixed(3)} (target >= 0.8)`)
    return {
      'sse.engine_events_per_s': Math.round(engine),
      'sse.parser_events_per_s': Math.round(bare),
      'sse.engine_vs_parser': Math.round(ratio * 1000) / 1000,
    }
  } finally {
    server.stop()
  }
}
