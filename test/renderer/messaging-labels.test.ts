import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { tabMethodLabel } from '../../src/renderer/tabs/tab-label'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { methodText, statusText, statusTitle } from '../../src/renderer/timeline/row-labels'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'

/** What the tab and the timeline row say of MQTT and Socket.IO sessions, from a real session's events. */

if (!MOSQUITTO) console.warn(`skipping the MQTT row labels: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
let sio: SocketIoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto()
  sio = await startSocketIoServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await sio.close()
  await broker?.close()
})

function rowOf(sid: string) {
  service.flush()
  const row = applyBatch(EMPTY_TIMELINE, { events: rec.of(sid), dropped: 0 }).rows[sid]
  if (!row) throw new Error('no row')
  return row
}

describe('MQTT and Socket.IO labels', () => {
  it('the request tab says MQTT and SIO, not the GET of a blank draft', () => {
    expect(tabMethodLabel('mqtt', 'GET')).toBe('MQTT')
    expect(tabMethodLabel('socketio', 'GET')).toBe('SIO')
  })

  it.skipIf(!MOSQUITTO)('an MQTT row shows its CONNACK code, in words on hover, and says MQTT', async () => {
    const r = await service.invoke('mqtt.open', { url: broker?.url ?? '', subscriptions: [] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    const open = rowOf(sid)
    expect(methodText(open)).toBe('MQTT')
    expect(statusText(open)).toBe('0')
    expect(statusTitle(open)).toMatch(/^CONNACK Success \(0\)/)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    expect(statusText(rowOf(sid))).toBe('0')
  })

  it('a Socket.IO row says SIO and the Engine.IO handshake as its status', async () => {
    const r = await service.invoke('socketio.open', { url: sio.url, headers: [], query: [], listen: [] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    const open = rowOf(sid)
    expect(methodText(open)).toBe('SIO')
    expect(statusText(open)).toBe('200')
    expect(statusTitle(open)).toBe('Engine.IO handshake over polling')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })
})
