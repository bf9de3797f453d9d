import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { io as ioClient } from 'socket.io-client'
import { createEngineService } from '../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto } from '../test/fixtures/mosquitto'
import { mqttRate } from './mqtt.bench'
import { paired } from './paired'

/**
 * MQTT and Socket.IO benches, each the engine against the bare client library in paired back-to-back rounds
 * (the median of the per-round ratios):
 * - `mqtt.engine_vs_client`: QoS 0 messages/s received from mosquitto, TOTAL drained from a persistent session
 *   (mqtt.bench.ts); `mqtt.qos1_…` and `mqtt.qos2_…` the same for ACKED_TOTAL QoS 1 and QoS 2 messages.
 * - `socketio.engine_vs_client`: events/s received over WebSocket from a socket.io server in another process
 *   that emits TOTAL events of SIZE bytes as fast as the socket takes them.
 * Through the engine, every message is timed, logged (topic / event name and its delivery as the log id) and
 * emitted as a timeline event to a subscriber, as a host gets them.
 */

const TOTAL = Number(process.env.BENCH_MSG_TOTAL ?? 100_000)
/** QoS 1 and 2 messages a run (each acked: slower to queue and to drain). */
const ACKED_TOTAL = Number(process.env.BENCH_MSG_ACKED_TOTAL ?? 20_000)
const SIZE = 64
const ROUNDS = Number(process.env.BENCH_MSG_ROUNDS ?? 5)
export async function mqttBench(): Promise<Record<string, number>> {
  if (!MOSQUITTO) {
    console.log(`mqtt: skipped, ${MOSQUITTO_MISSING}`)
    return {}
  }
  const broker = await startMosquitto([
    'queue_qos0_messages true',
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'max_inflight_messages 0',
  ])
  const out: Record<string, number> = {}
  const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places
  try {
    for (const qos of [0, 1, 2] as const) {
      const total = qos === 0 ? TOTAL : ACKED_TOTAL
      const r = await mqttRate(broker, qos, total, ROUNDS)
      console.log(
        `mqtt: ${total} QoS ${qos} messages of ${SIZE} B from mosquitto, median of ${ROUNDS} paired rounds`,
      )
      console.log(`  bare MQTT.js client: ${r.client.toFixed(0)} msg/s`)
      console.log(`  Flightdeck engine:   ${r.engine.toFixed(0)} msg/s (log + timeline events)`)
      console.log(`  ratio engine/client: ${r.ratio.toFixed(3)}${qos === 0 ? ' (target >= 0.8)' : ''}`)
      console.log(
        `  CPU time per message: engine ${r.engineCpuUs.toFixed(2)} us, client ${r.clientCpuUs.toFixed(2)} us; client/engine ${r.cpuClientVsEngine.toFixed(3)} (median of rounds)`,
      )
      // QoS 0 keeps its names of old (the figures in docs/benchmarks.md go back sessions).
      const k = (name: string): string => (qos === 0 ? `mqtt.${name}` : `mqtt.qos${qos}_${name}`)
      out[k('engine_msgs_per_s')] = Math.round(r.engine)
      out[k('client_msgs_per_s')] = Math.round(r.client)
      out[k('engine_vs_client')] = round(r.ratio, 3)
      out[k('engine_cpu_us_per_msg')] = round(r.engineCpuUs, 2)
      out[k('client_cpu_us_per_msg')] = round(r.clientCpuUs, 2)
      out[k('cpu_client_vs_engine')] = round(r.cpuClientVsEngine, 3)
    }
    return out
  } finally {
    await broker.close()
  }
}

async function startSocketIoBenchServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [new URL('./socketio-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench socket.io server exited')))
  })
  return { port: Number(port), stop: () => child.kill('SIGTERM') }
}

async function socketIoBench(): Promise<Record<string, number>> {
  const server = await startSocketIoBenchServer()
  const url = `http://127.0.0.1:${server.port}`
  const bare = async (): Promise<number> => {
    const socket = ioClient(url, { transports: ['websocket'], reconnection: false })
    await new Promise<void>((r) => socket.once('connect', () => r()))
    let count = 0
    const start = performance.now()
    await new Promise<void>((resolve) => {
      socket.on('tick', () => void count++)
      socket.once('end', () => resolve())
      socket.emit('go', TOTAL, SIZE)
    })
    const elapsed = performance.now() - start
    socket.disconnect()
    if (count !== TOTAL) throw new Error(`bare socket.io-client got ${count}/${TOTAL}`)
    return (TOTAL / elapsed) * 1000
  }
  const engine = async (): Promise<number> => {
    const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
    let count = 0
    let opened: () => void = () => {}
    const open = new Promise<void>((r) => (opened = r))
    let done: () => void = () => {}
    const all = new Promise<void>((r) => (done = r))
    service.subscribe((batch) => {
      for (const e of batch.events) {
        if (e.type === 'stream-open') opened()
        if (e.type === 'sse-event' && e.dir === 'in' && e.kind !== 'control') {
          count += e.count ?? 1
          if (count >= TOTAL) done()
        }
      }
    })
    const r = await service.invoke('socketio.open', {
      url,
      headers: [],
      query: [],
      listen: ['tick'],
      options: { transports: 'websocket' },
    })
    if (!r.ok) throw new Error(r.error.message)
    await open
    const start = performance.now()
    const sent = await service.invoke('socketio.emit', {
      sid: r.value.sid,
      event: 'go',
      args: [
        { kind: 'json', data: String(TOTAL) },
        { kind: 'json', data: String(SIZE) },
      ],
      ack: false,
    })
    if (!sent.ok) throw new Error(sent.error.message)
    await all
    const elapsed = performance.now() - start
    await service.dispose()
    if (count !== TOTAL) throw new Error(`engine emitted ${count}/${TOTAL} event ticks`)
    return (TOTAL / elapsed) * 1000
  }
  try {
    await bare()
    await engine()
    const r = await paired(
      'socketio',
      ROUNDS,
      { name: 'engine', run: engine },
      { name: 'bare socket.io-client', run: bare },
      'ev/s',
    )
    console.log(`socketio: ${TOTAL} events of ${SIZE} B over WebSocket, median of ${ROUNDS} paired rounds`)
    console.log(`  bare socket.io-client: ${r.b.toFixed(0)} events/s`)
    console.log(`  Flightdeck engine:     ${r.a.toFixed(0)} events/s (log + timeline events)`)
    console.log(`  ratio engine/client:   ${r.ratio.toFixed(3)} (target >= 0.8)`)
    return {
      'socketio.engine_events_per_s': Math.round(r.a),
      'socketio.client_events_per_s': Math.round(r.b),
      'socketio.engine_vs_client': Math.round(r.ratio * 1000) / 1000,
    }
  } finally {
    server.stop()
  }
}

export async function benchMessaging(): Promise<Record<string, number>> {
  return { ...(await mqttBench()), ...(await socketIoBench()) }
}
