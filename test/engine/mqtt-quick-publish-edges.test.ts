import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { parseMqttDelivery } from '../../src/shared/mqtt'
import { within } from '../fixtures/test-timers'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { end, flood, publish, scriptedBroker, type ScriptedBroker } from './mqtt-scripted-broker'

/**
 * The packets a broker should not send, or sends oddly, read by the engine's quick path (plain QoS 0
 * publishes, mqtt-quick-publish.ts) and by MQTT.js (the same packets with QoS 1): the log shows them as MQTT.js
 * did. A topic's bytes are decoded as MQTT.js decodes them (invalid UTF-8 becomes U+FFFD; `+`, `#` and U+0000
 * are not refused), an empty payload is an empty message, a remaining length written in more bytes than it
 * needs is read where the packet really starts, and a PUBLISH with both QoS bits set ends the session after the
 * messages before it (MQTT.js parses a read whole before it handles its packets: those it parsed before the
 * malformed one were lost). So does a topic that runs past its packet, and a 3.1.1 message past the limit
 * (refused as its header arrives, mqtt-size-guard.ts).
 */

describe('MQTT packets read by the engine and by MQTT.js alike', () => {
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
  const open = (...a: Parameters<ScriptedBroker['open']>): Promise<string> => broker.open(...a)
  const messagesOf = (sid: string, ends = 1): ReturnType<ScriptedBroker['messagesOf']> =>
    broker.messagesOf(sid, ends)

  for (const v of [4, 5] as const) {
    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a topic of invalid UTF-8 is shown as MQTT.js decodes it, U+FFFD for each bad byte, its bytes kept as hex`, async () => {
      const topic = Buffer.from([0x61, 0xff, 0x2f, 0xc3, 0x2f, 0xe2, 0x82])
      // The same shown topic from other bytes: each message keeps its own.
      const other = Buffer.from([0x61, 0xfe, 0x2f, 0xc3, 0x2f, 0xe2, 0x82])
      const sid = await open(v, [
        Buffer.concat([
          ...flood(v, 0, 2),
          publish(v, { topic, payload: 'quick' }),
          publish(v, { topic, payload: 'acked', qos: 1, packetId: 3 }),
          publish(v, { topic: other, payload: 'quick again' }),
          // MQTT.js reads these: a QoS 0 one whose length is written long, and QoS 2 (told at its PUBREL).
          publish(v, { topic: other, payload: 'long', lengthBytes: 3 }),
          publish(v, { topic, payload: 'twice', qos: 2, packetId: 4 }),
          Buffer.from([0x62, 0x02, 0x00, 0x04]),
          ...flood(v, 2, 1),
          end(v),
        ]),
      ])
      const shown = topic.toString('utf8')
      expect(shown).toBe('a\ufffd/\ufffd/\ufffd')
      expect(other.toString('utf8')).toBe(shown)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/end')
      expect(log.map((e) => [e.event, e.data, parseMqttDelivery(e.id)?.topicHex])).toEqual([
        ['e/flood', 'm0', undefined],
        ['e/flood', 'm1', undefined],
        [shown, 'quick', '61ff2fc32fe282'],
        [shown, 'acked', '61ff2fc32fe282'],
        [shown, 'quick again', '61fe2fc32fe282'],
        [shown, 'long', '61fe2fc32fe282'],
        [shown, 'twice', '61ff2fc32fe282'],
        ['e/flood', 'm2', undefined],
        ['e/end', 'end', undefined],
      ])
      await messagesOf(sid)
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: topics holding +, # or U+0000 (a broker must not send them) are shown as sent, as MQTT.js did`, async () => {
      const odd = ['a/+/b', 'a/#', 'nul\u0000here', '#']
      const sid = await open(v, [
        Buffer.concat([
          ...odd.map((topic, i) => publish(v, { topic, payload: `q${i}` })),
          ...odd.map((topic, i) => publish(v, { topic, payload: `a${i}`, qos: 1, packetId: i + 1 })),
          end(v),
        ]),
      ])
      expect(await messagesOf(sid)).toEqual([
        ...odd.map((topic, i) => [topic, `q${i}`, 'text']),
        ...odd.map((topic, i) => [topic, `a${i}`, 'text']),
      ])
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: an empty payload is an empty text message, among a flood`, async () => {
      const sid = await open(v, [
        Buffer.concat([
          ...flood(v, 0, 3),
          publish(v, { topic: 'e/empty' }),
          publish(v, { topic: 'e/empty', qos: 1, packetId: 9 }),
          publish(v, { topic: 'e/empty' }),
          ...flood(v, 3, 2),
          end(v),
        ]),
      ])
      expect(await messagesOf(sid)).toEqual([
        ['e/flood', 'm0', 'text'],
        ['e/flood', 'm1', 'text'],
        ['e/flood', 'm2', 'text'],
        ['e/empty', '', 'text'],
        ['e/empty', '', 'text'],
        ['e/empty', '', 'text'],
        ['e/flood', 'm3', 'text'],
        ['e/flood', 'm4', 'text'],
      ])
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a remaining length written in more bytes than it needs is read from the packet's real start`, async () => {
      const sid = await open(v, [
        Buffer.concat([
          ...flood(v, 0, 2),
          publish(v, { topic: 'e/long2', payload: 'two', lengthBytes: 2 }),
          ...flood(v, 2, 2),
          publish(v, { topic: 'e/long4', payload: 'four', lengthBytes: 4 }),
          publish(v, { topic: 'e/long3', payload: 'x'.repeat(200), lengthBytes: 3 }),
          ...flood(v, 4, 2),
          end(v),
        ]),
        // Alone in a read of its own, and one that starts a read followed by quick ones.
        publish(v, { topic: 'e/alone', payload: 'alone', lengthBytes: 3 }),
        Buffer.concat([
          publish(v, { topic: 'e/first', payload: 'first', lengthBytes: 2 }),
          ...flood(v, 6, 2),
        ]),
        end(v),
      ])
      expect(await messagesOf(sid, 2)).toEqual([
        ['e/flood', 'm0', 'text'],
        ['e/flood', 'm1', 'text'],
        ['e/long2', 'two', 'text'],
        ['e/flood', 'm2', 'text'],
        ['e/flood', 'm3', 'text'],
        ['e/long4', 'four', 'text'],
        ['e/long3', 'x'.repeat(200), 'text'],
        ['e/flood', 'm4', 'text'],
        ['e/flood', 'm5', 'text'],
        ['e/alone', 'alone', 'text'],
        ['e/first', 'first', 'text'],
        ['e/flood', 'm6', 'text'],
        ['e/flood', 'm7', 'text'],
      ])
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a PUBLISH with both QoS bits set, amid a flood, ends the session after the messages before it, QoS 0 and 1`, async () => {
      const sid = await open(v, [
        Buffer.concat([
          ...flood(v, 0, 5),
          publish(v, { topic: 'e/acked', payload: 'acked', qos: 1, packetId: 4 }),
          publish(v, { topic: 'e/acked', payload: 'acked too', qos: 1, packetId: 5 }),
          publish(v, { topic: 'e/bad', payload: 'bad', qos: 3 }),
          ...flood(v, 5, 5),
          end(v),
        ]),
      ])
      const ended = await within(service.streams.wait(sid), 8000, () => null)
      expect(ended?.final).toMatchObject({
        type: 'error',
        code: 'protocol',
        message: `The broker at 127.0.0.1:${broker.port} sent a malformed MQTT packet (Packet must not have both QoS bits set to 1); Flightdeck closed the connection`,
      })
      const log = await logUntil(service, sid, (e) => e.event === 'e/flood', 5)
      expect(log.filter((e) => e.dir === 'in' && e.kind !== 'control').map((e) => e.data)).toEqual([
        'm0',
        'm1',
        'm2',
        'm3',
        'm4',
        'acked',
        'acked too',
      ])
    })
  }

  it('MQTT 3.1.1: a message past the limit, amid a flood, ends the session after the messages before it, QoS 0 and 1', async () => {
    const head = publish(4, { topic: 'e/huge', payload: 'h'.repeat(2000) })
    const sid = await open(
      4,
      [
        Buffer.concat([
          ...flood(4, 0, 5),
          publish(4, { topic: 'e/acked', payload: 'acked', qos: 1, packetId: 4 }),
          publish(4, { topic: 'e/acked', payload: 'acked too', qos: 1, packetId: 5 }),
          head,
          publish(4, { topic: 'e/after', payload: 'after', qos: 1, packetId: 6 }),
          ...flood(4, 5, 5),
          end(4),
        ]),
      ],
      { maxMessageBytes: 1024 },
    )
    const ended = await within(service.streams.wait(sid), 8000, () => null)
    expect(ended?.final).toMatchObject({
      type: 'error',
      code: 'message_too_large',
      message: expect.stringMatching(
        /^The broker began a message of 2,000 bytes on e\/huge, past the limit of 1,024 bytes; Flightdeck closed the connection before reading it \([\d,]+ bytes of it had arrived\)$/,
      ),
    })
    const log = await logUntil(service, sid, (e) => e.event === 'e/flood', 5)
    expect(log.filter((e) => e.dir === 'in' && e.kind !== 'control').map((e) => e.data)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'acked',
      'acked too',
    ])
  })
  for (const qos of [0, 1]) {
    it(`MQTT 3.1.1: a QoS ${qos} PUBLISH whose topic runs past its packet ends the session after the messages before it`, async () => {
      // The topic's length says 200 bytes; the packet holds 2 (and a packet id for QoS 1).
      const bad = Buffer.from([0x30 | (qos << 1), qos ? 6 : 4, 0, 200, 0x61, 0x62, ...(qos ? [0, 9] : [])])
      const sid = await open(4, [
        Buffer.concat([
          ...flood(4, 0, 3),
          publish(4, { topic: 'e/acked', payload: 'acked', qos: 1, packetId: 4 }),
          bad,
          ...flood(4, 3, 3),
          end(4),
        ]),
      ])
      const ended = await within(service.streams.wait(sid), 8000, () => null)
      expect(ended?.final).toMatchObject({
        type: 'error',
        code: 'protocol',
        message: `The broker at 127.0.0.1:${broker.port} sent a malformed MQTT packet (Cannot parse topic); Flightdeck closed the connection`,
      })
      const log = await logUntil(service, sid, (e) => e.event === 'e/acked')
      expect(log.filter((e) => e.dir === 'in' && e.kind !== 'control').map((e) => e.data)).toEqual([
        'm0',
        'm1',
        'm2',
        'acked',
      ])
    })
  }
})
