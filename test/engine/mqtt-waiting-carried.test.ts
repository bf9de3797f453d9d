import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import { startCuttableProxy, type CuttableProxy } from '../fixtures/cuttable-proxy'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * mosquitto takes 5 of a client's QoS 1 publishes in flight at once (Receive Maximum 5). A person publishes 30 on
 * a persistent session (clean start off) and the connection drops with 5 in flight and 25 waiting for a place:
 * once the session is back (the broker kept it) the 5 are sent again and the 25 go after them, so a subscriber
 * gets all 30, in order, none refused: the 5 sent again and the 25 share the broker's 5 places. A broker that
 * comes back without the session: mqtt-new-session.test.ts.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT waiting-publishes tests: ${MOSQUITTO_MISSING}`)

const N = 30
const MAX = 5

let broker: MosquittoFixture
let proxy: CuttableProxy
let service: EngineService
let rec: Recorder
let sub: MqttClient
const got: string[] = []

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto([`max_inflight_messages ${MAX}`])
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

const PERSISTENT: CommandRequest<'mqtt.open'>['options'] = {
  protocolVersion: 5,
  clean: false,
  sessionExpiryInterval: 600,
  reconnect: true,
  backoffMs: 100,
  maxBackoffMs: 200,
  maxRetries: 50,
}

/** A subscriber straight on the broker, counting what arrives on `prefix/#`. */
async function subscribe(prefix: string): Promise<void> {
  got.length = 0
  sub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
  sub.on('message', (_t, payload) => got.push(payload.toString()))
  await sub.subscribeAsync(`${prefix}/#`, { qos: 1 })
}

/** Publishes N QoS 1 messages at once on `sid` (none answered: the broker or the link is frozen). */
async function publishAll(sid: string, topic: string): Promise<{ seq: number; waiting?: boolean }[]> {
  const replies = []
  for (let i = 0; i < N; i++) {
    const r = await service.invoke('mqtt.publish', { sid, topic, payload: `n${i}`, qos: 1, retain: false })
    if (!r.ok) throw new Error(r.error.message)
    replies.push(r.value)
  }
  return replies
}

/** Until the subscriber has `n` messages (5 s at most). */
async function received(n: number): Promise<string[]> {
  for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 50))
  // A little longer: nothing more should come.
  await new Promise((r) => setTimeout(r, 200))
  return [...got]
}

const all = Array.from({ length: N }, (_, i) => `n${i}`)

describe.skipIf(!MOSQUITTO)(
  "publishes waiting for the broker's Receive Maximum when the connection drops",
  () => {
    it('a persistent session the broker kept: they go once the session is back, all 30 delivered in order', async () => {
      await subscribe('carry')
      const r = await service.invoke('mqtt.open', {
        url: proxy.url,
        subscriptions: [],
        options: { ...PERSISTENT, clientId: 'fd-carry' },
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      proxy.hold()
      const replies = await publishAll(sid, 'carry/t')
      // The first 5 went out (their log entries' seqs); the other 25 wait, and say so.
      expect(replies.slice(0, MAX).every((p) => p.seq >= 0 && !p.waiting)).toBe(true)
      expect(replies.slice(MAX)).toEqual(Array.from({ length: N - MAX }, () => ({ seq: -1, waiting: true })))
      await logUntil(service, sid, (e) => e.dir === 'out' && e.event === 'carry/t', MAX)
      proxy.cut()
      await rec.until(sid, (e) => e.type === 'stream-open', 2)
      expect(await received(N)).toEqual(all)
      const log = await logUntil(service, sid, (e) => e.event === 'PUBACK' && e.dir === 'in', N, 10_000)
      expect(log.filter((e) => e.event === 'held').map((e) => e.data)).toEqual([
        "25 publishes wait for the broker's Receive Maximum: they go on the next connection if the broker kept the session",
      ])
      expect(log.filter((e) => e.event === 'unsent')).toEqual([])
      // None refused on the new connection: the resent 5 and the 25 after them kept to the broker's 5.
      const acks = log.filter((e) => e.event === 'PUBACK' && e.dir === 'in')
      expect(acks.filter((e) => (JSON.parse(e.id ?? '{}') as { reasonCode?: number }).reasonCode)).toEqual([])
      await sub.endAsync()
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
    }, 30_000)
  },
)
