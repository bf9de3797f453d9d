import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync, type MqttClient, type IPublishPacket } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import { parseMqttDelivery, type MqttControl } from '../../src/shared/mqtt'
import type { StreamEntry } from '../../src/shared/streams'
import { makeTestPki } from '../fixtures/certs'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'
import { readLog, record, settle, type Recorder } from './stream-helpers'

if (!MOSQUITTO) console.warn(`skipping the MQTT session tests: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture
let service: EngineService
let rec: Recorder
let peer: MqttClient

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  service = makeService()
  rec = record(service)
  peer = await connectAsync(broker.url, { protocolVersion: 5, clientId: 'peer', reconnectPeriod: 0 })
})
afterAll(async () => {
  if (!MOSQUITTO) return
  rec.stop()
  await peer.endAsync(true)
  await service.dispose()
  await broker.close()
})

async function open(p: Partial<CommandRequest<'mqtt.open'>> = {}, svc = service): Promise<string> {
  const r = await svc.invoke('mqtt.open', { url: broker.url, subscriptions: [], ...p })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const opened = (sid: string, n = 1) => rec.until(sid, (e) => e.type === 'stream-open', n)

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean, n = 1, ms = 5000): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred, n, ms)

const control = (e: StreamEntry): MqttControl => JSON.parse(e.id ?? '{}') as MqttControl

describe.skipIf(!MOSQUITTO)('MQTT sessions against mosquitto', () => {
  it('connects with MQTT 5: CONNECT and CONNACK are the handshake, SUBACK grants in words', async () => {
    const sid = await open({
      options: { clientId: 'fd-handshake', keepalive: 30 },
      subscriptions: [{ topic: 'hs/#', qos: 1 }],
    })
    await opened(sid)
    const log = await logUntil(sid, (e) => e.event === 'SUBACK')
    const events = rec.of(sid)
    expect(events[0]).toMatchObject({ type: 'queued', kind: 'mqtt', method: 'CONNECT' })
    expect(events.map((e) => e.type)).toContain('connect')
    const sent = events.find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.headers).toEqual(
      expect.arrayContaining([
        ['Protocol', 'MQTT 5'],
        ['Client-Id', 'fd-handshake'],
        ['Keep-Alive', '30 s'],
      ]),
    )
    const open1 = events.find((e) => e.type === 'stream-open')
    expect(open1).toMatchObject({ mode: 'mqtt', status: 0 })
    expect(open1?.type === 'stream-open' && open1.note).toMatch(/^CONNACK Success \(0\), session present: no/)
    const suback = log.find((e) => e.event === 'SUBACK')
    expect(suback?.data).toBe('SUBACK hs/#: granted QoS 1')
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
  })

  it('receives messages by topic with QoS and the retained flag; a retained message comes first', async () => {
    await peer.publishAsync('ret/a', 'kept', { qos: 1, retain: true })
    const sid = await open({ subscriptions: [{ topic: 'ret/#', qos: 2 }] })
    await opened(sid)
    await logUntil(sid, (e) => e.event === 'ret/a')
    await peer.publishAsync('ret/b', Buffer.from([0xff, 0x00, 0x10]), { qos: 2 })
    const log = await logUntil(sid, (e) => e.event === 'ret/b')
    const kept = log.find((e) => e.event === 'ret/a')
    expect(kept).toMatchObject({ dir: 'in', kind: 'text', data: 'kept' })
    expect(parseMqttDelivery(kept?.id)).toMatchObject({ qos: 1, retain: true })
    const bin = log.find((e) => e.event === 'ret/b')
    expect(bin).toMatchObject({
      kind: 'binary',
      encoding: 'base64',
      data: Buffer.from([0xff, 0, 0x10]).toString('base64'),
    })
    expect(parseMqttDelivery(bin?.id)).toMatchObject({ qos: 2, retain: false })
    // The incoming QoS 2 handshake is in the log: we answer PUBREC, the broker PUBREL, we PUBCOMP.
    const steps = log
      .filter((e) => e.kind === 'control' && e.event?.startsWith('PUB'))
      .map((e) => `${e.dir} ${e.event}`)
    expect(steps).toEqual(expect.arrayContaining(['out PUBREC', 'in PUBREL', 'out PUBCOMP']))
    // Topics are searchable.
    const found = await service.invoke('stream.read', { sid, from: 0, count: 100, filter: { text: 'ret/b' } })
    expect(found.ok && found.value.entries.map((e) => e.event)).toEqual(['ret/b'])
    await peer.publishAsync('ret/a', '', { qos: 1, retain: true })
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('tells text from binary at any size: ASCII, multi-byte UTF-8, and a stray byte past a long ASCII run', async () => {
    const sid = await open({ subscriptions: [{ topic: 'kind/#', qos: 0 }] })
    await opened(sid)
    // The broker drops what is published before the subscription holds: publish after its SUBACK.
    await logUntil(sid, (e) => e.event === 'SUBACK')
    const cases: [string, Buffer, 'text' | 'binary'][] = [
      ['kind/ascii-256', Buffer.alloc(256, 'a'), 'text'],
      ['kind/ascii-257', Buffer.alloc(257, 'b'), 'text'],
      ['kind/utf8-short', Buffer.from('héllo ✓'), 'text'],
      ['kind/utf8-long', Buffer.from('é'.repeat(300)), 'text'],
      ['kind/bad-short', Buffer.concat([Buffer.alloc(40, 'c'), Buffer.from([0xc3])]), 'binary'],
      ['kind/bad-long', Buffer.concat([Buffer.alloc(300, 'd'), Buffer.from([0xff])]), 'binary'],
      ['kind/empty', Buffer.alloc(0), 'text'],
    ]
    for (const [topic, payload] of cases) await peer.publishAsync(topic, payload, { qos: 1 })
    const log = await logUntil(sid, (e) => e.event === 'kind/empty')
    for (const [topic, payload, kind] of cases) {
      const e = log.find((x) => x.event === topic)
      expect(e, topic).toMatchObject({ kind })
      expect(e?.data, topic).toBe(kind === 'text' ? payload.toString('utf8') : payload.toString('base64'))
    }
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('publishes with QoS 0, 1 and 2: the QoS handshake is paired with its publish', async () => {
    const got: string[] = []
    await peer.subscribeAsync('pub/#', { qos: 2 })
    const onMsg = (topic: string, payload: Buffer): void => void got.push(`${topic}=${payload.toString()}`)
    peer.on('message', onMsg)
    const sid = await open()
    await opened(sid)
    for (const qos of [0, 1, 2] as const) {
      const r = await service.invoke('mqtt.publish', {
        sid,
        topic: `pub/q${qos}`,
        payload: `m${qos}`,
        qos,
        retain: false,
      })
      expect(r.ok).toBe(true)
    }
    const log = await logUntil(sid, (e) => e.event === 'PUBCOMP')
    await logUntil(sid, (e) => e.event === 'PUBACK')
    const all = await readLog(service, sid)
    const pub1 = all.find((e) => e.dir === 'out' && e.event === 'pub/q1')
    const pub2 = all.find((e) => e.dir === 'out' && e.event === 'pub/q2')
    expect(pub1).toBeDefined()
    const puback = all.find((e) => e.event === 'PUBACK')
    expect(puback?.dir).toBe('in')
    expect(control(puback as StreamEntry)).toMatchObject({
      topic: 'pub/q1',
      publishSeq: pub1?.seq,
      reasonCode: 0,
    })
    expect(puback?.data).toMatch(/^PUBACK #\d+ for pub\/q1: Success \(0\), [\d.]+ ms after the publish$/)
    const q2 = all
      .filter((e) => e.kind === 'control' && control(e).publishSeq === pub2?.seq)
      .map((e) => `${e.dir} ${e.event}`)
    expect(q2).toEqual(['in PUBREC', 'out PUBREL', 'in PUBCOMP'])
    expect(control(log.find((e) => e.event === 'PUBCOMP') as StreamEntry).rttMs).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 100))
    expect(got).toEqual(expect.arrayContaining(['pub/q0=m0', 'pub/q1=m1', 'pub/q2=m2']))
    peer.off('message', onMsg)
    await peer.unsubscribeAsync('pub/#')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('publishes and receives MQTT 5 properties', async () => {
    const seen: IPublishPacket[] = []
    await peer.subscribeAsync('props/x', { qos: 1 })
    const onMsg = (_t: string, _p: Buffer, packet: IPublishPacket): void => void seen.push(packet)
    peer.on('message', onMsg)
    const sid = await open({ subscriptions: [{ topic: 'props/x', qos: 1 }] })
    await logUntil(sid, (e) => e.event === 'SUBACK')
    const properties = {
      contentType: 'application/json',
      responseTopic: 'props/reply',
      correlationData: 'req-42',
      userProperties: [
        { name: 'trace', value: 'abc' },
        { name: 'trace', value: 'def' },
      ],
    }
    await service.invoke('mqtt.publish', {
      sid,
      topic: 'props/x',
      payload: '{"a":1}',
      qos: 1,
      retain: false,
      properties,
    })
    const log = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'props/x')
    const back = parseMqttDelivery(log.find((e) => e.dir === 'in' && e.event === 'props/x')?.id)
    expect(back?.properties).toEqual(properties)
    await new Promise((r) => setTimeout(r, 100))
    expect(seen[0]?.properties).toMatchObject({
      contentType: 'application/json',
      responseTopic: 'props/reply',
      userProperties: { trace: ['abc', 'def'] },
    })
    expect(Buffer.from(seen[0]?.properties?.correlationData ?? []).toString()).toBe('req-42')
    peer.off('message', onMsg)
    await peer.unsubscribeAsync('props/x')
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('MQTT 3.1.1 over WebSocket', async () => {
    const sid = await open({
      url: broker.wsUrl,
      options: { protocolVersion: 4 },
      subscriptions: [{ topic: 'ws/t', qos: 0 }],
    })
    await logUntil(sid, (e) => e.event === 'SUBACK')
    await peer.publishAsync('ws/t', 'over ws')
    const log = await logUntil(sid, (e) => e.event === 'ws/t')
    expect(log.find((e) => e.event === 'ws/t')?.data).toBe('over ws')
    const sent = rec.of(sid).find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.headers).toContainEqual(['Protocol', 'MQTT 3.1.1'])
    expect(rec.of(sid).find((e) => e.type === 'stream-open')).toMatchObject({ status: 0 })
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
  })

  it('a connection that drops without DISCONNECT makes the broker publish the will', async () => {
    const wills: string[] = []
    await peer.subscribeAsync('will/+', { qos: 1 })
    const onMsg = (topic: string, payload: Buffer): void => void wills.push(`${topic}=${payload.toString()}`)
    peer.on('message', onMsg)
    const other = makeService()
    const r = await other.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [],
      options: { will: { topic: 'will/fd', payload: 'gone', qos: 1, retain: false } },
    })
    expect(r.ok).toBe(true)
    await new Promise((res) => setTimeout(res, 200))
    // Disposing the engine drops the connection at once (no DISCONNECT): the broker sends the will.
    await other.dispose()
    for (let i = 0; i < 100 && wills.length === 0; i++) await new Promise((res) => setTimeout(res, 20))
    expect(wills).toEqual(['will/fd=gone'])
    // A clean close (DISCONNECT) sends no will.
    const sid = await open({
      options: { will: { topic: 'will/clean', payload: 'no', qos: 1, retain: false } },
    })
    await opened(sid)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    await new Promise((res) => setTimeout(res, 200))
    expect(wills).toEqual(['will/fd=gone'])
    peer.off('message', onMsg)
    await peer.unsubscribeAsync('will/+')
  })

  it('bad credentials: the broker refuses in plain words, and no reconnect repeats it', async () => {
    if (!broker.authUrl) {
      console.warn('skipping the auth case: mosquitto_passwd is missing')
      return
    }
    for (const protocolVersion of [4, 5] as const) {
      const sid = await open({
        url: broker.authUrl,
        options: { protocolVersion, username: 'alice', password: 'wrong', reconnect: true, backoffMs: 10 },
      })
      const { final } = await settle(service, sid)
      expect(final).toMatchObject({
        type: 'error',
        code: 'auth',
        message:
          protocolVersion === 5
            ? 'The broker refused the connection: Not authorized (135)'
            : 'The broker refused the connection: Not authorized (5)',
      })
      expect(rec.of(sid).some((e) => e.type === 'retry')).toBe(false)
    }
    const good = await open({ url: broker.authUrl, options: { username: 'alice', password: 'wonderland' } })
    await opened(good)
    await service.invoke('session.cancel', { sid: good })
    expect((await settle(service, good)).final.type).toBe('done')
  })

  it('a broker that goes away: a marker, then the reconnect policy brings the session back', async () => {
    const sid = await open({
      options: {
        reconnect: true,
        backoffMs: 100,
        maxBackoffMs: 200,
        maxRetries: 50,
        clientId: 'fd-reconnect',
      },
      subscriptions: [{ topic: 'back/#', qos: 1 }],
    })
    await logUntil(sid, (e) => e.event === 'SUBACK')
    await broker.stop()
    await rec.until(sid, (e) => e.type === 'stream-closed')
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({
      by: 'network',
      willRetry: true,
      reason: expect.stringMatching(/^The broker at 127\.0\.0\.1:\d+ went away/) as unknown,
    })
    await rec.until(sid, (e) => e.type === 'retry')
    await broker.restart()
    await opened(sid, 2)
    // The new connection subscribes again; a message after the restart arrives.
    await logUntil(sid, (e) => e.event === 'SUBACK', 2, 10_000)
    const p2 = await connectAsync(broker.url, { reconnectPeriod: 0 })
    await p2.publishAsync('back/1', 'again', { qos: 1 })
    await p2.endAsync()
    await logUntil(sid, (e) => e.event === 'back/1')
    await service.invoke('session.cancel', { sid })
    expect((await settle(service, sid)).final.type).toBe('done')
    // The peer of the other tests lost its connection with the broker: bring it back.
    peer = await connectAsync(broker.url, { protocolVersion: 5, clientId: 'peer', reconnectPeriod: 0 })
  }, 20_000)

  it('refuses a publish with a wildcard and a session that is not open, in words', async () => {
    const sid = await open()
    await opened(sid)
    const bad = await service.invoke('mqtt.publish', {
      sid,
      topic: 'a/#',
      payload: 'x',
      qos: 0,
      retain: false,
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const gone = await service.invoke('mqtt.publish', {
      sid,
      topic: 'a',
      payload: 'x',
      qos: 0,
      retain: false,
    })
    expect(gone).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })
})

describe.skipIf(!MOSQUITTO)('MQTT over TLS (mqtts://)', () => {
  it('trusts the CA file given, refuses an unknown issuer in words, and connects insecure when asked', async () => {
    const pki = await makeTestPki()
    const tlsBroker = await startMosquitto([], pki.localhost)
    const dir = mkdtempSync(join(tmpdir(), 'fd-mqtt-ca-'))
    const caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, pki.ca.cert)
    try {
      const url = tlsBroker.tlsUrl ?? ''
      const sid = await open({ url, options: { caFile } })
      await opened(sid)
      const tls = rec.of(sid).find((e) => e.type === 'tls')
      expect(tls).toMatchObject({ type: 'tls', authorized: true })
      await service.invoke('session.cancel', { sid })
      expect((await settle(service, sid)).final.type).toBe('done')

      const refused = await open({ url })
      const { final } = await settle(service, refused)
      expect(final.type).toBe('error')
      expect(final.type === 'error' && final.code).toMatch(/^tls/)

      const insecure = await open({ url, options: { insecure: true } })
      await opened(insecure)
      await service.invoke('session.cancel', { sid: insecure })
      await settle(service, insecure)
    } finally {
      await tlsBroker.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
