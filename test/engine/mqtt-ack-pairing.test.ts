import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSilentMqttBroker, type SilentMqttBroker } from '../fixtures/silent-mqtt-broker'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

let broker: SilentMqttBroker
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  broker = await startSilentMqttBroker()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await broker.close()
})

async function openSilent(clientId: string): Promise<string> {
  const r = await service.invoke('mqtt.open', {
    url: broker.url,
    options: { protocolVersion: 4, clientId },
    subscriptions: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  await rec.until(r.value.sid, (e) => e.type === 'stream-open')
  return r.value.sid
}

describe('MQTT publishes a broker never acks', () => {
  it('Close still ends the session: DISCONNECT goes out after the grace for acks', async () => {
    const sid = await openSilent('fd-close')
    const p = await service.invoke('mqtt.publish', { sid, topic: 'a/b', payload: 'x', qos: 1, retain: false })
    expect(p.ok).toBe(true)
    const before = broker.disconnects
    const t0 = Date.now()
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    // It waited for the ack (5 s), then said goodbye rather than dropping the connection (no will).
    expect(Date.now() - t0).toBeLessThan(9000)
    expect(broker.disconnects).toBe(before + 1)
  }, 20_000)
})
