import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'
import { statusCell } from './row-name-cell'

/**
 * The status column of an MQTT session's timeline row, drawn from a real mosquitto session's events. A broker
 * that accepted the connection answers CONNACK code 0; shown as `0` it read as a failed request (status 0 in a
 * browser's network panel). A refused connection must still read as a failure.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT row status: ${MOSQUITTO_MISSING}`)

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

describe('an MQTT row status', () => {
  it.skipIf(!MOSQUITTO)(
    'says OK once the broker accepted, the CONNACK code in its hover and name',
    async () => {
      const url = broker?.url ?? ''
      const r = await service.invoke('mqtt.open', { url, subscriptions: [] })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      const open = statusCell(service, rec, sid)
      expect(open.text).toBe('OK')
      expect(open.colour).toContain('st-2xx')
      expect(open.title).toMatch(/^CONNACK Success \(0\), session present: no/)
      expect(open.label).toBe(`MQTT ${url} 0 OK receiving`)
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      const closed = statusCell(service, rec, sid)
      expect(closed.text).toBe('OK')
      expect(closed.label).toBe(`MQTT ${url} 0 OK`)
    },
  )

  it.skipIf(!MOSQUITTO)('says ERR, in red, when the broker refused the connection', async () => {
    if (!broker?.authUrl) {
      console.warn('skipping the refusal: mosquitto_passwd is missing')
      return
    }
    for (const protocolVersion of [4, 5] as const) {
      const r = await service.invoke('mqtt.open', {
        url: broker.authUrl,
        subscriptions: [],
        options: { protocolVersion, username: 'alice', password: 'wrong', reconnect: false },
      })
      if (!r.ok) throw new Error(r.error.message)
      await settle(service, r.value.sid)
      const refused = statusCell(service, rec, r.value.sid)
      expect(refused.text).toBe('ERR')
      expect(refused.colour).toContain('st-error')
      expect(refused.title).toMatch(/refused the connection: Not authorized/)
      expect(refused.label).toBe(`MQTT ${broker.authUrl} error auth`)
    }
  })
})
