import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import type { EngineService } from '../../src/engine/service'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'
import { nameCell } from './row-name-cell'

/**
 * `flightdeck mqtt` and `flightdeck socketio` name their session on their first line as the app's timeline row
 * names the same session (a broker by host:port, a Socket.IO namespace by its path beside its server), the URL
 * after it in parentheses (the row's title).
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT CLI's first line: ${MOSQUITTO_MISSING}`)

let broker: MosquittoFixture | null = null
let io: SocketIoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto()
  io = await startSocketIoServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await io.close()
  await broker?.close()
})

async function firstLine(argv: string[]): Promise<string> {
  let out = ''
  await runCli(argv, { out: (t) => void (out += t), err: () => undefined })
  return out.split('\n')[0] ?? ''
}

/** The row's name cell as the app draws it, for a session opened and closed through the engine. */
async function rowOf(open: () => ReturnType<EngineService['invoke']>): Promise<string> {
  const r = (await open()) as { ok: true; value: { sid: string } } | { ok: false; error: { message: string } }
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  await rec.until(sid, (e) => e.type === 'stream-open' || e.type === 'error')
  await service.invoke('session.cancel', { sid })
  await settle(service, sid)
  const { name, where } = nameCell(service, rec, sid)
  return where === '' || where.includes(' ') ? name : `${name} ${where}`
}

describe('the messaging CLI names its session as the timeline row does', () => {
  it.skipIf(!MOSQUITTO)('flightdeck mqtt: the broker, host:port', async () => {
    const url = broker?.url ?? ''
    const row = await rowOf(() => service.invoke('mqtt.open', { url, subscriptions: [] }))
    expect(row).toBe(new URL(url).host)
    expect(await firstLine(['mqtt', url, '--duration', '0.2'])).toBe(`* MQTT ${row} (${url})`)
  })

  it('flightdeck socketio: the server on the default namespace, the namespace beside its server on another', async () => {
    const open = (namespace: string) => () =>
      service.invoke('socketio.open', { url: io.url, headers: [], query: [], listen: [], namespace })
    const row = await rowOf(open('/'))
    expect(row).toBe(new URL(io.url).host)
    expect(await firstLine(['socketio', io.url, '--duration', '0.2'])).toBe(`* Socket.IO ${row} (${io.url})`)
    // The fixture's /admin refuses a connection without its token: the session is named as it was opened.
    expect((await rowOf(open('/admin'))).startsWith('/admin')).toBe(true)
    const line = await firstLine(['socketio', io.url, '--namespace', '/admin', '--duration', '0.2'])
    expect(line).toMatch(new RegExp(`^\\* Socket\\.IO /admin ${new URL(io.url).host} \\(.+/admin\\)$`))
  })
})
