import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'

/**
 * Messages that a broker sends right behind a SUBACK (a publisher busy on the topic) were printed by `flightdeck
 * mqtt` before the SUBACK line: the session told the SUBACK from the subscribe's callback, which MQTT.js calls a
 * promise later than it hands over the messages read behind it. The lines now come in the order the broker sent
 * them, SUBACK first.
 */

if (!MOSQUITTO) console.warn(`skipping the CLI SUBACK order test: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture
let publisher: MqttClient
let timer: NodeJS.Timeout | null = null

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  publisher = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
})
afterAll(async () => {
  if (!MOSQUITTO) return
  await publisher.endAsync()
  await broker.close()
})

/** A busy topic: 20 messages a millisecond, 200,000 at most, till `quiet`. */
function busy(qos: 0 | 1): void {
  let n = 0
  timer = setInterval(() => {
    for (let i = 0; i < 20 && n < 200_000; i++) publisher.publish('live/x', `m${n++}`, { qos })
  }, 1)
}
function quiet(): void {
  if (timer) clearInterval(timer)
  timer = null
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

describe.skipIf(!MOSQUITTO)('flightdeck mqtt: the SUBACK line', () => {
  for (const [version, qos] of [
    ['5', 1],
    ['5', 0],
    ['3.1.1', 1],
  ] as const)
    it(`comes before the messages the broker sent after it (MQTT ${version}, QoS ${qos})`, async () => {
      busy(qos)
      try {
        const r = await cli(
          'mqtt',
          broker.url,
          '--sub',
          `live/#@${qos}`,
          '--mqtt-version',
          version,
          '--max',
          '20',
        )
        expect(r.err).toBe('')
        expect(r.code).toBe(0)
        const shown = r.out
          .split('\n')
          .filter((l) => / ← (SUBACK|live\/)/.test(l))
          .map((l) => l.replace(/^\s*\d+\.\d+s ← /, '').replace(/ \[QoS.*$/, ''))
        expect(shown[0]).toBe(`SUBACK live/#: granted QoS ${qos}`)
        expect(shown.slice(1)).toEqual(Array.from({ length: 20 }, () => 'live/x'))
      } finally {
        quiet()
      }
    }, 30_000)
})
