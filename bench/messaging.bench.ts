import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { connect, connectAsync } from 'mqtt'
import { io as ioClient } from 'socket.io-client'
import { createEngineService, type EngineService } from '../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto } from '../test/fixtures/mosquitto'
import { median, paired } from './paired'

/**
 * MQTT and Socket.IO benches, each the engine against the bare client library in paired back-to-back rounds
 * (the median of the per-round ratios):
 * - `mqtt.engine_vs_client`: QoS 0 messages/s received from mosquitto. Before each run the broker holds TOTAL
 *   QoS 0 messages for a persistent session (queue_qos0_messages); the run connects to that session and is
 *   timed until the last one arrived, so the receiver's speed is measured, not a publisher's.
 * - `socketio.engine_vs_client`: events/s received over WebSocket from a socket.io server in another process
 *   that emits TOTAL events of SIZE bytes as fast as the socket takes them.
 * Through the engine, every message is timed, logged (topic / event name and its delivery as the log id) and
 * emitted as a timeline event to a subscriber, as a host gets them.
 */

const TOTAL = Number(process.env.BENCH_MSG_TOTAL ?? 100_000)
const SIZE = 64
const ROUNDS = Number(process.env.BENCH_MSG_ROUNDS ?? 5)
/** Each run's own topic (of one length): a session left by an earlier run is not sent this run's messages. */
const topicOf = (run: number): string => `bench/t/${String(run).padStart(4, '0')}`

function countTicks(service: EngineService, onMessage: (n: number) => void): void {
  service.subscribe((batch) => {
    for (const e of batch.events)
      if (e.type === 'sse-event' && e.dir === 'in' && e.kind !== 'control') onMessage(e.count ?? 1)
  })
}

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
  const payload = Buffer.alloc(SIZE, 'm')
  let n = 0
  // CPU time of each run (this process: the receiving client and, for the engine, all it does per message),
  // beside the wall-clock rates: on a shared machine the wall clock also counts others' load.
  const cpu = { engine: [] as number[], bare: [] as number[] }
  const cpuSince = (c0: NodeJS.CpuUsage): number => {
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1000
  }
  const props = { sessionExpiryInterval: 600 }
  /**
   * A persistent session holding TOTAL QoS 0 messages while its client is away. Sessions outlive their runs
   * (600 s): with one topic for all, each run's messages were queued for every earlier session too, and the
   * broker held ever more of them as the rounds went on (the bare client's rate halved by round 4).
   */
  const prime = async (clientId: string, topic: string): Promise<void> => {
    const sub = await connectAsync(broker.url, {
      clientId,
      clean: false,
      protocolVersion: 5,
      properties: props,
    })
    await sub.subscribeAsync(topic, { qos: 1 })
    await sub.endAsync()
    const pub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
    for (let i = 0; i < TOTAL; i++) pub.publish(topic, payload, { qos: 0 })
    // A QoS 1 publish after them: once it is acknowledged the broker has queued every one before it.
    await pub.publishAsync('bench/fence', 'x', { qos: 1 })
    await pub.endAsync()
  }
  const bare = async (): Promise<number> => {
    const clientId = `bench-bare-${n}`
    await prime(clientId, topicOf(n++))
    let count = 0
    const c0 = process.cpuUsage()
    const start = performance.now()
    let done: () => void = () => {}
    const all = new Promise<void>((r) => (done = r))
    // Listening from the start: the queued messages follow CONNACK at once.
    const c = connect(broker.url, {
      clientId,
      clean: false,
      protocolVersion: 5,
      properties: props,
      reconnectPeriod: 0,
    })
    c.on('message', () => {
      if (++count === TOTAL) done()
    })
    await all
    const elapsed = performance.now() - start
    cpu.bare.push(cpuSince(c0))
    await c.endAsync()
    return (TOTAL / elapsed) * 1000
  }
  const engine = async (): Promise<number> => {
    const clientId = `bench-engine-${n}`
    await prime(clientId, topicOf(n++))
    const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
    let count = 0
    let done: () => void = () => {}
    const all = new Promise<void>((r) => (done = r))
    countTicks(service, (k) => {
      count += k
      if (count >= TOTAL) done()
    })
    const c0 = process.cpuUsage()
    const start = performance.now()
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [],
      options: { clientId, clean: false, sessionExpiryInterval: 600 },
    })
    if (!r.ok) throw new Error(r.error.message)
    await all
    const elapsed = performance.now() - start
    cpu.engine.push(cpuSince(c0))
    await service.dispose()
    if (count !== TOTAL) throw new Error(`engine emitted ${count}/${TOTAL} message events`)
    return (TOTAL / elapsed) * 1000
  }
  try {
    await bare()
    await engine()
    cpu.engine.length = 0
    cpu.bare.length = 0
    const r = await paired(
      'mqtt',
      ROUNDS,
      { name: 'engine', run: engine },
      { name: 'bare mqtt', run: bare },
      'msg/s',
    )
    console.log(
      `mqtt: ${TOTAL} QoS 0 messages of ${SIZE} B from mosquitto, median of ${ROUNDS} paired rounds`,
    )
    console.log(`  bare MQTT.js client: ${r.b.toFixed(0)} msg/s`)
    console.log(`  Flightdeck engine:   ${r.a.toFixed(0)} msg/s (log + timeline events)`)
    console.log(`  ratio engine/client: ${r.ratio.toFixed(3)} (target >= 0.8)`)
    // Per round: the client's CPU time over the engine's for the same messages (1 = the engine costs nothing).
    const cpuRatio = median(cpu.bare.map((b, i) => b / (cpu.engine[i] ?? Infinity)))
    const perMsg = (ms: number[]): number => (median(ms) * 1000) / TOTAL
    console.log(
      `  CPU time per message: engine ${perMsg(cpu.engine).toFixed(2)} us, client ${perMsg(cpu.bare).toFixed(2)} us; client/engine ${cpuRatio.toFixed(3)} (median of rounds)`,
    )
    return {
      'mqtt.engine_msgs_per_s': Math.round(r.a),
      'mqtt.client_msgs_per_s': Math.round(r.b),
      'mqtt.engine_vs_client': Math.round(r.ratio * 1000) / 1000,
      'mqtt.engine_cpu_us_per_msg': Math.round(perMsg(cpu.engine) * 100) / 100,
      'mqtt.client_cpu_us_per_msg': Math.round(perMsg(cpu.bare) * 100) / 100,
      'mqtt.cpu_client_vs_engine': Math.round(cpuRatio * 1000) / 1000,
    }
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
