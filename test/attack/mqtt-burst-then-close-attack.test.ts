import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'

/**
 * A broker that sends a burst of messages and then closes the connection (a retained-message dump before a
 * DISCONNECT, a broker shutting down): every message it sent before its FIN is read and kept, even those still
 * waiting in the engine's paced read-ahead when the socket closed.
 */

const CONNACK_311 = Buffer.from([0x20, 0x02, 0x00, 0x00])
/** A QoS 0 PUBLISH on topic "t" with a one-byte payload: 6 bytes on the wire. */
const PUBLISH = Buffer.from([0x30, 0x04, 0x00, 0x01, 0x74, 0x6d])
const BURST = 30_000

let service: EngineService | null = null
let server: Server | null = null
afterEach(async () => {
  await service?.dispose()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  service = server = null
})

describe('MQTT: a broker that sends a burst and closes', () => {
  it(`keeps all ${BURST} messages sent before the broker's FIN`, async () => {
    server = createServer((socket: Socket) => {
      socket.on('error', () => undefined)
      socket.once('data', () => {
        // CONNACK, the whole burst (180 KB, past the engine's read-ahead) and the FIN, in one go.
        socket.end(Buffer.concat([CONNACK_311, ...Array.from({ length: BURST }, () => PUBLISH)]))
      })
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`
    service = makeService()
    const engine = service
    const r = await engine.invoke('mqtt.open', {
      url,
      subscriptions: [],
      options: { protocolVersion: 4, reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const ended = await Promise.race([
      engine.streams.wait(sid),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
    ])
    expect(ended, 'the session ended').not.toBeNull()
    expect(engine.streams.logs.get(sid)?.entries ?? 0).toBe(BURST)
  }, 30_000)
})
