import { connect, connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { parseMqttDelivery } from '../../src/shared/mqtt'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { readLog, settle } from './stream-helpers'
import type { StreamEntry } from '../../src/shared/streams'

/**
 * A flood of QoS 2 messages from mosquitto (its default of 20 in flight, and none held back): the engine reads
 * them through MQTT.js, which owns the handshake (PUBREC, the broker's PUBREL, PUBCOMP). Every message arrives
 * exactly once, every handshake completes, and the broker holds nothing in flight for the session afterwards:
 * a client taking over the persistent session is sent nothing again.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT QoS 2 flood test: ${MOSQUITTO_MISSING}`)

const N = 2000

let broker: MosquittoFixture
let service: EngineService

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto(['max_queued_messages 0'])
  service = makeService()
})
afterAll(async () => {
  if (!MOSQUITTO) return
  await service.dispose()
  await broker.close()
})

/** The whole log (read a page at a time), again and again until `n` entries match `pred` (bounded by `ms`). */
async function wholeLogUntil(
  sid: string,
  pred: (e: StreamEntry) => boolean,
  n: number,
  ms: number,
): Promise<StreamEntry[]> {
  const until = Date.now() + ms
  for (;;) {
    const log: StreamEntry[] = []
    for (let page = 0; page < 100; page++) {
      const entries = await readLog(service, sid, log.length, 2000)
      log.push(...entries)
      if (entries.length < 2000) break
    }
    const got = log.filter(pred).length
    if (got >= n) return log
    if (Date.now() > until) throw new Error(`timed out: ${got} of ${n} in a log of ${log.length}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe.skipIf(!MOSQUITTO)('a flood of QoS 2 messages', () => {
  it('arrives exactly once each, every handshake completes, and the broker is left nothing in flight', async () => {
    const clientId = 'fd-qos2-flood'
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [{ topic: 'q2/#', qos: 2 }],
      options: { clientId, clean: false, sessionExpiryInterval: 300, reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await logUntil(service, sid, (e) => e.event === 'SUBACK')
    const pub = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })
    // In batches of mosquitto's Receive Maximum (20), each awaited (its PUBCOMPs): MQTT.js does not hold its
    // publishes to the broker's Receive Maximum, and the broker refuses the 21st in flight (Quota exceeded).
    for (let i = 0; i < N; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, N - i) }, (_, k) =>
          pub.publishAsync(`q2/${(i + k) % 7}`, `n${i + k}`, { qos: 2 }),
        ),
      )
    await pub.endAsync()
    const log = await wholeLogUntil(sid, (e) => e.event === 'PUBCOMP' && e.dir === 'out', N, 60_000)
    const messages = log.filter((e) => e.dir === 'in' && e.kind !== 'control')
    const seen = new Map<string, number>()
    for (const m of messages) seen.set(m.data, (seen.get(m.data) ?? 0) + 1)
    expect(messages).toHaveLength(N)
    expect(seen.size).toBe(N)
    for (let i = 0; i < N; i++) expect(seen.get(`n${i}`), `n${i}`).toBe(1)
    expect(messages.every((m) => parseMqttDelivery(m.id)?.qos === 2 && !parseMqttDelivery(m.id)?.dup)).toBe(
      true,
    )
    const count = (event: string, dir: 'in' | 'out'): number =>
      log.filter((e) => e.kind === 'control' && e.event === event && e.dir === dir).length
    expect([count('PUBREC', 'out'), count('PUBREL', 'in'), count('PUBCOMP', 'out')]).toEqual([N, N, N])
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    // The session's persistent state at the broker: a client taking it over is sent nothing again (no message
    // unacked, no PUBREL awaiting its PUBCOMP).
    const again: string[] = []
    const heir = connect(broker.url, {
      clientId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
      reconnectPeriod: 0,
    })
    heir.on('packetreceive', (p) => {
      if (p.cmd === 'publish' || p.cmd === 'pubrel') again.push(p.cmd)
    })
    await new Promise<void>((res, rej) => {
      heir.once('connect', (connack) =>
        connack.sessionPresent ? res() : rej(new Error('no session present')),
      )
      heir.once('error', rej)
    })
    await new Promise((res) => setTimeout(res, 500))
    await heir.endAsync()
    expect(again).toEqual([])
  }, 90_000)
})
