import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'
import { readLog, record, settle, type Recorder } from './stream-helpers'

/**
 * QoS 1 publishes still awaiting their PUBACK when the connection drops (mosquitto frozen, then killed and
 * started again): with a persistent session (clean start off) MQTT.js sends them again on the next connection,
 * and the log says so ("resent 3") with each PUBACK paired; with clean start the broker keeps no session, so each
 * is marked lost on the lane and the connection's end says how many.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT in-flight tests: ${MOSQUITTO_MISSING}`)

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

const RECONNECT = { reconnect: true, backoffMs: 100, maxBackoffMs: 200, maxRetries: 50 }

/** The log once `n` entries match `pred` (10 s at most: a broker restart is in the way). */
const logUntil = (sid: string, pred: (e: StreamEntry) => boolean, n = 1): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred, n, 10_000)

/** Opens a session, freezes the broker, publishes three QoS 1 messages, kills and restarts the broker. */
async function dropMidFlight(options: CommandRequest<'mqtt.open'>['options']): Promise<string> {
  const r = await service.invoke('mqtt.open', { url: broker.url, subscriptions: [], options })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  await rec.until(sid, (e) => e.type === 'stream-open')
  broker.pause()
  for (const n of [1, 2, 3]) {
    const p = await service.invoke('mqtt.publish', {
      sid,
      topic: `flight/${n}`,
      payload: `m${n}`,
      qos: 1,
      retain: false,
    })
    expect(p.ok).toBe(true)
  }
  await logUntil(sid, (e) => e.dir === 'out' && e.event === 'flight/3')
  await broker.stop()
  await rec.until(sid, (e) => e.type === 'stream-closed')
  await broker.restart()
  await rec.until(sid, (e) => e.type === 'stream-open', 2)
  return sid
}

/** Opens a persistent session, freezes the broker, publishes three QoS 1 messages and kills the broker. */
async function dropForGood(clientId: string, reconnect: typeof RECONNECT): Promise<string> {
  const r = await service.invoke('mqtt.open', {
    url: broker.url,
    subscriptions: [],
    options: { ...reconnect, clientId, clean: false, sessionExpiryInterval: 600 },
  })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  await rec.until(sid, (e) => e.type === 'stream-open')
  broker.pause()
  for (const n of [1, 2, 3]) {
    const p = await service.invoke('mqtt.publish', {
      sid,
      topic: `gone/${n}`,
      payload: 'x',
      qos: 1,
      retain: false,
    })
    expect(p.ok).toBe(true)
  }
  await logUntil(sid, (e) => e.dir === 'out' && e.event === 'gone/3')
  await broker.stop()
  await rec.until(sid, (e) => e.type === 'stream-closed')
  return sid
}

const lostOf = (log: StreamEntry[]): (string | undefined)[] =>
  log.filter((e) => e.event === 'lost').map((e) => e.data)

describe.skipIf(!MOSQUITTO)('QoS 1/2 publishes in flight when the connection drops', () => {
  it('clean start: each is marked lost, and the connection end says how many', async () => {
    const sid = await dropMidFlight({ ...RECONNECT, clientId: 'fd-lost' })
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed?.type === 'stream-closed' && closed.reason).toMatch(
      /; 3 QoS 1 publishes lost: the broker dropped the session \(clean start\)$/,
    )
    const log = await logUntil(sid, (e) => e.event === 'lost', 3)
    const lost = log.filter((e) => e.event === 'lost')
    expect(lost.map((e) => e.data)).toEqual([
      expect.stringMatching(
        /^Publish #\d+ on flight\/1 \(QoS 1\) lost: no PUBACK before the connection dropped/,
      ),
      expect.stringMatching(/^Publish #\d+ on flight\/2 \(QoS 1\) lost/),
      expect.stringMatching(/^Publish #\d+ on flight\/3 \(QoS 1\) lost/),
    ])
    const pubSeqs = log.filter((e) => e.dir === 'out' && e.event?.startsWith('flight/')).map((e) => e.seq)
    expect(lost.map((e) => (JSON.parse(e.id ?? '{}') as MqttControl).publishSeq)).toEqual(pubSeqs)
    // Nothing is sent again on the new connection.
    await new Promise((r) => setTimeout(r, 300))
    const after = await readLog(service, sid)
    expect(after.filter((e) => e.dir === 'out' && e.event?.startsWith('flight/'))).toHaveLength(3)
    expect(after.some((e) => e.event === 'resent')).toBe(false)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  }, 30_000)

  // The restarted broker keeps no session: MQTT 3.1.1 leaves the stored publishes to the client, which sends them
  // (an MQTT 5 client discards them: mqtt-new-session.test.ts).
  it('persistent session (3.1.1): they are sent again, the log says "resent 3" and pairs each PUBACK', async () => {
    const sid = await dropMidFlight({
      ...RECONNECT,
      protocolVersion: 4,
      clientId: 'fd-resend',
      clean: false,
    })
    const log = await logUntil(sid, (e) => e.event === 'PUBACK', 3)
    const resent = log.find((e) => e.event === 'resent')
    expect(resent?.data).toMatch(
      /^Resent 3 QoS 1\/2 publishes that awaited their acks when the connection dropped, though the broker started a new session \(CONNACK: session present 0; MQTT 3\.1\.1 leaves them to the client\): #\d+ flight\/1, #\d+ flight\/2, #\d+ flight\/3$/,
    )
    expect(JSON.parse(resent?.id ?? '{}')).toMatchObject({ resent: 3 })
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed?.type === 'stream-closed' && closed.reason).toMatch(
      /; 3 QoS 1 publishes awaiting their acks, to be resent on the next connection \(persistent session\)$/,
    )
    expect(log.some((e) => e.event === 'lost')).toBe(false)
    // Each publish went out twice (before and after the drop); the PUBACKs pair with the resent ones.
    const outs = log.filter((e) => e.dir === 'out' && e.event?.startsWith('flight/'))
    expect(outs.map((e) => e.event)).toEqual([
      'flight/1',
      'flight/2',
      'flight/3',
      'flight/1',
      'flight/2',
      'flight/3',
    ])
    const acks = log.filter((e) => e.event === 'PUBACK').map((e) => JSON.parse(e.id ?? '{}') as MqttControl)
    expect(acks.map((c) => c.publishSeq)).toEqual(outs.slice(3).map((e) => e.seq))
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  }, 30_000)

  it('persistent session that gives up reconnecting: each carried publish is lost, and the end says how many', async () => {
    const sid = await dropForGood('fd-give-up', { ...RECONNECT, maxRetries: 2 })
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed?.type === 'stream-closed' && closed.reason).toMatch(/to be resent on the next connection/)
    const { final } = await settle(service, sid)
    expect(final.type === 'error' && final.message).toMatch(
      /^Gave up after 3 failed connection attempts in a row: .*; 3 QoS 1 publishes lost: the session ended$/,
    )
    const log = await readLog(service, sid)
    expect(lostOf(log)).toEqual([
      expect.stringMatching(/^Publish #\d+ on gone\/1 \(QoS 1\) lost: no PUBACK .*the session ended/),
      expect.stringMatching(/^Publish #\d+ on gone\/2 \(QoS 1\) lost/),
      expect.stringMatching(/^Publish #\d+ on gone\/3 \(QoS 1\) lost/),
    ])
    await broker.restart()
  }, 30_000)

  it('persistent session closed while waiting to reconnect: each carried publish is lost, and the end says how many', async () => {
    const sid = await dropForGood('fd-close-waiting', {
      ...RECONNECT,
      backoffMs: 60_000,
      maxBackoffMs: 60_000,
    })
    await rec.until(sid, (e) => e.type === 'retry')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const closes = rec.of(sid).filter((e) => e.type === 'stream-closed')
    const last = closes[closes.length - 1]
    expect(last?.type === 'stream-closed' && last.reason).toBe(
      'Closed by you (DISCONNECT); 3 QoS 1 publishes lost: the session ended',
    )
    const log = await readLog(service, sid)
    expect(lostOf(log)).toHaveLength(3)
    await broker.restart()
  }, 30_000)
})
