import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { startSilentMqttBroker, type SilentMqttBroker } from '../fixtures/silent-mqtt-broker'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

let broker: SilentMqttBroker
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  broker = await startSilentMqttBroker()
  service = makeService()
  rec = record(service)
})
/** Brokers a case started for itself, closed at the end even when the case failed early. */
const closeAfter: SilentMqttBroker[] = []

afterAll(async () => {
  for (const b of closeAfter) await b.close()
  rec.stop()
  await service.dispose()
  await broker.close()
})

const limitNotes = (log: StreamEntry[]): StreamEntry[] =>
  log.filter((e) => e.kind === 'control' && e.event === 'pairing limit')

async function openSilent(clientId: string): Promise<string> {
  const r = await service.invoke('mqtt.open', {
    url: broker.url,
    options: { protocolVersion: 4, clientId },
    subscriptions: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  await rec.until(r.value.sid, (e) => e.type === 'stream-open')
  return r.value.sid
}

describe('MQTT publishes a broker never acks', () => {
  it('our PUBACK for a message of the broker is not taken for the ack of our publish with the same id', async () => {
    const sid = await openSilent('fd-same-id')
    const had = broker.publishIds.length
    const p = await service.invoke('mqtt.publish', {
      sid,
      topic: 'ours',
      payload: 'x',
      qos: 1,
      retain: false,
    })
    if (!p.ok) throw new Error(p.error.message)
    for (let i = 0; i < 250 && broker.publishIds.length === had; i++)
      await new Promise((r) => setTimeout(r, 20))
    const id = broker.publishIds[had] as number
    // Packet ids are per direction: the broker's message may carry the id of our publish in flight.
    broker.publish('theirs', 'y', id)
    let log: StreamEntry[] = []
    for (let i = 0; i < 250 && !log.some((e) => e.event === 'PUBACK'); i++) {
      await new Promise((r) => setTimeout(r, 20))
      log = await readLog(service, sid, p.value.seq)
    }
    broker.puback(id)
    for (let i = 0; i < 250 && log.filter((e) => e.event === 'PUBACK').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20))
      log = await readLog(service, sid, p.value.seq)
    }
    const acks = log.filter((e) => e.event === 'PUBACK').map((e) => `${e.dir} ${e.data}`)
    expect(acks[0]).toMatch(new RegExp(`^out PUBACK #${id}(: Success \\(0\\))?$`))
    expect(acks[1]).toMatch(new RegExp(`^in PUBACK #${id} for ours, [0-9.]+ ms after the publish$`))
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  }, 20_000)

  it('says when publishes awaiting their acks are forgotten, how many, and marks an ack it can no longer pair', async () => {
    // A broker of its own, which the test closes: the connection's end writes the last note at once, where
    // Close would first wait its grace (5 s, mqtt-close-words' first case) for the 10,002 acks that never come.
    const own = await startSilentMqttBroker()
    closeAfter.push(own)
    const opened = await service.invoke('mqtt.open', {
      url: own.url,
      options: { protocolVersion: 4, clientId: 'fd-flood', reconnect: false },
      subscriptions: [],
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    // The broker never acks: 10,000 publishes are paired, the next two push out the two oldest.
    const n = 10_002
    const ids = own.publishIds.length
    const seqs: number[] = []
    for (let i = 0; i < n; i++) {
      const p = await service.invoke('mqtt.publish', {
        sid,
        topic: `flood/${i}`,
        payload: 'x',
        qos: 1,
        retain: false,
      })
      if (!p.ok) throw new Error(p.error.message)
      seqs.push(p.value.seq)
    }
    for (let i = 0; i < 500 && own.publishIds.length < ids + n; i++)
      await new Promise((res) => setTimeout(res, 20))
    expect(own.publishIds).toHaveLength(ids + n)
    // The broker acks the very first publish, long forgotten: its PUBACK says it cannot be paired.
    own.puback(own.publishIds[ids] as number)
    let log: StreamEntry[] = []
    for (let i = 0; i < 250; i++) {
      log = await readLog(service, sid, seqs[n - 1] as number, 100)
      if (log.some((e) => e.event === 'PUBACK')) break
      await new Promise((res) => setTimeout(res, 20))
    }
    const ack = log.find((e) => e.event === 'PUBACK')
    expect(ack?.data).toMatch(/its publish was forgotten/)
    expect((JSON.parse(ack?.id ?? '{}') as MqttControl).publishSeq).toBeUndefined()

    await own.close()
    await settle(service, sid)
    const all: StreamEntry[] = []
    for (let from = 0; ;) {
      const page = await readLog(service, sid, from, 2000)
      all.push(...page)
      if (page.length < 2000) break
      from = (page[page.length - 1] as StreamEntry).seq + 1
    }
    const notes = limitNotes(all)
    // The first note names the publish it forgot; the last counts them all.
    expect(notes[0]?.data).toMatch(
      new RegExp(`10,000 QoS 1/2 publishes.*forgot the oldest, #${seqs[0]} on flood/0.*1 forgotten`),
    )
    const last = notes[notes.length - 1]
    expect(last?.data).toMatch(/2 forgotten/)
    expect((JSON.parse(last?.id ?? '{}') as MqttControl).forgotten).toBe(2)
  }, 60_000)

  it('counts the forgotten publishes whose acks never came among the lost when the connection drops', async () => {
    const own = await startSilentMqttBroker()
    try {
      const r = await service.invoke('mqtt.open', {
        url: own.url,
        options: { protocolVersion: 4, clientId: 'fd-forgotten-lost', reconnect: false },
        subscriptions: [],
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await rec.until(sid, (e) => e.type === 'stream-open')
      // 10,003 publishes never acked: the three oldest are forgotten; the broker then acks the first of them.
      const n = 10_003
      for (let i = 0; i < n; i++) {
        const p = await service.invoke('mqtt.publish', {
          sid,
          topic: `f/${i}`,
          payload: 'x',
          qos: 1,
          retain: false,
        })
        if (!p.ok) throw new Error(p.error.message)
      }
      for (let i = 0; i < 500 && own.publishIds.length < n; i++)
        await new Promise((res) => setTimeout(res, 20))
      own.puback(own.publishIds[0] as number)
      for (let i = 0; i < 250; i++) {
        const log = await readLog(service, sid, n, 100)
        if (log.some((e) => e.event === 'PUBACK')) break
        await new Promise((res) => setTimeout(res, 20))
      }
      await own.close()
      const { final } = await settle(service, sid)
      expect(final.type).toBe('error')
      const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
      expect(closed?.type === 'stream-closed' && closed.reason).toMatch(
        /; 10,002 QoS 1 publishes lost \(2 of them forgotten past the pairing limit\): the session ended$/,
      )
    } finally {
      await own.close()
    }
  }, 60_000)
})
