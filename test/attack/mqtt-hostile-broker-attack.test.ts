import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'

/**
 * MQTT brokers that misbehave, written by hand on a raw socket: one that sends bytes no MQTT packet has after
 * its CONNACK (MQTT.js's parser reports it and reads on, so the session hung open and silent), one that never
 * answers CONNECT, one that stops answering PINGREQ. Each ends the session in words that blame the right thing.
 * A session that stays open is waited for up to STILL_OPEN_MS: a bound for a loaded machine, not a measure (each
 * end is told apart by its code: a hang is 'still open', a timer's end is a timeout, the packet's is 'protocol').
 */

const STILL_OPEN_MS = 20_000

const CONNACK_311 = Buffer.from([0x20, 0x02, 0x00, 0x00])

async function broker(onConnect: (socket: Socket) => void): Promise<{ url: string; server: Server }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('close', () => sockets.delete(socket))
    let connected = false
    socket.on('data', () => {
      if (connected) return
      connected = true
      onConnect(socket)
    })
  })
  server.on('close', () => {
    for (const s of sockets) s.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

let service: EngineService | null = null
let server: Server | null = null
afterEach(async () => {
  await service?.dispose()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  service = server = null
})

async function openAndWait(
  url: string,
  options: Record<string, unknown>,
): Promise<{ code: string; message: string }> {
  service = makeService()
  const r = await service.invoke('mqtt.open', {
    url,
    options: { protocolVersion: 4, reconnect: false, ...options },
    subscriptions: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  const ended = await Promise.race([
    service.streams.wait(r.value.sid),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), STILL_OPEN_MS)),
  ])
  if (!ended) return { code: 'still open', message: `the session was still open after ${STILL_OPEN_MS} ms` }
  const f = ended.final
  return f.type === 'error' ? { code: f.code, message: f.message } : { code: f.type, message: '' }
}

describe('MQTT: a hostile broker', { timeout: STILL_OPEN_MS + 20_000 }, () => {
  it('a malformed packet after CONNACK ends the session as a protocol error, not a timer', async () => {
    const b = await broker((s) => {
      s.write(CONNACK_311)
      // Packet type 15 (AUTH, not in 3.1.1), then type 0 (reserved).
      s.write(Buffer.from([0xf0, 0x00, 0x00, 0x00]))
    })
    server = b.server
    const end = await openAndWait(b.url, {})
    expect(end.code).toBe('protocol')
    expect(end.message).toBe(
      `The broker at ${b.url.slice('mqtt://'.length)} sent a malformed MQTT packet (Not supported auth packet for this version MQTT); Flightdeck closed the connection`,
    )
  })

  it('a broker that never sends CONNACK: a connect timeout that says so', async () => {
    const b = await broker(() => undefined)
    server = b.server
    const end = await openAndWait(b.url, { connectTimeoutMs: 1000 })
    expect(end.code).toBe('timeout_connect')
    expect(end.message).toBe(
      `The broker at ${b.url.slice('mqtt://'.length)} accepted the connection but sent no CONNACK within 1 s (is it an MQTT broker, and does it want TLS?)`,
    )
  })

  it('a broker that stops answering PINGREQ: the keep-alive timeout says so', async () => {
    const b = await broker((s) => s.write(CONNACK_311))
    server = b.server
    const end = await openAndWait(b.url, { keepalive: 1 })
    expect(end.code).toBe('timeout_idle')
    expect(end.message).toContain('stopped answering: no PINGRESP within the keep-alive (1 s)')
  })
})
