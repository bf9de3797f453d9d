import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
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
      const ended = await Promise.race([service.streams.wait(sid), sleep(8000).then(() => null)])
      expect(ended?.final).toMatchObject({ type: 'error', code: 'message_too_large' })
      expect((ended?.final as { message: string }).message).toMatch(c.words)
      // The cut came a turn after the refusal: anything shown after it would be in the log by now.
      await sleep(100)
      const log = await broker.entriesUntil(sid, (e) => e.event === 'e/acked')
      expect(log.map((e) => e.data)).toEqual(['m0', 'm1', 'm2', 'acked'])
    })
  }
})
