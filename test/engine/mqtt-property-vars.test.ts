import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import type { EngineService } from '../../src/engine/service'
import type { RequestContext } from '../../src/shared/collection'
import {
  watchBroker,
  type BrokerWatcher,
  type RelayedMessage,
  type RelayedProperties,
} from '../fixtures/broker-watcher'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { makeService } from './helpers'
import { record, type Recorder } from './stream-helpers'

/**
 * A publish's MQTT 5 properties resolve `{{variables}}` as its topic and payload do: the content type, the
 * response topic, the correlation data and the user properties, in a session opened from a collection and in a
 * run's MQTT step. What mosquitto relayed to another MQTT 5 client is what is checked.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT property variable tests: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture
let watcher: BrokerWatcher
let dir: string
let configDir: string

beforeAll(async () => {
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  watcher = await watchBroker(broker.url, 'prop-peer')
  dir = mkdtempSync(join(tmpdir(), 'fd-mqtt-props-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-mqtt-props-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    [
      'flightdeck: 1',
      'name: Props',
      'variables:',
      `  broker: ${broker.url}`,
      '  room: lobby',
      '  kind: application/json',
      '  reply: replies/alice',
      '  corr: req-42',
      '  tenant: acme',
      '  trace: t-9',
      '  blank: ""',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await watcher?.close()
  await broker?.close()
  for (const d of [dir, configDir]) if (d) rmSync(d, { recursive: true, force: true })
})

const relayedOn = (topic: string): Promise<RelayedMessage> => watcher.on(topic)

const templated = {
  contentType: '{{kind}}',
  responseTopic: '{{reply}}',
  correlationData: '{{corr}}',
  payloadFormatIndicator: true,
  userProperties: [
    { name: 'tenant', value: '{{tenant}}' },
    { name: 'x-{{room}}', value: '{{trace}}' },
  ],
}

/** What mosquitto relays for `templated` once resolved. */
function expectResolved(p: RelayedProperties): void {
  expect(p.contentType).toBe('application/json')
  expect(p.responseTopic).toBe('replies/alice')
  expect(Buffer.from(p.correlationData ?? []).toString()).toBe('req-42')
  expect(p.payloadFormatIndicator).toBe(true)
  expect(p.userProperties).toEqual({ tenant: 'acme', 'x-lobby': 't-9' })
}

describe.skipIf(!MOSQUITTO)('MQTT 5 publish properties resolve {{variables}}', () => {
  let service: EngineService
  let rec: Recorder
  const context: RequestContext = { dir: '', path: '' }

  beforeAll(async () => {
    context.dir = dir
    service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    rec = record(service)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
  })
  afterAll(async () => {
    rec?.stop()
    await service?.dispose()
  })

  it('in a session opened from a collection; an unknown or empty one refuses that publish in words', async () => {
    const r = await service.invoke('mqtt.open', { url: broker.url, subscriptions: [], context })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    const pub = await service.invoke('mqtt.publish', {
      sid,
      topic: '{{room}}/props',
      payload: 'hi',
      qos: 1,
      retain: false,
      properties: templated,
    })
    expect(pub.ok).toBe(true)
    expectResolved((await relayedOn('lobby/props')).properties)

    const unknown = await service.invoke('mqtt.publish', {
      sid,
      topic: 'lobby/unknown',
      payload: 'x',
      qos: 0,
      retain: false,
      properties: { userProperties: [{ name: 'who', value: '{{nowhere}}' }] },
    })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_variable' } })
    expect(unknown.ok ? '' : unknown.error.message).toContain('{{nowhere}}')

    const blank = await service.invoke('mqtt.publish', {
      sid,
      topic: 'lobby/blank',
      payload: 'x',
      qos: 0,
      retain: false,
      properties: { responseTopic: '{{blank}}' },
    })
    expect(blank).toMatchObject({
      ok: false,
      error: { message: 'The response topic {{blank}} is empty once resolved' },
    })

    // The session goes on: the next publish goes out.
    const after = await service.invoke('mqtt.publish', {
      sid,
      topic: 'lobby/after',
      payload: 'still here',
      qos: 0,
      retain: false,
    })
    expect(after.ok).toBe(true)
    await relayedOn('lobby/after')
    expect(watcher.relayed.some((m) => m.topic === 'lobby/unknown' || m.topic === 'lobby/blank')).toBe(false)
    await service.invoke('session.cancel', { sid })
    await service.streams.wait(sid)
  }, 20_000)
})

describe.skipIf(!MOSQUITTO)('MQTT 5 will properties resolve {{variables}} at open', () => {
  let service: EngineService
  let rec: Recorder

  beforeAll(async () => {
    service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    rec = record(service)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
  })
  afterAll(async () => {
    rec?.stop()
    await service?.dispose()
  })

  it('taken over, the broker sends the will with its properties resolved', async () => {
    const r = await service.invoke('mqtt.open', {
      url: broker.url,
      subscriptions: [],
      options: {
        clientId: 'fd-will-props',
        protocolVersion: 5,
        will: { topic: '{{room}}/will', payload: 'gone', qos: 0, retain: false, properties: templated },
      },
      context: { dir, path: '' },
    })
    if (!r.ok) throw new Error(r.error.message)
    await rec.until(r.value.sid, (e) => e.type === 'stream-open')
    // A second client with the same id takes the session over: the first one's will goes out.
    const twin = await connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'fd-will-props',
      reconnectPeriod: 0,
    })
    try {
      expectResolved((await relayedOn('lobby/will')).properties)
    } finally {
      await twin.endAsync(true)
      await service.invoke('session.cancel', { sid: r.value.sid })
      await service.streams.wait(r.value.sid)
    }
  }, 20_000)
})

describe.skipIf(!MOSQUITTO)('a run’s MQTT step resolves its publishes’ properties', () => {
  it('publishes the saved properties resolved', async () => {
    mkdirSync(join(dir, 'mq'), { recursive: true })
    writeFileSync(
      join(dir, 'mq', 'props.yaml'),
      [
        'name: Props',
        'kind: mqtt',
        'url: "{{broker}}"',
        'mqtt:',
        '  subscriptions:',
        '    - topic: "{{room}}/run-props"',
        '      qos: 1',
        '  publishes:',
        '    - name: one',
        '      topic: "{{room}}/run-props"',
        '      payload: hello',
        '      qos: 1',
        '      retain: false',
        '      properties:',
        '        contentType: "{{kind}}"',
        '        responseTopic: "{{reply}}"',
        '        correlationData: "{{corr}}"',
        '        payloadFormatIndicator: true',
        '        userProperties:',
        '          - name: tenant',
        '            value: "{{tenant}}"',
        '          - name: "x-{{room}}"',
        '            value: "{{trace}}"',
        'stop:',
        '  count: 1',
        '  durationMs: 10000',
        '',
      ].join('\n'),
    )
    const out = mkdtempSync(join(tmpdir(), 'fd-mqtt-props-out-'))
    let text = ''
    const cap = { out: (t: string) => void (text += t), err: (t: string) => void (text += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    try {
      const code = await runRunCli([dir, 'mq', '--reporter', 'json', '--out', out], cap)
      expect(existsSync(join(out, 'run.json')), text).toBe(true)
      const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      expect(
        json.results.map((r) => [r.path, r.passed, r.error?.message ?? null]),
        text,
      ).toEqual([['mq/props.yaml', true, null]])
      expect(code).toBe(0)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
      rmSync(out, { recursive: true, force: true })
    }
    expectResolved((await relayedOn('lobby/run-props')).properties)
  }, 20_000)
})
