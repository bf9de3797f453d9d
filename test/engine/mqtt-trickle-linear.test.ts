import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { readJoins } from '../../src/engine/mqtt/mqtt-paced-stream'
import { makeService } from './helpers'
import { end, publish, scriptedBroker, sleep, type ScriptedBroker } from './mqtt-scripted-broker'

/**
 * A broker that trickles a message a byte a read costs the engine work in proportion to the message's size, not
 * its square: a packet that began in one read and ends in a later one is joined once, when all of it is there.
 * The work is counted in bytes copied to join reads (no clock: the machine's load does not move it).
 */

describe('MQTT: a message trickled a byte at a time is joined once', () => {
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

  /** `b` in reads: its first `whole` bytes in one (a packet's head and topic), then a byte a read. */
  const bytesOf = (b: Buffer, whole = 0): Buffer[] => [
    b.subarray(0, whole),
    ...Array.from(b.subarray(whole), (x) => Buffer.from([x])),
  ]

  for (const v of [4, 5] as const) {
    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a 16 KB QoS 0 message in 1-byte reads arrives whole, its bytes copied about once`, async () => {
      const payload = Buffer.from(Array.from({ length: 16_000 }, (_, i) => 97 + (i % 26)))
      const msg = publish(v, { topic: 'e/slow', payload })
      const before = readJoins()
      const sid = await broker.open(v, [...bytesOf(msg, 16), end(v)], { maxMessageBytes: 64 * 1024 }, 0)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/end')
      expect(log.map((e) => [e.event, e.size])).toEqual([
        ['e/slow', 16_000],
        ['e/end', 3],
      ])
      expect(log[0]?.data.slice(0, 30)).toBe(payload.toString('utf8', 0, 30))
      // Each byte of the packet joined at most once, and a packet's head (at most 5 bytes) more while it arrives.
      expect(readJoins() - before).toBeLessThanOrEqual(msg.length + 5 * 16)
      await broker.messagesOf(sid)
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a message past the limit in 1-byte reads is refused, with little joined`, async () => {
      const msg = publish(v, { topic: 'e/huge', payload: Buffer.alloc(12_000, 'h') })
      const before = readJoins()
      const sid = await broker.open(v, [...bytesOf(msg, 16), end(v)], { maxMessageBytes: 1024 }, 0)
      const ended = await Promise.race([service.streams.wait(sid), sleep(20_000).then(() => null)])
      expect(ended?.final).toMatchObject({ type: 'error', code: 'message_too_large' })
      expect((ended?.final as { message: string }).message).toMatch(
        /^The broker began a message of 12,000 bytes on e\/huge, past the limit of 1,024 bytes/,
      )
      expect(readJoins() - before).toBeLessThanOrEqual(5 * 16)
    })
  }
})
