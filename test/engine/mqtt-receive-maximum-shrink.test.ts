import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { PUBLISH, startMqttPacketProxy } from '../fixtures/mqtt-packet-proxy'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An MQTT 5 broker may take fewer publishes in flight on the next connection than on the one before (CONNACK's
 * Receive Maximum; a broker restarted with another configuration). Here the first CONNACK says 50 (the proxy's
 * word) and the broker behind it, mosquitto, takes 5: it refuses a 6th QoS 2 publish awaiting its PUBREL ('Quota
 * exceeded'), while a QoS 1 publish, acked at once, is never in flight there, so the proxy counts what is. A
 * persistent session sends 50 QoS 1 (or 2) publishes that never reach the broker and holds 10 more for a place;
 * the link drops, and on the next connection (the broker kept the session: its CONNACK says 5) the 50 sent again
 * and the 10 share the 5 places: a subscriber gets all 60, in order, none refused.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT Receive Maximum after a reconnect test: ${MOSQUITTO_MISSING}`)

const FIRST_MAX = 50
const MAX = 5
const N = 60

let broker: MosquittoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto([`max_inflight_messages ${MAX}`])
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await service.dispose()
  await broker.close()
})

describe.skipIf(!MOSQUITTO)("the broker's Receive Maximum after a reconnect", () => {
  for (const qos of [1, 2] as const) {
    it(`shrinks from ${FIRST_MAX} to ${MAX}: QoS ${qos} publishes sent again and those waiting keep to ${MAX}, none refused`, async () => {
      const topic = `shrink${qos}/t`
      const got: string[] = []
      const watcher = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
      watcher.on('message', (_t, payload) => got.push(payload.toString()))
      await watcher.subscribeAsync(`shrink${qos}/#`, { qos })
      const proxy = await startMqttPacketProxy(broker.port)
      proxy.announceReceiveMaximum(FIRST_MAX)
      const r = await service.invoke('mqtt.open', {
        url: proxy.url,
        subscriptions: [],
        options: {
          protocolVersion: 5,
          clientId: `fd-shrink-${qos}`,
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
      await rec.until(sid, (e) => e.type === 'stream-open')
      proxy.drop('up', PUBLISH)
      const sent = []
      for (let i = 0; i < N; i++)
        sent.push(await service.invoke('mqtt.publish', { sid, topic, payload: `n${i}`, qos, retain: false }))
      // The first connection's Receive Maximum let 50 go (none reached the broker); 10 wait for a place.
      expect(sent.filter((s) => s.ok && s.value.waiting).length).toBe(N - FIRST_MAX)
      await logUntil(service, sid, (e) => e.dir === 'out' && e.event === topic, FIRST_MAX)
      proxy.pass()
      proxy.cut()
      const code = (e: StreamEntry): number | undefined =>
        (JSON.parse(e.id ?? '{}') as MqttControl).reasonCode
      // Each publish's handshake ends: PUBACK or PUBCOMP, or a PUBREC that refuses it.
      const ended = (e: StreamEntry): boolean =>
        e.dir === 'in' &&
        (e.event === 'PUBACK' || e.event === 'PUBCOMP' || (e.event === 'PUBREC' && !!code(e)))
      const log = await logUntil(service, sid, ended, N, 20_000)
      expect(log.filter((e) => e.dir === 'in' && code(e)).map((e) => e.data)).toEqual([])
      expect(log.find((e) => e.event === 'resent')?.data).toMatch(/^Resent 50 QoS 1\/2 publishes /)
      // mosquitto refuses a QoS 2 publish past its 5 but takes a QoS 1 one (it acks it at once): what the
      // proxy saw in flight on the second connection says whether the session kept to the 5.
      expect(proxy.peakInFlight()[1]).toBeLessThanOrEqual(MAX)
      // Bounded: 10 s at most for the subscriber to have them all.
      for (let i = 0; i < 200 && got.length < N; i++) await new Promise((res) => setTimeout(res, 50))
      expect(got).toEqual(Array.from({ length: N }, (_, i) => `n${i}`))
      await watcher.endAsync()
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      await proxy.close()
    }, 40_000)
  }
})
