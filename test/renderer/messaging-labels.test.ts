import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { tabMethodLabel } from '../../src/renderer/tabs/tab-label'
import {
  applyLaneBatch,
  emptyLane,
  EMPTY_LANES,
  tickBuckets,
  topicColor,
} from '../../src/renderer/streams/lane-ticks'
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

  it.skipIf(!MOSQUITTO)(
    'an MQTT row shows the broker accepted, the CONNACK in words on hover, and says MQTT',
    async () => {
      const r = await service.invoke('mqtt.open', { url: broker?.url ?? '', subscriptions: [] })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      const open = rowOf(sid)
      expect(methodText(open)).toBe('MQTT')
      expect(statusText(open)).toBe('OK')
      expect(statusTitle(open)).toMatch(/^CONNACK Success \(0\)/)
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      expect(statusText(rowOf(sid))).toBe('OK')
    },
  )

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

describe.skipIf(!MOSQUITTO)('topics on an MQTT lane', () => {
  it('each topic keeps its own colour on the lane; buckets where topics mix keep the lane colours', async () => {
    const r = await service.invoke('mqtt.open', {
      url: broker?.url ?? '',
      subscriptions: [{ topic: 'col/#', qos: 0 }],
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    await rec.until(sid, (e) => e.type === 'sse-event' && e.kind === 'control')
    for (const topic of ['col/a', 'col/b', 'col/a']) {
      await service.invoke('mqtt.publish', { sid, topic, payload: 'x', qos: 0, retain: false })
      await rec.until(sid, (e) => e.type === 'sse-event' && e.dir === 'in' && e.event === topic)
      await new Promise((res) => setTimeout(res, 40))
    }
    service.flush()
    const lane = applyLaneBatch(EMPTY_LANES, { events: rec.of(sid), dropped: 0 })[sid]
    const topics = tickBuckets(lane ?? emptyLane(sid)).map((b) => b[3])
    // Each publish and its echo land in one bucket of that topic; SUBSCRIBE / SUBACK are not topics.
    expect(topics.filter((t) => t === 'col/a').length).toBeGreaterThanOrEqual(1)
    expect(topics).toContain('col/b')
    expect(topics.every((t) => t === '' || t === null || t === 'col/a' || t === 'col/b')).toBe(true)
    // Stable (a hash of the name, not the order seen) and apart.
    expect(topicColor('col/a')).toBe(topicColor('col/a'))
    expect(topicColor('col/a')).not.toBe(topicColor('col/b'))
    expect(topicColor('sensors/kitchen')).toMatch(/^hsl\(\d+, 65%, 48%\)$/)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })
})
