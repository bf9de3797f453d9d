import { EventEmitter } from 'node:events'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guardMessageSize, type OversizeMessage } from '../../src/engine/mqtt/mqtt-size-guard'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

/**
 * A 3.1.1 broker cannot be told the largest packet Flightdeck takes, so it sends a message past the limit
 * whole: the session refuses it as its header arrives (not once MQTT.js has read it all), ends with
 * `message_too_large` saying how large, on which topic, and how much of it had arrived, and keeps what came
 * before.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT oversize test: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await service.dispose()
  await broker.close()
})

describe.skipIf(!MOSQUITTO)('a 3.1.1 broker sends a message past the limit', () => {
  it('is refused as its header arrives, loudly, the messages before it kept', async () => {
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [{ topic: 'big/#', qos: 0 }],
      options: { protocolVersion: 4, maxMessageBytes: 64 * 1024 },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'sse-event' && e.event === 'SUBACK')
    const peer = await connectAsync(broker.url, { reconnectPeriod: 0 })
    await peer.publishAsync('big/small', Buffer.alloc(64 * 1024, 's'), { qos: 0 })
    await peer.publishAsync('big/huge', Buffer.alloc(8 * 1024 * 1024, 'h'), { qos: 1 })
    await peer.endAsync()
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({ type: 'error', code: 'message_too_large' })
    const message = final.type === 'error' ? final.message : ''
    expect(message).toMatch(
      /^The broker began a message of 8,388,608 bytes on big\/huge, past the limit of 65,536 bytes; Flightdeck closed the connection before reading it \(([\d,]+) bytes of it had arrived\)$/,
    )
    // At most one socket read of it was held, not the 8 MB.
    const held = Number(/\(([\d,]+) bytes of it/.exec(message)?.[1]?.replace(/,/g, ''))
    expect(held).toBeLessThan(1024 * 1024)
    const log = await readLog(service, sid)
    expect(log.find((e) => e.event === 'big/small')?.size).toBe(64 * 1024)
    expect(log.some((e) => e.event === 'big/huge')).toBe(false)
  }, 30_000)
})

describe('the size watch, however the bytes are cut', () => {
  /** A 3.1.1 PUBLISH's fixed header and topic for a payload of `size` bytes (the payload itself left out). */
  const publishHead = (topic: string, size: number, qos = 0): Buffer => {
    const rest = 2 + Buffer.byteLength(topic) + (qos ? 2 : 0) + size
    const len: number[] = []
    let v = rest
    do {
      let b = v % 128
      v = Math.floor(v / 128)
      if (v > 0) b |= 0x80
      len.push(b)
    } while (v > 0)
    const t = Buffer.from(topic)
    const head = Buffer.from([0x30 | (qos << 1), ...len, t.length >> 8, t.length & 0xff])
    return Buffer.concat([head, t, qos ? Buffer.from([0, 7]) : Buffer.alloc(0)])
  }

  it('finds the oversize message after others, cut a byte at a time or whole', () => {
    const small = Buffer.concat([publishHead('a/b', 10), Buffer.alloc(10, 1)])
    // A large SUBACK-like packet (not a PUBLISH) is not a message: never refused.
    const other = Buffer.concat([Buffer.from([0x90, 0x80, 0x08]), Buffer.alloc(1024)])
    const big = publishHead('big/one', 100_000, 1)
    const stream = Buffer.concat([small, other, small, big, Buffer.alloc(50)])
    for (const cut of [1, 3, 7, stream.length]) {
      const events = new EventEmitter()
      const seen: OversizeMessage[] = []
      guardMessageSize(events, 1000, (m) => seen.push(m))
      for (let i = 0; i < stream.length; i += cut) events.emit('data', stream.subarray(i, i + cut))
      expect(seen, `cut ${cut}`).toHaveLength(1)
      // The payload's size when the read holds the topic's length, else the packet's (topic and id with it).
      expect(seen[0]?.size).toBe(cut >= 7 ? 100_000 : 100_011)
      if (cut === stream.length) expect(seen[0]?.topic).toBe('big/one')
      expect(events.listenerCount('data')).toBe(0)
    }
  })

  it('lets a message at the limit through', () => {
    const events = new EventEmitter()
    const seen: OversizeMessage[] = []
    guardMessageSize(events, 1000, (m) => seen.push(m))
    events.emit('data', Buffer.concat([publishHead('x', 1000, 2), Buffer.alloc(1000)]))
    expect(seen).toEqual([])
  })
})
