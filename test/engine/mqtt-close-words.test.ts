import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import type { EngineService } from '../../src/engine/service'
import { startSilentMqttBroker, type SilentMqttBroker } from '../fixtures/silent-mqtt-broker'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

/**
 * Closing a connected MQTT session while publishes still await their acks: Close waits a grace for them, then
 * says goodbye (DISCONNECT); each is marked lost in the log, and the close's own words, on the lane and in
 * `flightdeck mqtt`'s output, count them. The broker here accepts the
 * connection (CONNACK) and never acknowledges a publish, as a broker that stopped answering does.
 */

interface SilentBroker {
  url: string
  /** The connection goes away (the broker's process died). */
  drop(): void
  close(): Promise<void>
}

/** MQTT 5 CONNACK: session not present, reason Success, no properties. */
const CONNACK = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])

async function startSilentBroker(): Promise<SilentBroker> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    // The first bytes are CONNECT: answer it; nothing after it is answered.
    socket.once('data', () => socket.write(CONNACK))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `mqtt://127.0.0.1:${port}`,
    drop: () => {
      for (const s of sockets) s.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

let broker: SilentBroker
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  broker = await startSilentBroker()
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

const LOST = '3 QoS 1 publishes lost: the session ended'

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('MQTT: closed while publishes await their acks', () => {
  it('Close waits its grace for the acks, then says goodbye (DISCONNECT); the close words count the publishes it lost', async () => {
    // The shared silent broker (MQTT 3.1.1) counts the DISCONNECTs it receives.
    const counting = await startSilentMqttBroker()
    closeAfter.push(counting)
    const r = await service.invoke('mqtt.open', {
      url: counting.url,
      options: { protocolVersion: 4, clientId: 'fd-close-words' },
      subscriptions: [],
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await rec.until(sid, (e) => e.type === 'stream-open')
    for (const n of [1, 2, 3]) {
      const p = await service.invoke('mqtt.publish', {
        sid,
        topic: `bye/${n}`,
        payload: 'x',
        qos: 1,
        retain: false,
      })
      expect(p.ok).toBe(true)
    }
    // Close waits a grace for the acks (MQTT.js holds DISCONNECT back until then), then disconnects.
    const t0 = Date.now()
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    // It waited for the acks (5 s), then said goodbye rather than dropping the connection (no will).
    expect(Date.now() - t0).toBeLessThan(9000)
    expect(counting.disconnects).toBe(1)
    const closed = rec.of(sid).filter((e) => e.type === 'stream-closed')
    expect(closed.map((e) => e.type === 'stream-closed' && e.reason)).toEqual([
      `Closed by you (DISCONNECT); ${LOST}`,
    ])
    const lost = (await readLog(service, sid)).filter((e) => e.event === 'lost')
    expect(lost.map((e) => e.data)).toEqual([
      expect.stringMatching(/^Publish #\d+ on bye\/1 \(QoS 1\) lost: no PUBACK/),
      expect.stringMatching(/^Publish #\d+ on bye\/2 \(QoS 1\) lost/),
      expect.stringMatching(/^Publish #\d+ on bye\/3 \(QoS 1\) lost/),
    ])
  }, 30_000)

  it('flightdeck mqtt says so on its closing line', async () => {
    let out = ''
    let err = ''
    const pubs = ['--pub', 'cli/1 a@1', '--pub', 'cli/2 b@1', '--pub', 'cli/3 c@1']
    const running = runCli(['mqtt', broker.url, '--duration', '0.5', ...pubs], {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
    })
    await until(() => out.includes('cli/3'), 'the third publish printed')
    // --duration closes it (its line is written as the close begins); while Close waits for the acks, the
    // broker goes away.
    await until(() => out.includes('* closing after 0.5 s (--duration)'), 'the command closing at --duration')
    broker.drop()
    const code = await running
    expect({ code, err }).toEqual({ code: 0, err: '' })
    expect(out).toMatch(new RegExp(`\\* closed: Closed by you \\(DISCONNECT\\); ${LOST}\\n`))
  }, 30_000)
})

describe('MQTT: Flightdeck shuts down while publishes await their acks', () => {
  it('the end words count the publishes it lost', async () => {
    const own = makeService()
    const seen = record(own)
    const r = await own.invoke('mqtt.open', { url: broker.url, subscriptions: [] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    await seen.until(sid, (e) => e.type === 'stream-open')
    for (const n of [1, 2]) {
      const p = await own.invoke('mqtt.publish', {
        sid,
        topic: `end/${n}`,
        payload: 'x',
        qos: 1,
        retain: false,
      })
      expect(p.ok).toBe(true)
    }
    await until(
      async () => (await readLog(own, sid)).some((e) => e.dir === 'out' && e.event === 'end/2'),
      'the second publish in the log',
    )
    await own.dispose()
    seen.stop()
    const closed = seen.of(sid).filter((e) => e.type === 'stream-closed')
    expect(closed.map((e) => e.type === 'stream-closed' && e.reason)).toEqual([
      'Closed by you (Flightdeck is shutting down); 2 QoS 1 publishes lost: the session ended',
    ])
  })
})
