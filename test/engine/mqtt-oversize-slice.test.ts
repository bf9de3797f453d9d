import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { within } from '../fixtures/test-timers'
import { makeService } from './helpers'
import {
  end,
  flood,
  publish,
  scriptedBroker,
  sleep,
  type ScriptedBroker,
  type Version,
} from './mqtt-scripted-broker'

/**
 * A message past the limit among others in one read: the messages before it are shown, none after it (the
 * connection is cut there), and the words say which message was refused. A 3.1.1 broker's is refused as its
 * header arrives (mqtt-size-guard.ts); an MQTT 5 broker that ignores CONNECT's Maximum Packet Size has it read
 * whole by MQTT.js first.
 */

describe('MQTT: nothing after a refused oversize message is shown', () => {
  let broker: ScriptedBroker
  let service: EngineService

  beforeAll(async () => {
    service = makeService()
    broker = await scriptedBroker(service)
  })
  afterAll(async () => {
    await service.dispose()
    await broker.close()
  })

  const cases: { v: Version; qos: number; size: number; words: RegExp }[] = [
    {
      v: 4,
      qos: 0,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 4,
      qos: 1,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 4,
      qos: 0,
      size: 40_000,
      words:
        /^The broker began a message of 40,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 5,
      qos: 0,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 5,
      qos: 1,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 5,
      qos: 2,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
    {
      v: 4,
      qos: 2,
      size: 2000,
      words:
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
    },
  ]
  for (const c of cases) {
    it(`MQTT ${c.v === 5 ? '5' : '3.1.1'}: a QoS ${c.qos} message of ${c.size} bytes past the limit, messages of QoS 0 and 1 before and after it in one read`, async () => {
      const v = c.v
      const sid = await broker.open(
        v,
        [
          Buffer.concat([
            ...flood(v, 0, 3),
            publish(v, { topic: 'e/acked', payload: 'acked', qos: 1, packetId: 4 }),
            publish(v, { topic: 'e/huge', payload: 'h'.repeat(c.size), qos: c.qos, packetId: 5 }),
            publish(v, { topic: 'e/after', payload: 'after', qos: 1, packetId: 6 }),
            publish(v, { topic: 'e/after', payload: 'after 0' }),
            ...flood(v, 3, 3),
            publish(v, { topic: 'e/after', payload: 'after 1', qos: 1, packetId: 7 }),
            end(v),
          ]),
        ],
        { maxMessageBytes: 1024 },
      )
      const ended = await within(service.streams.wait(sid), 8000, () => null)
      expect(ended?.final).toMatchObject({ type: 'error', code: 'message_too_large' })
      expect((ended?.final as { message: string }).message).toMatch(c.words)
      // The cut came a turn after the refusal: anything shown after it would be in the log by now.
      await sleep(100)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/acked')
      expect(log.map((e) => e.data)).toEqual(['m0', 'm1', 'm2', 'acked'])
    })
  }

  /** `bytes` cut into reads: the first `ones` a byte each, then `size` bytes each. */
  const cut = (bytes: Buffer, ones: number, size: number): Buffer[] => {
    const reads: Buffer[] = []
    for (let i = 0; i < bytes.length; i += i < ones ? 1 : size)
      reads.push(bytes.subarray(i, i < ones ? i + 1 : i + size))
    return reads
  }

  for (const v of [4, 5] as const) {
    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a message past the limit sent a byte at a time is refused as its header arrives, little of it held`, async () => {
      const before = Buffer.concat([
        ...flood(v, 0, 3),
        publish(v, { topic: 'e/acked', payload: 'acked', qos: 1, packetId: 4 }),
      ])
      const huge = publish(v, {
        topic: 'e/huge',
        payload: Buffer.alloc(4 * 1024 * 1024, 'h'),
        qos: 2,
        packetId: 5,
      })
      // The huge packet's first 200 bytes a byte at a time, the rest in 64 KB reads (cut before most are sent).
      const sid = await broker.open(
        v,
        [before, ...cut(huge, 200, 64 * 1024), end(v)],
        { maxMessageBytes: 1024 },
        0,
      )
      const ended = await within(service.streams.wait(sid), 20_000, () => null)
      expect(ended?.final).toMatchObject({ type: 'error', code: 'message_too_large' })
      const words = (ended?.final as { message: string }).message
      expect(words).toMatch(
        /^The broker began a message of 4,194,304 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \(([\d,]+) bytes of it had arrived\)$/,
      )
      expect(Number(/\(([\d,]+) bytes of it/.exec(words)?.[1]?.replace(/,/g, ''))).toBeLessThan(64 * 1024)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/acked')
      expect(log.map((e) => e.data)).toEqual(['m0', 'm1', 'm2', 'acked'])
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a message within the limit, larger than a turn's slice, sent a byte at a time then in odd reads, arrives whole`, async () => {
      const payload = Buffer.from(Array.from({ length: 40_000 }, (_, i) => 97 + (i % 26)))
      const big = publish(v, { topic: 'e/big', payload, qos: 1, packetId: 8 })
      const sid = await broker.open(
        v,
        [...cut(Buffer.concat([...flood(v, 0, 2), big, ...flood(v, 2, 2)]), 300, 4099), end(v)],
        { maxMessageBytes: 64 * 1024 },
        0,
      )
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/end')
      expect(log.map((e) => [e.event, e.size])).toEqual([
        ['e/flood', 2],
        ['e/flood', 2],
        ['e/big', 40_000],
        ['e/flood', 2],
        ['e/flood', 2],
        ['e/end', 3],
      ])
      expect(log[2]?.data.slice(0, 30)).toBe(payload.toString('utf8', 0, 30))
      await broker.messagesOf(sid)
    })
  }
})
