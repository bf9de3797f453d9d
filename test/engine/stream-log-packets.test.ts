import { isUtf8 } from 'node:buffer'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IPublishPacket } from 'mqtt'
// The parser MQTT.js reads a connection with: its payloads are what the session hands the log.
import mqttPacket from 'mqtt-packet'
import { afterAll, describe, expect, it } from 'vitest'
import { deliveryId } from '../../src/engine/mqtt/mqtt-packets'
import { TURN_BYTES } from '../../src/engine/mqtt/mqtt-paced-stream'
import type { StreamLog } from '../../src/engine/streams/stream-log'
import {
  RECORD_INDEX_BYTES,
  StreamLogStore,
  type StreamLogStoreOptions,
} from '../../src/engine/streams/stream-log-store'
import type { StreamFilter, StreamPage } from '../../src/shared/streams'

/**
 * MQTT messages kept where their packets lie among the connection's bytes (stream-log-packets.ts): the bytes
 * are fed as the session does (each paced slice kept, then parsed by MQTT.js's own parser), and every message
 * must read back as it was sent: one that straddles two slices, one of many slices, an empty one, binary and
 * text, a retained one and one with properties, in memory and spilled, and the log's cut as loud as ever.
 */

interface Sent {
  topic: string
  payload: Buffer
  retain?: boolean
  properties?: IPublishPacket['properties']
  /** The topic goes by its MQTT 5 alias alone (set by the first message on 'alias/t'). */
  aliased?: boolean
}

const messages: Sent[] = []
for (let i = 0; i < 1500; i++) {
  const topic = `plant/${i % 3}/line${i % 5}`
  if (i === 600) messages.push({ topic: 'big/one', payload: Buffer.alloc(3 * TURN_BYTES + 77, 'b') })
  else if (i % 97 === 5) messages.push({ topic, payload: Buffer.from([0xff, i & 0xff, 0xfe]) })
  else if (i % 211 === 7) messages.push({ topic, payload: Buffer.alloc(0) })
  else if (i % 307 === 13)
    messages.push({
      topic: 'alias/t',
      payload: Buffer.from(`a${i}`),
      properties: { topicAlias: 1 },
      aliased: i > 13,
    })
  else if (i % 401 === 9) messages.push({ topic, payload: Buffer.from(`r${i}`), retain: true })
  else if (i % 503 === 11)
    messages.push({ topic, payload: Buffer.from(`p${i}`), properties: { contentType: 'text/plain' } })
  else messages.push({ topic, payload: Buffer.from(`ü${i}${'.'.repeat(i % 150)}`) })
}

/**
 * The messages as an MQTT 5 broker sends them (QoS 0), a PUBACK among them now and then (the log walks from a
 * message to the next only where nothing lies between), in slices of TURN_BYTES as PacedStream hands them on.
 */
function slices(): Buffer[] {
  const wire = Buffer.concat(
    messages.map((m, i) =>
      Buffer.concat([
        i % 250 === 3
          ? mqttPacket.generate({ cmd: 'puback', messageId: i + 1 }, { protocolVersion: 5 })
          : Buffer.alloc(0),
        mqttPacket.generate(
          {
            cmd: 'publish',
            topic: m.aliased ? '' : m.topic,
            payload: m.payload,
            qos: 0,
            retain: m.retain ?? false,
            dup: false,
            ...(m.properties ? { properties: m.properties } : {}),
          },
          { protocolVersion: 5 },
        ),
      ]),
    ),
  )
  const out: Buffer[] = []
  for (let at = 0; at < wire.length; at += TURN_BYTES) out.push(wire.subarray(at, at + TURN_BYTES))
  return out
}

const dir = mkdtempSync(join(tmpdir(), 'fd-packets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A log fed as an MQTT session feeds it: each slice kept, then parsed; each message appended as it comes. */
function feed(options: StreamLogStoreOptions): { store: StreamLogStore; seqs: number[] } {
  const store = new StreamLogStore({ tempDir: dir, ...options })
  const log = store.create('p')
  const parser = mqttPacket.parser({ protocolVersion: 5 })
  const seqs: number[] = []
  // As MQTT.js does: a topic given by its alias alone is the one the alias was set for.
  const aliases = new Map<number, string>()
  parser.on('packet', (packet) => {
    if (packet.cmd !== 'publish') return
    const p = packet
    const t = Math.floor(seqs.length / 32)
    const kind = isUtf8(p.payload as Buffer) ? 'text' : 'binary'
    const payload = p.payload as Buffer
    const alias = p.properties?.topicAlias
    if (alias !== undefined && p.topic !== '') aliases.set(alias, p.topic)
    const topic = p.topic === '' && alias !== undefined ? (aliases.get(alias) ?? '') : p.topic
    seqs.push(log.appendPacket(t, kind, topic, deliveryId(p), payload, p.length ?? 0))
  })
  for (const slice of slices()) {
    log.holdSlice(slice)
    parser.parse(slice)
  }
  return { store, seqs }
}

/**
 * A filtered read of `count` matches, asked again until its scan has reached the log's end, as the log view asks.
 * One read scans for at most 250 ms of wall time: on a loaded machine (load 38) the waits for a core used that up
 * and a first read of these 1,500 messages had found nothing yet. Each read scans on from the last (a few entries
 * at least), so the reads are bounded.
 */
function readWhole(log: StreamLog, count: number, filter: StreamFilter): StreamPage {
  for (let n = 0; n < 2 * messages.length; n++) {
    const page = log.read(0, count, 100, filter)
    if (page.complete) return page
  }
  throw new Error(
    `the scan for ${JSON.stringify(filter)} was not complete after ${2 * messages.length} reads`,
  )
}

describe('MQTT messages held where their packets lie', () => {
  for (const spilled of [false, true]) {
    it(`read back exactly, ${spilled ? 'spilled to the temp file' : 'in memory'}`, () => {
      const { store, seqs } = feed(spilled ? { memoryPerLog: 32 * 1024 } : {})
      const log = store.get('p')
      try {
        if (!log) throw new Error('no log')
        expect(log.onDisk).toBe(spilled)
        expect(seqs).toEqual(messages.map((_, i) => i))
        // Held, not copied with an index entry each: far less index than a record entry a message.
        expect(store.indexUsed).toBeLessThan((messages.length * RECORD_INDEX_BYTES) / 4)
        const want = messages.map((m, i) => {
          const text = isUtf8(m.payload)
          const delivery = { cmd: 'publish' as const, qos: 0 as const, dup: false, retain: m.retain ?? false }
          return {
            seq: i,
            t: Math.floor(i / 32),
            dir: 'in',
            kind: text ? 'text' : 'binary',
            event: m.topic,
            id: deliveryId({
              ...delivery,
              topic: m.topic,
              payload: m.payload,
              ...(m.properties ? { properties: m.properties } : {}),
            }),
            size: m.payload.length,
            encoding: text ? 'utf8' : 'base64',
            data: m.payload.toString(text ? 'utf8' : 'base64'),
            truncated: false,
          }
        })
        expect(messages.map((_, i) => log.entry(i, 1 << 20))).toEqual(want)
        // The message of many slices, by range as the message view pages it.
        const big = messages.findIndex((m) => m.topic === 'big/one')
        expect(log.dataOf(big, TURN_BYTES - 3, 10)?.toString()).toBe('b'.repeat(10))
        expect(log.dataOf(big, 3 * TURN_BYTES + 70, 100)?.length).toBe(7)
        expect(log.sizeOf(big, '')).toBe(3 * TURN_BYTES + 77)
        // Filters read names and data where they lie.
        expect(readWhole(log, 1, { topic: 'plant/2/+' }).total).toBe(
          messages.filter((m) => m.topic.startsWith('plant/2/')).length,
        )
        expect(readWhole(log, 5, { text: 'ü1234' }).entries.map((e) => e.seq)).toEqual([1234])
        expect(readWhole(log, 1, { topic: 'big/#' }).entries[0]?.size).toBe(3 * TURN_BYTES + 77)
      } finally {
        store.dispose()
      }
    })
  }

  it('the log is cut where its budget ends, loudly, keeping what came before', () => {
    const byEntries = feed({ maxEntries: 500 })
    try {
      const log = byEntries.store.get('p')
      expect(byEntries.seqs.filter((s) => s >= 0)).toHaveLength(500)
      expect(log?.read(0, 1, 100)).toMatchObject({
        total: 500,
        dropped: messages.length - 500,
        cut: { reason: 'entries', limit: 500, at: 500 },
      })
      expect(log?.entry(499, 1000)?.data).toBe(messages[499]?.payload.toString())
    } finally {
      byEntries.store.dispose()
    }
    const byBytes = feed({ maxKeptBytes: 48 * 1024 })
    try {
      const log = byBytes.store.get('p')
      const kept = byBytes.seqs.filter((s) => s >= 0).length
      expect(kept).toBeGreaterThan(0)
      expect(kept).toBeLessThan(messages.length)
      expect(log?.read(0, 1, 100)).toMatchObject({
        total: kept,
        dropped: messages.length - kept,
        cut: { reason: 'bytes', limit: 48 * 1024, at: kept },
      })
      expect(log?.entry(kept - 1, 1000)?.data).toBe(messages[kept - 1]?.payload.toString())
      // The slices kept go past the budget by at most the one that reached it.
      expect(byBytes.store.keptUsed).toBeLessThanOrEqual(48 * 1024 + TURN_BYTES)
    } finally {
      byBytes.store.dispose()
    }
  })
})
