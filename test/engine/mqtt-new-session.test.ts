import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { startCuttableProxy, type CuttableProxy } from '../fixtures/cuttable-proxy'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil } from './log-until'
import { readLog, record, settle, type Recorder } from './stream-helpers'

/**
 * A persistent session (clean start off) reconnects to a broker that kept no session (CONNACK: session present
 * 0): here the link comes back to a second broker, where a watcher is subscribed. Its QoS 1 publishes that
 * awaited their acks (stored) and those that waited for the broker's Receive Maximum go the same way, by the
 * protocol: MQTT 3.1.1 says nothing of them, so the client sends them (stored first); MQTT 5 (3.2.2.1.1) has a
 * client with session state discard it, so none goes, each told as `unsent`. The watcher sees what arrived.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT new-session tests: ${MOSQUITTO_MISSING}`)

const N = 30
const MAX = 5

let first: MosquittoFixture
let second: MosquittoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!MOSQUITTO) return
  first = await startMosquitto([`max_inflight_messages ${MAX}`])
  second = await startMosquitto([`max_inflight_messages ${MAX}`])
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

const RECONNECT: CommandRequest<'mqtt.open'>['options'] = {
  clean: false,
  reconnect: true,
  backoffMs: 100,
  maxBackoffMs: 200,
  maxRetries: 50,
}

interface Run {
  sid: string
  /** What the watcher on the second broker got, up to the `end` marker. */
  got: string[]
  /** Closed once the session is: the last acks may still be on their way when the watcher has the marker. */
  proxy: CuttableProxy
}

/**
 * Opens a persistent session through a proxy to the first broker, freezes the link, publishes N QoS 1 messages,
 * then brings the link back to the second broker (no session there) and publishes `end` once it is open.
 */
async function toFreshBroker(options: CommandRequest<'mqtt.open'>['options'], prefix: string): Promise<Run> {
  const proxy: CuttableProxy = await startCuttableProxy(first.port)
  const got: string[] = []
  const watcher: MqttClient = await connectAsync(second.url, { protocolVersion: 5, reconnectPeriod: 0 })
  watcher.on('message', (_t, payload) => got.push(payload.toString()))
  await watcher.subscribeAsync(`${prefix}/#`, { qos: 1 })
  const r = await service.invoke('mqtt.open', { url: proxy.url, subscriptions: [], options })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  await rec.until(sid, (e) => e.type === 'stream-open')
  proxy.hold()
  for (let i = 0; i < N; i++) {
    const p = await service.invoke('mqtt.publish', {
      sid,
      topic: `${prefix}/t`,
      payload: `n${i}`,
      qos: 1,
      retain: false,
    })
    if (!p.ok) throw new Error(p.error.message)
  }
  await logUntil(service, sid, (e) => e.dir === 'out' && e.event === `${prefix}/t`, MAX)
  proxy.retarget(second.port)
  proxy.cut()
  await rec.until(sid, (e) => e.type === 'stream-open', 2, 10_000)
  const end = await service.invoke('mqtt.publish', {
    sid,
    topic: `${prefix}/t`,
    payload: 'end',
    qos: 1,
    retain: false,
  })
  if (!end.ok) throw new Error(end.error.message)
  // Bounded: 10 s at most for the marker, which goes after everything the session sends on the new connection.
  for (let i = 0; i < 200 && !got.includes('end'); i++) await new Promise((res) => setTimeout(res, 50))
  await watcher.endAsync()
  return { sid, got, proxy }
}

const STORED_UNSENT =
  /^Publish #\d+ on v5new\/t \(QoS 1\) not sent again: the broker started a new session \(CONNACK: session present 0\): MQTT 5 has a client discard its session state then$/

const all = Array.from({ length: N }, (_, i) => `n${i}`)

describe.skipIf(!MOSQUITTO)(
  'a persistent session whose broker kept no session (CONNACK: session present 0)',
  () => {
    it('MQTT 5: the stored publishes and those waiting for a place are discarded, each told as unsent', async () => {
      const { sid, got, proxy } = await toFreshBroker(
        { ...RECONNECT, protocolVersion: 5, sessionExpiryInterval: 600, clientId: 'fd-new-v5' },
        'v5new',
      )
      // Nothing of the old session reached the new broker: only the marker sent after it opened.
      expect(got).toEqual(['end'])
      const log = await logUntil(service, sid, (e) => e.event === 'PUBACK' && e.dir === 'in', 1, 10_000)
      const outs = log.filter((e) => e.dir === 'out' && e.event === 'v5new/t')
      expect(outs.map((e) => e.data)).toEqual([...all.slice(0, MAX), 'end'])
      const unsent = log.filter((e) => e.event === 'unsent')
      expect(unsent.map((e) => e.data)).toEqual([
        ...outs.slice(0, MAX).map(() => expect.stringMatching(STORED_UNSENT)),
        "25 publishes were not sent: they waited for the broker's Receive Maximum when the connection closed, and the broker started a new session (CONNACK: session present 0): MQTT 5 has a client discard its session state then",
      ])
      // Each stored one names the publish it was (its log seq).
      const named = unsent.slice(0, MAX).map((e) => (JSON.parse(e.id ?? '{}') as MqttControl).publishSeq)
      expect(named).toEqual(outs.slice(0, MAX).map((e) => e.seq))
      expect(log.some((e) => e.event === 'resent' || e.event === 'lost')).toBe(false)
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      await proxy.close()
    }, 30_000)

    it('MQTT 3.1.1: the stored publishes go, in order, each logged and acknowledged', async () => {
      const { sid, got, proxy } = await toFreshBroker(
        { ...RECONNECT, protocolVersion: 4, clientId: 'fd-new-v4' },
        'v4new',
      )
      // A 3.1.1 broker tells no Receive Maximum: all 30 went out before the link froze, and all 30 go again.
      expect(got).toEqual([...all, 'end'])
      const log = await logUntil(service, sid, (e) => e.event === 'PUBACK' && e.dir === 'in', N + 1, 10_000)
      const resent = log.filter((e) => e.event === 'resent')
      expect(resent.map((e) => e.data)).toEqual([
        expect.stringMatching(
          /^Resent 30 QoS 1\/2 publishes that awaited their acks when the connection dropped, though the broker started a new session \(CONNACK: session present 0; MQTT 3\.1\.1 leaves them to the client\): #\d+ v4new\/t, /,
        ),
      ])
      const outs = log.filter((e) => e.dir === 'out' && e.event === 'v4new/t')
      expect(outs.map((e) => e.data)).toEqual([...all, ...all, 'end'])
      // The copies sent again say so (DUP); the first sends and the marker do not.
      const dup = (e: StreamEntry): boolean => (JSON.parse(e.id ?? '{}') as { dup?: boolean }).dup === true
      expect(outs.map(dup)).toEqual([...all.map(() => false), ...all.map(() => true), false])
      // Each PUBACK pairs with the copy sent again, none refused.
      const acks = log
        .filter((e) => e.event === 'PUBACK' && e.dir === 'in')
        .map((e) => JSON.parse(e.id ?? '{}') as MqttControl)
      expect(acks.map((c) => c.publishSeq)).toEqual(outs.slice(N).map((e) => e.seq))
      expect(acks.filter((c) => c.reasonCode)).toEqual([])
      expect((await readLog(service, sid)).some((e) => e.event === 'unsent' || e.event === 'lost')).toBe(
        false,
      )
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      await proxy.close()
    }, 30_000)
  },
)
