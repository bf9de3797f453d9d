import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'

/**
 * `flightdeck run` with saved `kind: mqtt` and `kind: socketio` requests: each connects, sends its saved
 * publishes / emits once connected and stops on its condition; a stop that is not met and a refused namespace
 * fail their steps. Real servers on 127.0.0.1 (mosquitto, a socket.io server), the CLI's run command in process.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT run steps: ${MOSQUITTO_MISSING}`)

let io: SocketIoFixture
let broker: MosquittoFixture | null = null
let dir: string
let configDir: string
let out: string

beforeAll(async () => {
  io = await startSocketIoServer()
  if (MOSQUITTO) broker = await startMosquitto()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-messaging-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-messaging-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-run-messaging-out-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file(
    'collection.yaml',
    `flightdeck: 1\nname: Messaging\nvariables:\n  io: ${io.url}\n  broker: ${broker?.url ?? 'mqtt://127.0.0.1:1'}\n`,
  )
  file(
    'io/1-echo.yaml',
    [
      'name: Echo',
      'kind: socketio',
      'url: "{{io}}"',
      'socketio:',
      '  listen: [echo]',
      '  emits:',
      '    - name: hello',
      '      event: echo',
      '      args: \'{"hi":1}\'',
      '      ack: false',
      'stop:',
      '  match: \'"hi":1\'',
      '',
    ].join('\n'),
  )
  file(
    'io/2-refused.yaml',
    'name: Refused\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  namespace: /admin\n  listen: []\n  emits: []\nstop:\n  count: 1\n',
  )
  file(
    'io/3-not-met.yaml',
    'name: Quiet\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: [never]\n  emits: []\nstop:\n  count: 1\n  durationMs: 300\n',
  )
  // Not JSON: the app's Emit box refuses it, and so does the run (it once went as one text argument).
  file(
    'io/4-not-json.yaml',
    'name: Not JSON\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: [echo]\n  emits:\n    - name: hello\n      event: echo\n      args: hello there\n      ack: false\nstop:\n  count: 1\n',
  )
  file(
    'mq/1-self.yaml',
    [
      'name: Self',
      'kind: mqtt',
      'url: "{{broker}}"',
      'mqtt:',
      '  subscriptions:',
      '    - topic: run/#',
      '      qos: 1',
      '  publishes:',
      '    - name: one',
      '      topic: run/a',
      '      payload: first',
      '      qos: 1',
      '      retain: false',
      '    - name: two',
      '      topic: run/b',
      '      payload: second',
      '      qos: 0',
      '      retain: false',
      'stop:',
      '  count: 2',
      'assertions:',
      '  - kind: message-count',
      '    min: 2',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await io.close()
  await broker?.close()
  for (const d of [dir, configDir, out]) if (d) rmSync(d, { recursive: true, force: true })
})

async function run(path: string): Promise<{ code: number; stdout: string; json: JsonRunReport }> {
  let stdout = ''
  const ioCap = { out: (t: string) => void (stdout += t), err: (t: string) => void (stdout += t) }
  const saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  let code: number
  try {
    code = await runRunCli([dir, path, '--reporter', 'cli,json', '--out', out], ioCap)
  } finally {
    if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
    else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  }
  return { code, stdout, json: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport }
}

const rows = (json: JsonRunReport) =>
  json.results
    .map((r) => [r.path, r.passed, r.error?.code, r.error?.message.slice(0, 50)])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))

describe('flightdeck run: Socket.IO steps', () => {
  it('emits its saved emits and stops on a match; a refused namespace, an unmet count and an emit not JSON fail', async () => {
    const { code, json } = await run('io')
    expect(code).toBe(1)
    expect(rows(json)).toEqual([
      ['io/1-echo.yaml', true, undefined, undefined],
      ['io/2-refused.yaml', false, 'auth', 'The server refused the connection to namespace /ad'],
      ['io/3-not-met.yaml', false, 'stop_not_met', 'stopped after 300 ms with 0 messages, before 1 mes'],
      ['io/4-not-json.yaml', false, 'invalid_request', 'socketio.emits: hello (echo): The arguments are no'],
    ])
  })
})

describe.skipIf(!MOSQUITTO)('flightdeck run: MQTT steps', () => {
  it('subscribes, publishes its saved publishes and counts the messages', async () => {
    const { code, json, stdout } = await run('mq')
    expect(stdout).toContain('1 passed')
    expect(code).toBe(0)
    expect(rows(json)).toEqual([['mq/1-self.yaml', true, undefined, undefined]])
  })
})

describe('kind mqtt / socketio request files', () => {
  it('write and read back with their own fields', async () => {
    const { requestPlain } = await import('../../src/engine/collections/collection-file-write')
    const { renderYaml } = await import('../../src/engine/collections/yaml-doc')
    const { parseRequestText } = await import('../../src/engine/collections/collection-file-read')
    const { emptySavedRequest } = await import('../../src/shared/collection')
    const mq = {
      ...emptySavedRequest('Sensors', 'mqtt'),
      url: 'mqtt://127.0.0.1:1883',
      mqtt: {
        options: { protocolVersion: 4 as const, keepalive: 30 },
        subscriptions: [{ topic: 's/#', qos: 1 as const }],
        publishes: [{ name: 'p', topic: 's/t', payload: '21.5', qos: 2 as const, retain: true }],
      },
    }
    const sio = {
      ...emptySavedRequest('Chat', 'socketio'),
      url: 'http://127.0.0.1:3000',
      socketio: {
        namespace: '/chat',
        listen: ['message'],
        emits: [{ name: 'join', event: 'join', args: '{"room":"blue"}', ack: true }],
      },
    }
    for (const req of [mq, sio]) {
      const text = renderYaml(requestPlain(req), null, new Set())
      const back = parseRequestText(text, 'x')
      expect(back.ok && back.value).toEqual(req)
    }
  })
})
