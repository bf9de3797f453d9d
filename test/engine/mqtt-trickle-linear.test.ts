import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { readJoins } from '../../src/engine/mqtt/mqtt-paced-stream'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { end, publish, scriptedBroker, type ScriptedBroker } from './mqtt-scripted-broker'
import { settle } from './stream-helpers'

/**
 * A broker that trickles a message a byte a read costs the engine work in proportion to the message's size, not
 * its square: a packet that began in one read and ends in a later one is joined once, when all of it is there.
 * The work is counted in bytes copied to join reads (no clock: the machine's load does not move it). The count is
 * the process's, so each case's session is ended before the next begins. 16,000 reads a turn of the event loop
 * apart take a second on a quiet machine and many on a loaded one: the waits are bounds, not measures.
 */

const WAIT_MS = 60_000

describe('MQTT: a message trickled a byte at a time is joined once', { timeout: WAIT_MS + 20_000 }, () => {
  let broker: ScriptedBroker
  let service: EngineService
  let sid = ''

  beforeAll(async () => {
    service = makeService()
    broker = await scriptedBroker(service)
  })
  afterAll(async () => {
    await service.dispose()
    await broker.close()
  })
  afterEach(async () => {
    if (sid === '') return
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    sid = ''
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
      sid = await broker.open(v, [...bytesOf(msg, 16), end(v)], { maxMessageBytes: 64 * 1024 }, 0)
      const log = (await logUntil(service, sid, (e) => e.event === 'e/end', 1, WAIT_MS)).filter(
        (e) => e.dir === 'in' && e.kind !== 'control',
      )
      expect(log.map((e) => [e.event, e.size])).toEqual([
        ['e/slow', 16_000],
        ['e/end', 3],
      ])
      expect(log[0]?.data.slice(0, 30)).toBe(payload.toString('utf8', 0, 30))
      // Each byte of the packet joined at most once, and a packet's head (at most 5 bytes) more while it arrives.
      expect(readJoins() - before).toBeLessThanOrEqual(msg.length + 5 * 16)
    })

    it(`MQTT ${v === 5 ? '5' : '3.1.1'}: a message past the limit in 1-byte reads is refused, with little joined`, async () => {
      const msg = publish(v, { topic: 'e/huge', payload: Buffer.alloc(12_000, 'h') })
      const before = readJoins()
      sid = await broker.open(v, [...bytesOf(msg, 16), end(v)], { maxMessageBytes: 1024 }, 0)
      const ended = await service.streams.wait(sid)
      expect(ended.final).toMatchObject({ type: 'error', code: 'message_too_large' })
      expect((ended.final as { message: string }).message).toMatch(
        /^The broker began a message of 12,000 bytes on e\/huge, past the limit of 1,024 bytes/,
      )
      expect(readJoins() - before).toBeLessThanOrEqual(5 * 16)
    })
  }
})
