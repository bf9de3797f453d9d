import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { PUBREL, startMqttPacketProxy, type MqttPacketProxy } from '../fixtures/mqtt-packet-proxy'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * A persistent session's QoS 2 publish whose PUBREC came and whose PUBREL was sent, but never reached the broker
 * (the proxy loses it), when the connection drops. mosquitto delivers a QoS 2 message at its PUBREL, so until the
 * PUBREL arrives no subscriber has it. On the next connection:
 * - the broker kept the session (MQTT 3.1.1 and 5): the PUBREL goes again (never the PUBLISH: the broker has it),
 *   the broker delivers the message once, and its PUBCOMP pairs with the publish;
 * - the broker started a new session: MQTT 3.1.1 leaves the client's state to it, so the PUBREL goes again and
 *   the new broker's PUBCOMP ends the handshake; MQTT 5 has the client discard its session state (3.2.2-5), so
 *   the PUBREL is not sent and the log says so: the publish reached the broker (its PUBREC came).
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT PUBREL resend tests: ${MOSQUITTO_MISSING}`)

let first: MosquittoFixture
let second: MosquittoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  first = await startMosquitto([])
  second = await startMosquitto([])
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await service.dispose()
  await first.close()
  await second.close()
})

const options = (v: 4 | 5, clientId: string): CommandRequest<'mqtt.open'>['options'] => ({
  protocolVersion: v,
  clientId,
  clean: false,
  ...(v === 5 ? { sessionExpiryInterval: 600 } : {}),
  reconnect: true,
  backoffMs: 100,
  maxBackoffMs: 200,
  maxRetries: 50,
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Held {
  sid: string
  proxy: MqttPacketProxy
  /** What a subscriber on the broker reached after the reconnect got on `prefix/#`. */
  got: string[]
  watcher: MqttClient
  /** The publish's log entry. */
  publish: StreamEntry
}

/**
 * Opens a persistent session through the proxy to the first broker, publishes `prefix/t` `held` with QoS 2 with
 * the client's PUBRELs lost, and once its PUBREL went out drops the connection; the next one goes to `to`.
 */
async function pubrelLost(v: 4 | 5, prefix: string, to: MosquittoFixture): Promise<Held> {
  const proxy = await startMqttPacketProxy(first.port)
  const got: string[] = []
  const watcher = await connectAsync(to.url, { protocolVersion: 5, reconnectPeriod: 0 })
  watcher.on('message', (_t, payload) => got.push(payload.toString()))
  await watcher.subscribeAsync(`${prefix}/#`, { qos: 2 })
  const r = await service.invoke('mqtt.open', {
    url: proxy.url,
    subscriptions: [],
    options: options(v, `fd-${prefix}`),
  })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  await rec.until(sid, (e) => e.type === 'stream-open')
  proxy.drop('up', PUBREL)
  const p = await service.invoke('mqtt.publish', {
    sid,
    topic: `${prefix}/t`,
    payload: 'held',
    qos: 2,
    retain: false,
  })
  if (!p.ok) throw new Error(p.error.message)
  const log = await logUntil(service, sid, (e) => e.event === 'PUBREL' && e.dir === 'out')
  // Bounded: 1 s for the proxy to have taken the PUBREL off the link.
  for (let i = 0; i < 50 && proxy.dropped('up', PUBREL) === 0; i++) await sleep(20)
  expect(proxy.dropped('up', PUBREL)).toBe(1)
  const publish = log.find((e) => e.dir === 'out' && e.event === `${prefix}/t`)
  if (!publish) throw new Error('no publish in the log')
  proxy.pass()
  proxy.retarget(to.port)
  proxy.cut()
  await rec.until(sid, (e) => e.type === 'stream-open', 2, 10_000)
  return { sid, proxy, got, watcher, publish }
}

/** Publishes `prefix/t` `end` with QoS 2 and waits (10 s at most) until the watcher has it. */
async function marker(sid: string, prefix: string, got: string[]): Promise<void> {
  const end = { sid, topic: `${prefix}/t`, payload: 'end', qos: 2, retain: false } as const
  const p = await service.invoke('mqtt.publish', end)
  if (!p.ok) throw new Error(p.error.message)
  for (let i = 0; i < 200 && !got.includes('end'); i++) await sleep(50)
}

async function finish(h: Held): Promise<void> {
  await h.watcher.endAsync()
  await service.invoke('session.cancel', { sid: h.sid })
  await settle(service, h.sid)
  await h.proxy.close()
}

const control = (e: StreamEntry): MqttControl => JSON.parse(e.id ?? '{}') as MqttControl
const outs = (log: StreamEntry[], name: string): StreamEntry[] =>
  log.filter((e) => e.dir === 'out' && e.event === name)

describe.skipIf(!MOSQUITTO)('a stored PUBREL (PUBREC came, PUBCOMP not yet) on a reconnect', () => {
  for (const v of [5, 4] as const) {
    it(`MQTT ${v === 5 ? '5' : '3.1.1'}, the broker kept the session: the PUBREL goes again, the message is delivered once`, async () => {
      const prefix = `kept${v}`
      const h = await pubrelLost(v, prefix, first)
      const log = await logUntil(service, h.sid, (e) => e.event === 'PUBCOMP' && e.dir === 'in', 1, 10_000)
      await marker(h.sid, prefix, h.got)
      // Delivered once, at the PUBREL sent again: the PUBLISH itself is never sent twice.
      expect(h.got).toEqual(['held', 'end'])
      expect(outs(log, `${prefix}/t`)).toHaveLength(1)
      const pubrels = outs(log, 'PUBREL')
      expect(pubrels).toHaveLength(2)
      expect(pubrels.map((e) => control(e).publishSeq)).toEqual([h.publish.seq, h.publish.seq])
      expect(log.find((e) => e.event === 'resent')?.data).toMatch(
        new RegExp(
          `^Resent 1 QoS 1/2 publish that awaited its ack when the connection dropped \\(persistent session\\): #\\d+ ${prefix}/t \\(its PUBREL: PUBREC had come\\)$`,
        ),
      )
      const pubcomp = log.find((e) => e.event === 'PUBCOMP' && e.dir === 'in')
      expect(pubcomp && control(pubcomp)).toMatchObject({ publishSeq: h.publish.seq })
      expect(pubcomp && control(pubcomp).reasonCode).toBeFalsy()
      expect(log.some((e) => e.event === 'lost' || e.event === 'unsent')).toBe(false)
      await finish(h)
    }, 30_000)
  }

  it('MQTT 3.1.1, the broker started a new session: the PUBREL goes again and its PUBCOMP ends the handshake', async () => {
    const h = await pubrelLost(4, 'new4', second)
    const log = await logUntil(service, h.sid, (e) => e.event === 'PUBCOMP' && e.dir === 'in', 1, 10_000)
    expect(outs(log, 'PUBREL')).toHaveLength(2)
    expect(outs(log, 'new4/t')).toHaveLength(1)
    expect(log.find((e) => e.event === 'resent')?.data).toMatch(
      /^Resent 1 QoS 1\/2 publish that awaited its ack when the connection dropped, though the broker started a new session \(CONNACK: session present 0; MQTT 3\.1\.1 leaves them to the client\): #\d+ new4\/t \(its PUBREL: PUBREC had come\)$/,
    )
    const pubcomp = log.find((e) => e.event === 'PUBCOMP' && e.dir === 'in')
    expect(pubcomp && control(pubcomp)).toMatchObject({ publishSeq: h.publish.seq })
    expect(log.some((e) => e.event === 'lost' || e.event === 'unsent')).toBe(false)
    await finish(h)
  }, 30_000)

  it('MQTT 5, the broker started a new session: the PUBREL is not sent, the log says the publish reached the broker', async () => {
    const h = await pubrelLost(5, 'new5', second)
    const log = await logUntil(service, h.sid, (e) => e.event === 'unsent', 1, 10_000)
    await marker(h.sid, 'new5', h.got)
    expect(h.got).toEqual(['end'])
    const unsent = log.filter((e) => e.event === 'unsent')
    expect(unsent.map((e) => e.data)).toEqual([
      expect.stringMatching(
        /^Publish #\d+ on new5\/t \(QoS 2\) not sent again: the broker started a new session \(CONNACK: session present 0\): MQTT 5 has a client discard its session state then \(it reached the broker: its PUBREC came; PUBREL is not sent\)$/,
      ),
    ])
    expect(unsent.map((e) => control(e).publishSeq)).toEqual([h.publish.seq])
    const after = await logUntil(service, h.sid, (e) => e.event === 'PUBCOMP' && e.dir === 'in')
    // The first PUBREL is the first connection's, the other the marker's: none went again.
    expect(outs(after, 'PUBREL')).toHaveLength(2)
    expect(outs(after, 'PUBREL').map((e) => control(e).publishSeq)).toEqual([
      h.publish.seq,
      outs(after, 'new5/t')[1]?.seq,
    ])
    expect(h.proxy.forwarded('up', PUBREL)).toBe(1)
    expect(after.some((e) => e.event === 'resent' || e.event === 'lost')).toBe(false)
    await finish(h)
  }, 30_000)
})
