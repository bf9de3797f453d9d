import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { parseMqttDelivery } from '../../src/shared/mqtt'
import { makeService } from './helpers'
import { end, publish, scriptedBroker, type ScriptedBroker } from './mqtt-scripted-broker'

/**
 * A topic of invalid UTF-8 whose bytes arrive over several reads, in a packet MQTT.js reads (QoS 1, or a QoS 0
 * message too large for the engine's quick path): the message keeps its topic's bytes as hex all the same, as it
 * does when the packet arrives in one read.
 */

const TOPIC = Buffer.from([0x61, 0xff, 0x2f, 0xc3, 0x2f, 0xe2, 0x82])
const HEX = '61ff2fc32fe282'
const SHOWN = TOPIC.toString('utf8')

/** `packet` cut into reads: the first `first` bytes whole, then a byte a read up to `upTo`, then the rest. */
function trickled(packet: Buffer, first: number, upTo: number): Buffer[] {
  const reads = [packet.subarray(0, first)]
  for (let i = first; i < upTo; i++) reads.push(packet.subarray(i, i + 1))
  reads.push(packet.subarray(upTo))
  return reads.filter((r) => r.length > 0)
}

describe('a non-UTF-8 topic split across reads keeps its bytes', () => {
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

  for (const v of [4, 5] as const) {
    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: QoS 1 a byte a read, and a 20 KB QoS 0 message split inside its topic`, async () => {
      const acked = publish(v, { topic: TOPIC, payload: 'acked', qos: 1, packetId: 7 })
      const big = publish(v, { topic: TOPIC, payload: Buffer.alloc(20_000, 0x78) })
      // The big one's head: 1 type byte, 3 length bytes, 2 topic-length bytes; the topic ends at byte 13.
      const reads = [...trickled(acked, 0, acked.length), ...trickled(big, 5, 14), end(v)]
      const sid = await broker.open(v, reads, {}, 3)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/end')
      expect(log.map((e) => [e.event, e.data.length, parseMqttDelivery(e.id)?.topicHex])).toEqual([
        [SHOWN, 5, HEX],
        [SHOWN, 20_000, HEX],
        ['e/end', 3, undefined],
      ])
      await broker.messagesOf(sid)
    }, 20_000)
  }
})
