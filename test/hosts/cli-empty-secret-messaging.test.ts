import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync, type MqttClient } from 'mqtt'
import { Server } from 'socket.io'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/**
 * A run's MQTT publishes and Socket.IO emits carry `{{variables}}` as a WebSocket step's messages do: the
 * publish's topic and payload, the Socket.IO auth payload and the emit's event and arguments resolve with the
 * step's request. So a secret with no value on this machine used there is caught as in a header: `flightdeck run`
 * fails the step unsent, and `--env-var` gives it its value. Checked at the servers: what the broker relayed to
 * another client, what the Socket.IO server got in its handshake and events.
 */

if (!MOSQUITTO) console.warn(`skipping the MQTT case: ${MOSQUITTO_MISSING}`)

/** Each case starts flightdeck once (a second or more from source, more on a busy machine). */
const CLI_TIMEOUT_MS = 180_000

let broker: MosquittoFixture | null = null
let peer: MqttClient | null = null
let http: HttpServer
let io: Server
let root: string
let dir: string
/** What the broker relayed on a2/#: `topic payload`. */
const relayed: string[] = []
/** What the Socket.IO server got: each connection's auth, each `report` event's arguments. */
const got: string[] = []

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root, timeoutMs: CLI_TIMEOUT_MS - 10_000 })
}

beforeAll(async () => {
  if (MOSQUITTO) broker = await startMosquitto()
  // The broker's listener that wants alice's password (mosquitto_passwd made it); without it, no MQTT case.
  if (broker?.authUrl) {
    peer = await connectAsync(broker.url, { reconnectPeriod: 0 })
    peer.on('message', (topic, payload) => relayed.push(`${topic} ${payload.toString()}`))
    await peer.subscribeAsync('a2/#', { qos: 1 })
  }
  http = createServer()
  io = new Server(http)
  io.on('connection', (socket) => {
    got.push(`auth ${JSON.stringify(socket.handshake.auth)}`)
    socket.on('report', (...args: unknown[]) => {
      got.push(`report ${JSON.stringify(args)}`)
      socket.emit('done', 1)
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const ioUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`

  root = mkdtempSync(join(tmpdir(), 'fd-secret-messaging-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Msg\nid: msg\nvariables:\n  io: ${ioUrl}\n  broker: ${broker?.authUrl ?? 'mqtt://127.0.0.1:1'}\n  region: eu\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'ci.yaml'),
    'name: ci\nvariables:\n  token:\n    secret: true\n  mqttPass:\n    secret: true\n',
  )
  writeFileSync(
    join(dir, 'io.yaml'),
    [
      'name: Io',
      'kind: socketio',
      "url: '{{io}}'",
      'socketio:',
      '  auth: \'{"token":"{{token}}"}\'',
      '  listen: [done]',
      '  emits:',
      '    - name: report',
      '      event: report',
      '      args: \'{"key":"{{token}}","region":"{{region}}"}\'',
      '      ack: false',
      'stop:',
      '  count: 1',
      '  durationMs: 30000',
      '',
    ].join('\n'),
  )
  if (peer)
    writeFileSync(
      join(dir, 'mq.yaml'),
      [
        'name: Mq',
        'kind: mqtt',
        "url: '{{broker}}'",
        'mqtt:',
        '  options:',
        '    username: alice',
        "    password: '{{mqttPass}}'",
        '  subscriptions:',
        '    - topic: a2/#',
        '      qos: 1',
        '  publishes:',
        '    - name: one',
        "      topic: 'a2/{{region}}'",
        "      payload: 'token={{token}}'",
        '      qos: 1',
        '      retain: false',
        'stop:',
        '  count: 1',
        '  durationMs: 30000',
        '',
      ].join('\n'),
    )
})

beforeEach(() => {
  relayed.length = 0
  got.length = 0
  rmSync(join(root, 'config'), { recursive: true, force: true })
})

afterAll(async () => {
  await peer?.endAsync()
  await broker?.close()
  await new Promise<void>((resolve) => void io.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

describe('a secret with no value in a run’s MQTT publish and Socket.IO emit', () => {
  it(
    'fails those steps unsent, naming the secret',
    async () => {
      const r = await flightdeck(['run', dir, '--env', 'ci'])
      const refusal =
        'unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine; give it with --env-var token='
      expect(r.stdout).toContain(`io.yaml #1: ${refusal}`)
      if (peer)
        expect(r.stdout).toContain(
          'mq.yaml #1: unknown_variable: Secret variables {{mqttPass}} (environment "ci"), {{token}} (environment "ci") have no value on this machine',
        )
      expect(r.stderr).toContain('flightdeck: secret variable {{token}} (environment "ci") has no value')
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1)
      // Nothing connected, nothing was published.
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(got).toEqual([])
      expect(relayed).toEqual([])
    },
    CLI_TIMEOUT_MS,
  )

  it(
    '--env-var gives it its value in the password, the payload, the auth and the arguments',
    async () => {
      const r = await flightdeck([
        'run',
        dir,
        '--env',
        'ci',
        '--env-var',
        'token=tok-5',
        '--env-var',
        'mqttPass=wonderland',
      ])
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
      expect(got).toEqual(['auth {"token":"tok-5"}', 'report [{"key":"tok-5","region":"eu"}]'])
      // The broker let alice in with the password given: the publish it relayed is the proof.
      if (peer) expect(relayed).toEqual(['a2/eu token=tok-5'])
    },
    CLI_TIMEOUT_MS,
  )
})
