import { readFileSync } from 'node:fs'
import { connectAsync, type MqttClient, type Packet } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missingInternals, resend, SessionStore } from '../../src/engine/mqtt/mqtt-session-store'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'

/**
 * A persistent session sends its stored publishes and PUBRELs again through two MQTT.js internals
 * (`client.outgoing`, `client._sendPacket`; MQTT.js's public API cannot send a PUBREL). An MQTT.js upgrade that
 * renames them would leave stored publishes unsent after a reconnect with no error anywhere: these cases fail
 * first, naming what is gone and where it is used, against the installed version and a real broker.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT.js internals guard: ${MOSQUITTO_MISSING}`)

const VERSION = (
  JSON.parse(readFileSync(new URL('../../node_modules/mqtt/package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version
const WHERE = `MQTT.js ${VERSION}: src/engine/mqtt/mqtt-session-store.ts resend() sends a persistent session's stored packets again through these internals; find their replacement in node_modules/mqtt/build/lib/client.js (its store processing at CONNACK does the same) and update resend()`

let broker: MosquittoFixture
const clients: MqttClient[] = []

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto([])
})
afterAll(async () => {
  if (!MOSQUITTO) return
  await Promise.all(clients.map((c) => c.endAsync(true)))
  await broker.close()
})

async function client(protocolVersion: 4 | 5, store: SessionStore): Promise<MqttClient> {
  const c = await connectAsync(broker.url, { protocolVersion, reconnectPeriod: 0, outgoingStore: store })
  clients.push(c)
  return c
}

/** Sends `packet` (put in `store` first, as MQTT.js would have) again; resolves with what `done` was told. */
async function sentAgain(c: MqttClient, store: SessionStore, packet: Packet): Promise<Error | undefined> {
  store.put(packet, () => undefined)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${packet.cmd} within 5 s`)), 5000)
    resend(c, packet, (err) => {
      clearTimeout(timer)
      resolve(err)
    })
  })
}

describe.skipIf(!MOSQUITTO)('the MQTT.js internals a stored packet is sent again through', () => {
  it('a connected client has them', async () => {
    const c = await client(5, new SessionStore())
    expect(missingInternals(c), WHERE).toBeNull()
  })

  it('a stored QoS 1 and QoS 2 PUBLISH sent again: acked, the subscriber has them, the store is empty', async () => {
    const store = new SessionStore()
    const c = await client(5, store)
    const got: string[] = []
    const watcher = await client(5, new SessionStore())
    watcher.on('message', (_t, payload) => got.push(payload.toString()))
    await watcher.subscribeAsync('guard/#', { qos: 2 })
    for (const qos of [1, 2] as const) {
      const packet: Packet = {
        cmd: 'publish',
        topic: 'guard/t',
        payload: Buffer.from(`again${qos}`),
        qos,
        retain: false,
        dup: false,
        messageId: 100 + qos,
      }
      expect(await sentAgain(c, store, packet), WHERE).toBeUndefined()
    }
    expect(store.stored(), WHERE).toEqual([])
    // Bounded: 5 s for the subscriber.
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 50))
    expect(got).toEqual(['again1', 'again2'])
  })

  it('a stored PUBREL sent again: the PUBCOMP tells its callback, the store is empty', async () => {
    // MQTT 3.1.1: a broker answers every PUBREL with PUBCOMP (4.3.3), whether it knows its packet id or not.
    const store = new SessionStore()
    const c = await client(4, store)
    expect(
      await sentAgain(c, store, { cmd: 'pubrel', qos: 2, messageId: 7 } as Packet),
      WHERE,
    ).toBeUndefined()
    expect(store.stored(), WHERE).toEqual([])
  })
})
