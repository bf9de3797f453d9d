import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'
import { nameCell } from './row-name-cell'

/** The name column of an MQTT session's timeline row, drawn from a real session's events. */

if (!MOSQUITTO) console.warn(`skipping the MQTT row name: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await broker?.close()
})

const cell = (sid: string): { name: string; where: string } => nameCell(service, rec, sid)

describe('an MQTT row in the timeline', () => {
  it.skipIf(!MOSQUITTO)('is named by its broker, host:port, not by the URL path "/"', async () => {
    const url = broker?.url ?? ''
    const hostPort = new URL(url).host
    const r = await service.invoke('mqtt.open', { url, subscriptions: [{ topic: 'room/+', qos: 0 }] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    expect(cell(sid)).toEqual({ name: hostPort, where: '' })
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    expect(cell(sid).name).toBe(hostPort)
  })

  it.skipIf(!MOSQUITTO)('over WebSocket, names its endpoint beside the broker', async () => {
    // Nothing listens there: the row is named as it was sent, whatever came of it.
    const r = await service.invoke('mqtt.open', {
      url: 'ws://127.0.0.1:9/mqtt',
      subscriptions: [],
      options: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    await settle(service, r.value.sid)
    expect(cell(r.value.sid).name).toBe('127.0.0.1:9')
  })
})
