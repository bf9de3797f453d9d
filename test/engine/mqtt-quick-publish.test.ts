import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { parseMqttDelivery } from '../../src/shared/mqtt'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { messageCount, record, settle, type Recorder } from './stream-helpers'

/**
 * Plain QoS 0 messages are read by the engine from the connection's bytes while MQTT.js has nothing left to
 * handle (mqtt-quick-publish.ts); every other packet still goes through MQTT.js. What a person sees must not
 * change (every message in the log in the order it came, with its topic, payload and delivery; the acks). What
 * a flood costs is measured by `npm run bench` (mqtt.engine_vs_client), not asserted here.
 */

/** An MQTT 5 PUBLISH: QoS 0 unless a packet id is given; `props` are its encoded properties. */
function publish(
  topic: string,
  payload: Buffer | string,
  o: { retain?: boolean; packetId?: number; props?: Buffer } = {},
): Buffer {
  const t = Buffer.from(topic)
  const p = Buffer.from(payload)
  const id = o.packetId === undefined ? Buffer.alloc(0) : Buffer.from([o.packetId >> 8, o.packetId & 0xff])
  const props = o.props ?? Buffer.alloc(0)
  const body = Buffer.concat([
    Buffer.from([t.length >> 8, t.length & 0xff]),
    t,
    id,
    Buffer.from([props.length]),
    props,
    p,
  ])
  const flags = (o.packetId === undefined ? 0 : 2) | (o.retain ? 1 : 0)
  const len: number[] = []
  let n = body.length
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
    n >>= 7
  } while (n > 0)
  return Buffer.concat([Buffer.from([0x30 | flags, ...len]), body])
}

/** A user property (MQTT 5 property 0x26) as a PUBLISH carries it. */
function userProperty(name: string, value: string): Buffer {
  const str = (s: string): Buffer => Buffer.concat([Buffer.from([0, Buffer.byteLength(s)]), Buffer.from(s)])
  return Buffer.concat([Buffer.from([0x26]), str(name), str(value)])
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('MQTT messages read by the engine', () => {
  let server: Server
  let service: EngineService
  let rec: Recorder
  /** The bytes the engine's client sent the scripted broker after CONNECT. */
  const fromClient: Buffer[] = []
  let script: (socket: Socket) => Promise<void> = async () => undefined

  beforeAll(async () => {
    server = createServer((socket) => {
      socket.setNoDelay(true)
      let connected = false
      socket.on('data', (chunk) => {
        if (connected) {
          fromClient.push(chunk)
          return
        }
        connected = true
        // CONNACK: session present no, Success, no properties.
        socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]))
        void script(socket)
      })
      socket.on('error', () => undefined)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    service = makeService()
    rec = record(service)
  })
  afterAll(async () => {
    rec.stop()
    await service.dispose()
    await new Promise((r) => server.close(r))
  })

  it('keeps every message in order, split anywhere across reads, beside the packets MQTT.js reads', async () => {
    const flood = Array.from({ length: 60 }, (_, i) => publish('q/flood', `m${i}`))
    const packets = [
      publish('q/a', 'one'),
      publish('q/b', 'two', { retain: true }),
      publish('q/c', 'three', { packetId: 7 }),
      publish('q/a', 'four', { props: userProperty('k', 'v') }),
      ...flood.slice(0, 30),
      publish('q/bin', Buffer.from([0xff, 0x00, 0x10])),
      publish('q/empty', ''),
      publish('q/c', 'five', { packetId: 8 }),
      ...flood.slice(30),
      publish('q/end', 'end'),
    ]
    const all = Buffer.concat(packets)
    // Reads that end inside a head, a topic, a payload, and between packets.
    const at = (k: number): number => Buffer.concat(packets.slice(0, k)).length
    const cuts = [1, at(1) + 1, at(2) + 4, at(5) + 2, at(6), at(20) + 7, at(36) - 1, at(38) + 3, all.length]
    script = async (socket) => {
      await sleep(50)
      let from = 0
      for (const cut of cuts) {
        socket.write(all.subarray(from, cut))
        from = cut
        await sleep(15)
      }
    }
    const port = (server.address() as AddressInfo).port
    const r = await service.invoke('mqtt.open', {
      url: `mqtt://127.0.0.1:${port}`,
      subscriptions: [],
      options: { reconnect: false },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const log = await logUntil(service, sid, (e) => e.event === 'q/end', 1, 10_000)
    const messages = log.filter((e) => e.dir === 'in' && e.kind !== 'control')
    const want = [
      ['q/a', 'one'],
      ['q/b', 'two'],
      ['q/c', 'three'],
      ['q/a', 'four'],
      ...flood.slice(0, 30).map((_, i) => ['q/flood', `m${i}`]),
      ['q/bin', Buffer.from([0xff, 0x00, 0x10]).toString('base64')],
      ['q/empty', ''],
      ['q/c', 'five'],
      ...flood.slice(30).map((_, i) => ['q/flood', `m${i + 30}`]),
      ['q/end', 'end'],
    ]
    expect(messages.map((e) => [e.event, e.data])).toEqual(want)
    const delivery = (k: number): unknown => parseMqttDelivery(messages[k]?.id)
    expect(delivery(0)).toEqual({ qos: 0, retain: false })
    expect(delivery(1)).toEqual({ qos: 0, retain: true })
    expect(delivery(2)).toMatchObject({ qos: 1, packetId: 7 })
    expect(delivery(3)).toMatchObject({ qos: 0, properties: { userProperties: [{ name: 'k', value: 'v' }] } })
    expect(messages[34]).toMatchObject({ kind: 'binary', encoding: 'base64' })
    // MQTT.js still answers the QoS 1 messages (PUBACK for packet ids 7 and 8), logged beside them.
    const acked = Buffer.concat(fromClient)
    expect(acked.includes(Buffer.from([0x40, 0x02, 0x00, 0x07]))).toBe(true)
    expect(acked.includes(Buffer.from([0x40, 0x02, 0x00, 0x08]))).toBe(true)
    expect(log.filter((e) => e.dir === 'out' && e.event === 'PUBACK')).toHaveLength(2)
    // The lane counts each message once.
    service.flush()
    const ticks = rec.of(sid).filter((e) => e.type === 'sse-event' && e.dir === 'in' && e.kind !== 'control')
    expect(messageCount(ticks)).toBe(want.length)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })
})
