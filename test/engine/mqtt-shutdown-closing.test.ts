import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { readLog, record } from './stream-helpers'

/**
 * Flightdeck shuts down while a Close waits for the acks of publishes a real broker (mosquitto, frozen so it
 * answers nothing) never sent: the session ends in the close's words, counting the publishes it lost, as the same
 * close ends when the wait runs out (mqtt-close-words.test.ts).
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT shutdown during Close: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto()
})
afterAll(async () => {
  broker?.resume()
  await broker?.close()
})

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('MQTT: Flightdeck shuts down while Close waits for the acks', () => {
  it.skipIf(!MOSQUITTO)(
    'the end words are the close words with the publishes it lost',
    async () => {
      const b = broker as MosquittoFixture
      const service = makeService()
      const rec = record(service)
      try {
        const r = await service.invoke('mqtt.open', { url: b.url, subscriptions: [] })
        if (!r.ok) throw new Error(r.error.message)
        const sid = r.value.sid
        await rec.until(sid, (e) => e.type === 'stream-open')
        b.pause()
        for (const n of [1, 2, 3]) {
          const p = await service.invoke('mqtt.publish', {
            sid,
            topic: `shut/${n}`,
            payload: 'x',
            qos: 1,
            retain: false,
          })
          expect(p.ok).toBe(true)
        }
        await until(
          async () => (await readLog(service, sid)).some((e) => e.dir === 'out' && e.event === 'shut/3'),
          'the third publish in the log',
        )
        // Close begins: MQTT.js holds DISCONNECT back until the acks come (for a grace of seconds).
        await service.invoke('session.cancel', { sid })
        await new Promise((r) => setTimeout(r, 300))
        expect(rec.of(sid).some((e) => e.type === 'stream-closed')).toBe(false)
        await service.dispose()
        const closed = rec.of(sid).filter((e) => e.type === 'stream-closed')
        expect(closed.map((e) => e.type === 'stream-closed' && e.reason)).toEqual([
          'Closed by you (DISCONNECT); 3 QoS 1 publishes lost: the session ended',
        ])
        expect(rec.of(sid).filter((e) => e.type === 'done')).toHaveLength(1)
      } finally {
        rec.stop()
        b.resume()
        await service.dispose()
      }
    },
    30_000,
  )
})
