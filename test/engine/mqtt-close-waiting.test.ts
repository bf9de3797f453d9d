import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * The person closes a session while publishes wait for the broker's Receive Maximum and others await their acks:
 * the close waits for the acks, and as each came MQTT.js was handed the next waiting publish, refused it at once
 * (the client is disconnecting), and so on through all of them: they vanished without a word. Now they stay
 * waiting and the log says they were not sent.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT close-while-waiting test: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto(['max_inflight_messages 3'])
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await service.dispose()
  await broker.close()
})

describe.skipIf(!MOSQUITTO)('closing with publishes waiting for a place', () => {
  it('the acks that come during the close send none of them; the log says 20 were not sent', async () => {
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [],
      options: { protocolVersion: 5, clientId: 'fd-close-waiting' },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    broker.pause()
    for (let i = 0; i < 23; i++) {
      const p = await service.invoke('mqtt.publish', {
        sid,
        topic: 'cw/t',
        payload: `n${i}`,
        qos: 1,
        retain: false,
      })
      if (!p.ok) throw new Error(p.error.message)
    }
    await logUntil(service, sid, (e) => e.dir === 'out' && e.event === 'cw/t', 3)
    await service.invoke('session.cancel', { sid })
    broker.resume()
    await settle(service, sid)
    const log = await logUntil(service, sid, (e) => e.event === 'unsent')
    expect(log.filter((e) => e.event === 'unsent').map((e) => e.data)).toEqual([
      "20 publishes were not sent: they waited for the broker's Receive Maximum when the connection closed",
    ])
    // The 3 in flight were acknowledged during the close; nothing more went out.
    expect(log.filter((e) => e.event === 'PUBACK' && e.dir === 'in')).toHaveLength(3)
    expect(log.filter((e) => e.dir === 'out' && e.event === 'cw/t')).toHaveLength(3)
  }, 30_000)
})
