import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WAITING_NOTE } from '../../src/renderer/mqtt/messaging-slice'
import type { AppStore } from '../../src/renderer/store/app-store'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The publish box over a real engine and mosquitto taking 2 QoS 1 publishes in flight (Receive Maximum 2), the
 * broker frozen so none is acknowledged: the first two publish without a word, the third says it waits for the
 * broker rather than nothing (it has no log entry yet).
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT waiting publish note: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
let engine: TestEngine
let store: AppStore

beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto(['max_inflight_messages 2'])
  engine = startEngine()
  store = engine.store()
})
afterAll(async () => {
  await stopEngines()
  await broker?.close()
})

describe('publishing past the broker’s Receive Maximum', () => {
  it.skipIf(!MOSQUITTO)('the third of three unanswered QoS 1 publishes says it waits', async () => {
    const service = engine.service
    const r = await service.invoke('mqtt.open', {
      url: broker?.url ?? '',
      subscriptions: [],
      options: { protocolVersion: 5, reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    // Open once a QoS 0 publish is taken (bounded: 100 tries, 20 ms apart).
    const probe = { sid, topic: 'probe', payload: '', qos: 0, retain: false } as const
    for (let i = 0; i < 100 && !(await service.invoke('mqtt.publish', probe)).ok; i++)
      await new Promise((res) => setTimeout(res, 20))
    broker?.pause()
    store.getState().setMqttPublishDraft({ topic: 'w/t', payload: 'x', qos: 1 })
    const outcomes = []
    for (let i = 0; i < 3; i++) outcomes.push(await store.getState().publishMqtt(sid))
    expect(outcomes).toEqual([null, null, { note: WAITING_NOTE }])
    expect(WAITING_NOTE).toMatch(/^Waiting: .*Receive Maximum/)
    broker?.resume()
    await service.invoke('session.cancel', { sid })
  })
})
