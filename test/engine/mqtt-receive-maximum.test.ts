import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startMqttPacketProxy } from '../fixtures/mqtt-packet-proxy'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { settle } from './stream-helpers'

/**
 * mosquitto tells a client it takes 20 of its QoS 1/2 publishes in flight at once (CONNACK's Receive Maximum) and
 * refuses the 21st QoS 2 one ('Quota exceeded'). A person who publishes 100 at once has every one delivered, in order:
 * the engine sends 20, and each next one as an earlier one's handshake completes.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT Receive Maximum test: ${MOSQUITTO_MISSING}`)

const N = 100

let broker: MosquittoFixture
let service: EngineService

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto([])
  service = makeService()
})
afterAll(async () => {
  if (!MOSQUITTO) return
  await service.dispose()
  await broker.close()
})

describe.skipIf(!MOSQUITTO)("the broker's Receive Maximum", () => {
  for (const qos of [1, 2] as const) {
    it(`100 QoS ${qos} publishes at once are each delivered, in order, none refused`, async () => {
      const sub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
      const got: string[] = []
      sub.on('message', (_t, payload) => got.push(payload.toString()))
      await sub.subscribeAsync(`rm${qos}/#`, { qos })
      // mosquitto refuses a QoS 2 publish past its 20 but takes a QoS 1 one (acked at once, never in flight
      // there): a proxy counts what is in flight.
      const proxy = await startMqttPacketProxy(broker.port)
      const r = await service.invoke('mqtt.open', {
        url: proxy.url,
        subscriptions: [],
        options: { protocolVersion: 5, reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      // Open once a QoS 0 publish is taken (bounded: 100 tries, 20 ms apart).
      const probe = { sid, topic: 'probe', payload: '', qos: 0, retain: false } as const
      for (let i = 0; i < 100 && !(await service.invoke('mqtt.publish', probe)).ok; i++)
        await new Promise((res) => setTimeout(res, 20))
      const sent = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          service.invoke('mqtt.publish', { sid, topic: `rm${qos}/t`, payload: `n${i}`, qos, retain: false }),
        ),
      )
      expect(sent.filter((s) => !s.ok)).toEqual([])
      const done = qos === 1 ? 'PUBACK' : 'PUBCOMP'
      const log = await logUntil(service, sid, (e) => e.event === done && e.dir === 'in', N, 15_000)
      const acks = log.filter((e) => e.event === done && e.dir === 'in')
      const refused = acks.filter(
        (e) => (JSON.parse(e.id ?? '{}') as { reasonCode?: number }).reasonCode !== 0,
      )
      expect(refused.map((e) => e.data)).toEqual([])
      expect(log.filter((e) => /Quota exceeded/.test(e.data))).toEqual([])
      for (let i = 0; i < 100 && got.length < N; i++) await new Promise((res) => setTimeout(res, 50))
      expect(got).toEqual(Array.from({ length: N }, (_, i) => `n${i}`))
      expect(proxy.peakInFlight()[0]).toBeLessThanOrEqual(20)
      await sub.endAsync()
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      await proxy.close()
    }, 30_000)
  }

  it('publishes still waiting when the connection closes are said in the log, none sent', async () => {
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [],
      options: { protocolVersion: 5, reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const probe = { sid, topic: 'probe', payload: '', qos: 0, retain: false } as const
    for (let i = 0; i < 100 && !(await service.invoke('mqtt.publish', probe)).ok; i++)
      await new Promise((res) => setTimeout(res, 20))
    // The broker frozen: none of the first 20 is answered, so the other 10 wait until the connection is gone.
    broker.pause()
    for (let i = 0; i < 30; i++)
      await service.invoke('mqtt.publish', { sid, topic: 'rm/held', payload: `h${i}`, qos: 2, retain: false })
    await broker.stop()
    const log = await logUntil(service, sid, (e) => e.event === 'unsent', 1, 15_000)
    expect(log.filter((e) => e.event === 'unsent').map((e) => e.data)).toEqual([
      "10 publishes were not sent: they waited for the broker's Receive Maximum when the connection closed",
    ])
    expect(log.filter((e) => e.dir === 'out' && e.event === 'rm/held')).toHaveLength(20)
    await broker.restart()
  }, 30_000)
})
