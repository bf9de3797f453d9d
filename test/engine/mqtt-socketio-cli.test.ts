import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { parseMessagingArgs } from '../../src/cli/mqtt-socketio-args'
import { MOSQUITTO, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'

/** `flightdeck mqtt` / `flightdeck socketio` in this process, its output captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

const lines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

let io: SocketIoFixture
let broker: MosquittoFixture | null = null

beforeAll(async () => {
  io = await startSocketIoServer()
  if (MOSQUITTO) broker = await startMosquitto()
})
afterAll(async () => {
  await io.close()
  await broker?.close()
})

describe('flightdeck mqtt / socketio: arguments', () => {
  it('reads topics with QoS, publishes, emits; refuses what does not fit in one line', () => {
    expect(
      parseMessagingArgs(['mqtt', '127.0.0.1:1883', '--sub', 'a/#@1', '--pub', 'a/b hello world@2']),
    ).toMatchObject({
      kind: 'mqtt',
      url: 'mqtt://127.0.0.1:1883',
      subscriptions: [{ topic: 'a/#', qos: 1 }],
      publish: [{ topic: 'a/b', payload: 'hello world', qos: 2 }],
    })
    expect(parseMessagingArgs(['mqtt', 'mqtt://h', '--sub', 'a@3'])).toEqual({
      kind: 'error',
      message: '--sub a@3: QoS must be 0, 1 or 2, got @3',
    })
    expect(parseMessagingArgs(['mqtt', 'http://h'])).toMatchObject({ kind: 'error' })
    expect(parseMessagingArgs(['mqtt', 'mqtt://h', '--on', 'x'])).toEqual({
      kind: 'error',
      message: '--on is a socketio option',
    })
    // MQTT has no User-Agent: -A is refused in those words, not as another command's option.
    expect(parseMessagingArgs(['mqtt', 'mqtt://h', '-A', 'probe/1'])).toEqual({
      kind: 'error',
      message:
        'mqtt has no User-Agent to set: an MQTT CONNECT carries none, and the ws:// upgrade sends none; leave -A out',
    })
    expect(
      parseMessagingArgs(['socketio', 'http://h', '--emit', 'chat {"a":1}', '--namespace', '/n']),
    ).toMatchObject({
      kind: 'socketio',
      namespace: '/n',
      emit: [{ event: 'chat', args: '{"a":1}' }],
    })
    expect(parseMessagingArgs(['socketio', 'http://h', '--emit', 'chat {oops'])).toMatchObject({
      kind: 'error',
    })
  })

  it('bad arguments exit 2 with one line', async () => {
    const r = await cli('socketio', 'http://127.0.0.1:1', '--auth', '[1]')
    expect(r).toMatchObject({ code: 2, out: '', err: 'flightdeck: --auth must be a JSON object\n' })
  })
})

describe('flightdeck socketio', () => {
  it('emits once connected and prints the echo as JSON; --max ends it with exit 0', async () => {
    const r = await cli(
      'socketio',
      io.url,
      '--on',
      'echo',
      '--emit',
      'echo [{"a":1},"two"]',
      '--json',
      '--max',
      '1',
    )
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const all = lines(r.out)
    expect(all.find((l) => l['type'] === 'event' && l['dir'] === 'in')).toMatchObject({
      event: 'echo',
      args: [{ a: 1 }, 'two'],
    })
    expect(all.at(-1)).toMatchObject({ type: 'done' })
  })

  it('an ack is printed with its round trip, for people', async () => {
    const r = await cli('socketio', io.url, '--on', 'none', '--emit', 'ack-me 5', '--ack', '--duration', '1')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/→ ack-me \[ack #1\] \(\d+ B\) \[5\]/)
    expect(r.out).toMatch(/← ack \[\{"got":\[5\]\}\]/)
  })

  it('a refused namespace exits 1 with the server words', async () => {
    const r = await cli('socketio', io.url, '--namespace', '/admin')
    expect(r.code).toBe(1)
    expect(r.err).toBe(
      'flightdeck: auth: The server refused the connection to namespace /admin: not authorized\n',
    )
  })
})

describe.skipIf(!MOSQUITTO)('flightdeck mqtt', () => {
  it('subscribes, publishes to itself and prints the message with its QoS as JSON', async () => {
    const url = broker?.url ?? ''
    const r = await cli('mqtt', url, '--sub', 'cli/t@1', '--pub', 'cli/t hello@1', '--json', '--max', '1')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const all = lines(r.out)
    expect(all.find((l) => l['type'] === 'message' && l['dir'] === 'in')).toMatchObject({
      topic: 'cli/t',
      qos: 1,
      retain: false,
      data: 'hello',
      encoding: 'utf8',
    })
    expect(all.some((l) => l['type'] === 'control' && l['name'] === 'PUBACK')).toBe(true)
  })

  it('a broker that refuses exits 1; nothing listening exits 1', async () => {
    if (broker?.authUrl) {
      const r = await cli('mqtt', broker.authUrl, '-u', 'alice', '-P', 'nope')
      expect(r).toMatchObject({
        code: 1,
        err: 'flightdeck: auth: The broker refused the connection: Not authorized (135)\n',
      })
    }
    const r2 = await cli('mqtt', 'mqtt://127.0.0.1:1')
    expect(r2.code).toBe(1)
    expect(r2.err).toMatch(/^flightdeck: refused: /)
  })
})
