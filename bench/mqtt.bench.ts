import { performance } from 'node:perf_hooks'
import { connect, connectAsync } from 'mqtt'
import { createEngineService, type EngineService } from '../src/engine/service'
import type { MosquittoFixture } from '../test/fixtures/mosquitto'
import { median, paired } from './paired'

/**
 * Messages/s received from mosquitto, the engine against a bare MQTT.js client in paired back-to-back rounds
 * (the median of the per-round ratios). Before each run the broker holds `total` messages of one QoS for a
 * persistent session (queue_qos0_messages for QoS 0); the run connects to that session and is timed until the
 * last one arrived, so the receiver's speed is measured, not a publisher's. QoS 1 and 2 messages are acked by
 * the receiver as they come (PUBACK; PUBREC, then PUBCOMP for the broker's PUBREL), so their rate is the
 * receiver's and the broker's round trips together. Through the engine every message is timed, logged (topic
 * and delivery) and emitted as a timeline event to a subscriber, as a host gets them; the acks are logged too.
 */

const SIZE = 64
/** Each run's own topic (of one length): a session left by an earlier run is not sent this run's messages. */
const topicOf = (qos: number, run: number): string => `bench/q${qos}/${String(run).padStart(4, '0')}`

export interface MqttRate {
  engine: number
  client: number
  ratio: number
  /** CPU time a message, µs (this process: the receiving client and, for the engine, all it does). */
  engineCpuUs: number
  clientCpuUs: number
  /** The client's CPU time over the engine's for the same messages, median of rounds (1: the engine costs nothing). */
  cpuClientVsEngine: number
}

function countTicks(service: EngineService, onMessage: (n: number) => void): void {
  service.subscribe((batch) => {
    for (const e of batch.events)
      if (e.type === 'sse-event' && e.dir === 'in' && e.kind !== 'control') onMessage(e.count ?? 1)
  })
}

/** The engine against a bare client for `total` messages of `qos` (mosquitto set up as messaging.bench.ts does). */
export async function mqttRate(
  broker: MosquittoFixture,
  qos: 0 | 1 | 2,
  total: number,
  rounds: number,
): Promise<MqttRate> {
  const payload = Buffer.alloc(SIZE, 'm')
  let n = 0
  const cpu = { engine: [] as number[], bare: [] as number[] }
  const cpuSince = (c0: NodeJS.CpuUsage): number => {
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1000
  }
  const props = { sessionExpiryInterval: 600 }
  /**
   * A persistent session holding `total` messages while its client is away. Sessions outlive their runs
   * (600 s): each run has a topic of its own, so no earlier session is sent its messages.
   */
  const prime = async (clientId: string, topic: string): Promise<void> => {
    const sub = await connectAsync(broker.url, {
      clientId,
      clean: false,
      protocolVersion: 5,
      properties: props,
    })
    await sub.subscribeAsync(topic, { qos: Math.max(qos, 1) as 1 | 2 })
    await sub.endAsync()
    const pub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
    if (qos === 0) for (let i = 0; i < total; i++) pub.publish(topic, payload, { qos: 0 })
    else {
      // Acked publishes in batches, each batch awaited: the broker has queued all of them when the last is acked.
      for (let i = 0; i < total; i += 1000)
        await Promise.all(
          Array.from({ length: Math.min(1000, total - i) }, () => pub.publishAsync(topic, payload, { qos })),
        )
    }
    // A QoS 1 publish after them: once it is acknowledged the broker has queued every one before it.
    await pub.publishAsync('bench/fence', 'x', { qos: 1 })
    await pub.endAsync()
  }
  const bare = async (): Promise<number> => {
    const clientId = `bench-bare-q${qos}-${n}`
    await prime(clientId, topicOf(qos, n++))
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
      if (++count === total) done()
    })
    await all
    const elapsed = performance.now() - start
    cpu.bare.push(cpuSince(c0))
    await c.endAsync()
    return (total / elapsed) * 1000
  }
  const engine = async (): Promise<number> => {
    const clientId = `bench-engine-q${qos}-${n}`
    await prime(clientId, topicOf(qos, n++))
    const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
    let count = 0
    let done: () => void = () => {}
    const all = new Promise<void>((r) => (done = r))
    countTicks(service, (k) => {
      count += k
      if (count >= total) done()
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
    if (count !== total) throw new Error(`engine emitted ${count}/${total} message events`)
    return (total / elapsed) * 1000
  }
  await bare()
  await engine()
  cpu.engine.length = 0
  cpu.bare.length = 0
  const r = await paired(
    `mqtt qos ${qos}`,
    rounds,
    { name: 'engine', run: engine },
    { name: 'bare mqtt', run: bare },
    'msg/s',
  )
  const perMsg = (ms: number[]): number => (median(ms) * 1000) / total
  return {
    engine: r.a,
    client: r.b,
    ratio: r.ratio,
    engineCpuUs: perMsg(cpu.engine),
    clientCpuUs: perMsg(cpu.bare),
    cpuClientVsEngine: median(cpu.bare.map((b, i) => b / (cpu.engine[i] ?? Infinity))),
  }
}
