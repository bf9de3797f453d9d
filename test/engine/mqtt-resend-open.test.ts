import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mqttConnect } from '../../src/engine/mqtt/messaging-connect'
import { MqttSession } from '../../src/engine/mqtt/mqtt-session'
import type { EngineService } from '../../src/engine/service'
import { startCuttableProxy, type CuttableProxy } from '../fixtures/cuttable-proxy'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * A persistent session's connection drops with many QoS 1 publishes awaiting their acks; the broker keeps the
 * session. MQTT.js sent its stored publishes again one at a time, each after the ack of the one before, and said
 * the connection was open only after the last: 200 stored publishes held the session's open and its subscribe
 * 200 round trips. Now the session sends them within the broker's Receive Maximum and subscribes as CONNACK
 * arrives. And when making the MQTT.js client throws on a reconnect (an option it cannot write), the publishes
 * that were to go on that connection are told of, not dropped without a word.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT resend-at-open tests: ${MOSQUITTO_MISSING}`)

const N = 200

let broker: MosquittoFixture
let proxy: CuttableProxy
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto(['max_inflight_messages 1000'])
  proxy = await startCuttableProxy(broker.port)
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await service.dispose()
  await proxy.close()
  await broker.close()
})

/** Publishes `n` QoS 1 messages on `sid`, each answered. */
async function publishMany(sid: string, topic: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = await service.invoke('mqtt.publish', { sid, topic, payload: `n${i}`, qos: 1, retain: false })
    if (!p.ok) throw new Error(p.error.message)
  }
}

describe.skipIf(!MOSQUITTO)('a persistent session reconnecting with publishes awaiting their acks', () => {
  it(`${N} stored publishes: the subscribe goes as the connection opens, before their acks; all ${N} arrive`, async () => {
    const got: string[] = []
    const watcher: MqttClient = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
    watcher.on('message', (_t, payload) => got.push(payload.toString()))
    await watcher.subscribeAsync('many/#', { qos: 1 })
    const r = await service.invoke('mqtt.open', {
      url: proxy.url,
      subscriptions: [{ topic: 'echo/#', qos: 0 }],
      options: {
        protocolVersion: 5,
        clientId: 'fd-many',
        clean: false,
        sessionExpiryInterval: 600,
        reconnect: true,
        backoffMs: 100,
        maxBackoffMs: 200,
        maxRetries: 50,
      },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await logUntil(service, sid, (e) => e.event === 'SUBACK')
    proxy.hold()
    await publishMany(sid, 'many/t', N)
    await logUntil(service, sid, (e) => e.dir === 'out' && e.event === 'many/t', N)
    proxy.cut()
    const log = await logUntil(service, sid, (e) => e.event === 'PUBACK' && e.dir === 'in', N, 20_000)
    // The second connection's SUBSCRIBE went before any of the acks of the publishes sent again (MQTT.js's own
    // resend put all 200 before it).
    const second = log.filter((e) => e.event === 'SUBSCRIBE')[1]
    expect(second).toBeDefined()
    const acksBefore = log.filter((e) => e.event === 'PUBACK' && e.dir === 'in' && e.seq < (second?.seq ?? 0))
    expect(acksBefore).toHaveLength(0)
    expect(log.find((e) => e.event === 'resent')?.data).toMatch(/^Resent 200 QoS 1\/2 publishes /)
    // Bounded: 10 s at most for the watcher to have all 200.
    for (let i = 0; i < 200 && got.length < N; i++) await new Promise((res) => setTimeout(res, 50))
    expect(got).toEqual(Array.from({ length: N }, (_, i) => `n${i}`))
    await watcher.endAsync()
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  }, 40_000)

  it('making the client throws on a reconnect: the publishes waiting for it are reported, not dropped', async () => {
    const { options } = mqttConnect(
      {
        protocolVersion: 5,
        clientId: 'fd-throws',
        clean: false,
        sessionExpiryInterval: 600,
        reconnect: true,
        backoffMs: 100,
        maxBackoffMs: 200,
        maxRetries: 2,
      },
      {},
      null,
    )
    const small = await startMosquitto(['max_inflight_messages 3'])
    const relay = await startCuttableProxy(small.port)
    const session = service.streams.openSession(
      'mq',
      (init) => new MqttSession({ ...init, url: relay.url, options, subscriptions: [] }),
    )
    const sid = session.sid
    session.start()
    await rec.until(sid, (e) => e.type === 'stream-open')
    relay.hold()
    for (let i = 0; i < 10; i++) {
      const p = session.publish({ topic: 'throws/t', payload: `n${i}`, qos: 1, retain: false })
      if (!p.ok) throw new Error(p.error.message)
    }
    // The broker takes 3 in flight: 3 went out and await their acks, 7 wait for a place.
    await logUntil(service, sid, (e) => e.dir === 'out' && e.event === 'throws/t', 3)
    // A user name MQTT.js cannot write into CONNECT (past 65,535 bytes): its client throws as it is made.
    options.username = 'u'.repeat(70_000)
    relay.cut()
    const { final } = await service.waitForStream(sid)
    expect(final.type).toBe('error')
    const log = await logUntil(service, sid, (e) => e.event === 'unsent')
    expect(log.filter((e) => e.event === 'unsent').map((e) => e.data)).toEqual([
      "7 publishes were not sent: they waited for the broker's Receive Maximum when the connection closed",
    ])
    expect(log.filter((e) => e.event === 'lost')).toHaveLength(3)
    expect(final.type === 'error' && final.message).toMatch(
      /^Could not start the MQTT client: .*; 3 QoS 1 publishes lost: the session ended$/,
    )
    await relay.close()
    await small.close()
  }, 30_000)
})
