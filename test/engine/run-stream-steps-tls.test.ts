import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { useServer } from 'graphql-ws/use/ws'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { makeTestPki } from '../fixtures/certs'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { makeService } from './helpers'
import { record } from './stream-helpers'
import { openCollection, startEngine, stopEngines } from '../renderer/store-over-engine'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { ticksSchema } from '../fixtures/graphql-ticks-schema'

/**
 * A run's WebSocket, Socket.IO, GraphQL-over-WebSocket and MQTT (mqtts://) steps trust what its HTTP steps
 * trust: the request's `caFile` (found in the collection folder, confined to it after links) or the run's
 * `--cacert`. One HTTPS server made at test time carries a WebSocket echo, socket.io and graphql-ws; mosquitto
 * listens for mqtts:// and a grpc-js server for gRPC over TLS, with certificates from the same test CA. Before, these steps read no CA file and failed
 * on the certificate (only `-k` reached them).
 */

if (!MOSQUITTO) console.warn(`skipping the mqtts run step: ${MOSQUITTO_MISSING}`)

let server: Server
let io: SocketIoServer
let grpcServer: GrpcTestServer
let broker: MosquittoFixture | null = null
let root = ''
let wssBase = ''
let dir = ''
let configDir = ''
let out = ''

const schema = ticksSchema()

/** The saved requests of one folder, each trusting `ca` through its own `caFile` (none: no caFile). */
function steps(
  https: string,
  grpcs: string,
  mqtts: string | null,
  ca: string | null,
): Record<string, string> {
  const wss = https.replace('https:', 'wss:')
  const options = ca ? `options:\n  caFile: ${ca}\n` : ''
  const one = 'stop:\n  count: 1\nassertions:\n  - kind: message-count\n    equals: 1\n'
  const files: Record<string, string> = {
    'ws.yaml': `name: WebSocket\nkind: ws\nurl: '${wss}/echo'\n${options}messages:\n  - name: hello\n    text: hello\n${one}`,
    'io.yaml': [
      'name: Socket.IO',
      'kind: socketio',
      `url: '${https}'`,
      options.trimEnd(),
      'socketio:',
      '  listen: [echo]',
      '  emits:',
      '    - name: hello',
      '      event: echo',
      '      args: \'{"hi":1}\'',
      '      ack: false',
      one,
    ]
      .filter(Boolean)
      .join('\n'),
    'graphql.yaml': [
      'name: GraphQL',
      'kind: graphql',
      `url: '${wss}/graphql'`,
      options.trimEnd(),
      'graphql:',
      '  query: "subscription { ticks(to: 2) }"',
      '  transport: ws',
      'assertions:',
      '  - kind: message-count',
      '    equals: 2',
      '',
    ]
      .filter(Boolean)
      .join('\n'),
    'grpc.yaml': [
      'name: gRPC',
      'kind: grpc',
      `url: '${grpcs}'`,
      options.trimEnd(),
      'messages:',
      '  - name: hello',
      '    text: \'{"text": "tls"}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      'assertions:',
      '  - kind: json',
      '    path: $.text',
      '    equals: "you said: tls"',
      '',
    ]
      .filter(Boolean)
      .join('\n'),
  }
  if (mqtts)
    files['mqtt.yaml'] = [
      'name: MQTT',
      'kind: mqtt',
      `url: '${mqtts}'`,
      options.trimEnd(),
      'mqtt:',
      '  subscriptions:',
      '    - topic: tls/#',
      '      qos: 1',
      '  publishes:',
      '    - name: one',
      '      topic: tls/a',
      '      payload: first',
      '      qos: 1',
      '      retain: false',
      one,
    ]
      .filter(Boolean)
      .join('\n')
  return files
}

beforeAll(async () => {
  const pki = await makeTestPki()
  server = createServer({ cert: pki.localhost.cert, key: pki.localhost.key }, (req, res) => {
    // socket.io answers its own path; an HTTP request and an SSE stream theirs; anything else is not here.
    if (res.headersSent) return
    if (req.url === '/plain') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    else if (req.url === '/events')
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: hi\n\n')
    else res.writeHead(404).end()
  })
  io = new SocketIoServer(server, { destroyUpgrade: false })
  io.on('connection', (socket) => socket.on('echo', (...args: unknown[]) => socket.emit('echo', ...args)))
  const echo = new WebSocketServer({ noServer: true })
  echo.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })))
  const graphql = new WebSocketServer({ noServer: true })
  useServer({ schema }, graphql)
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/echo') echo.handleUpgrade(req, socket, head, (ws) => echo.emit('connection', ws, req))
    else if (req.url === '/graphql')
      graphql.handleUpgrade(req, socket, head, (ws) => graphql.emit('connection', ws, req))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  if (MOSQUITTO) broker = await startMosquitto([], pki.localhost)
  grpcServer = await startGrpcServer({
    credentials: grpc.ServerCredentials.createSsl(null, [
      { cert_chain: Buffer.from(pki.localhost.cert), private_key: Buffer.from(pki.localhost.key) },
    ]),
  })
  const grpcs = `grpcs://localhost:${grpcServer.port}`
  const https = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  wssBase = https.replace('https:', 'wss:')
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fd-run-stream-tls-')))
  dir = join(root, 'collection')
  configDir = join(root, 'config')
  out = join(root, 'out')
  for (const d of [dir, configDir, out, join(root, 'trust'), join(dir, 'certs')])
    mkdirSync(d, { recursive: true })
  writeFileSync(join(root, 'trust', 'ca.pem'), pki.ca.cert)
  writeFileSync(join(dir, 'certs', 'ca.pem'), pki.ca.cert)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: TLS streams\n')
  const folders = {
    'files/own': steps(https, grpcs, broker?.tlsUrl ?? null, 'certs/ca.pem'),
    'files/outside': steps(https, grpcs, broker?.tlsUrl ?? null, '../trust/ca.pem'),
    none: steps(https, grpcs, broker?.tlsUrl ?? null, null),
  }
  // A CA file in the MQTT block's own options is the request's, confined the same way (it was read as written).
  folders['files/outside']['mqtt-block.yaml'] =
    "name: MQTT block\nkind: mqtt\nurl: 'mqtts://127.0.0.1:1'\nmqtt:\n  options:\n    caFile: ../trust/ca.pem\n  subscriptions: []\n  publishes: []\n"
  // A Socket.IO (and MQTT) request naming its CA file only in its block: trusted by a run and by the app alike.
  folders['files/own']['io-block.yaml'] = [
    'name: Socket.IO block',
    'kind: socketio',
    `url: '${https}'`,
    'socketio:',
    '  listen: [echo]',
    '  options:',
    '    caFile: certs/ca.pem',
    '  emits:',
    '    - name: hello',
    '      event: echo',
    '      args: \'{"hi":1}\'',
    '      ack: false',
    'stop:\n  count: 1\nassertions:\n  - kind: message-count\n    equals: 1\n',
  ].join('\n')
  const ownMqtt = folders['files/own']['mqtt.yaml']
  if (ownMqtt)
    folders['files/own']['mqtt-block.yaml'] = ownMqtt
      .replace('\nmqtt:\n', '\nmqtt:\n  options:\n    caFile: certs/ca.pem\n')
      .replace('\noptions:\n  caFile: certs/ca.pem\n', '\n')
  for (const [folder, files] of Object.entries(folders)) {
    mkdirSync(join(dir, folder), { recursive: true })
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, folder, name), text)
  }
}, 60_000)

afterAll(async () => {
  await io.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await broker?.close()
  await grpcServer.close()
  rmSync(root, { recursive: true, force: true })
})

async function run(args: string[]): Promise<{ code: number; json: JsonRunReport }> {
  const ignore = { out: () => undefined, err: () => undefined }
  const saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  let code: number
  try {
    code = await runRunCli([dir, ...args, '--reporter', 'json', '--out', out], ignore)
  } finally {
    if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
    else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  }
  return { code, json: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport }
}

const rows = (json: JsonRunReport) =>
  json.results
    .map((r) => [r.path, r.passed, r.error?.message ?? ''] as const)
    .sort((a, b) => a[0].localeCompare(b[0]))

const names = (folder: string) =>
  ['graphql', 'grpc', 'io', ...(MOSQUITTO ? ['mqtt'] : []), 'ws'].map((n) => `${folder}/${n}.yaml`)

describe("a run's stream steps over TLS", () => {
  it("trust the request's own caFile from the collection folder, and refuse one outside it in the HTTP words", async () => {
    // ~2.5 s: the file's first run loads the runner and each protocol's modules; the steps take under 0.8 s.
    const { json } = await run(['files'])
    const got = rows(json)
    const own = got.filter(([path]) => path.startsWith('files/own/'))
    const blocks = ['io-block', ...(MOSQUITTO ? ['mqtt-block'] : [])].map((n) => `files/own/${n}.yaml`)
    expect(own).toEqual([...names('files/own'), ...blocks].sort().map((path) => [path, true, '']))
    const outside = got.filter(([path]) => path.startsWith('files/outside/'))
    expect(outside.map(([path]) => path)).toEqual(
      [...names('files/outside'), 'files/outside/mqtt-block.yaml'].sort(),
    )
    for (const [, passed, message] of outside) {
      expect(passed).toBe(false)
      expect(message).toContain(`is outside the collection folder ${dir}`)
    }
  }, 60_000)

  it("trust the run's --cacert, and fail on the certificate without it", async () => {
    const trusted = await run(['none', '--cacert', join(root, 'trust', 'ca.pem')])
    expect(rows(trusted.json)).toEqual(names('none').map((path) => [path, true, '']))
    expect(trusted.code).toBe(0)
    const untrusted = await run(['none'])
    expect(untrusted.code).toBe(1)
    expect(rows(untrusted.json).every(([, passed]) => !passed)).toBe(true)
    // Socket.IO says it in the same words as the others (it said "Could not connect …: xhr poll error").
    const io = rows(untrusted.json).find(([path]) => path === 'none/io.yaml')
    expect(io?.[2]).toMatch(/^The TLS certificate of 127\.0\.0\.1:\d+ is not signed by a trusted authority$/)
  }, 60_000)
})

describe("the app's GraphQL subscription over wss://", () => {
  it("follows the request's Insecure and its caFile (confined), as a WebSocket session does", async () => {
    const service = makeService({ configDir, persistWorkspace: false, watchCollections: false })
    const subscribe = async (options: { insecure?: boolean; caFile?: string }, saved = false) => {
      const sent = await service.invoke('graphql.send', {
        url: `${wssBase}/graphql`,
        query: 'subscription { ticks(to: 2) }',
        transport: 'ws',
        headers: [],
        options,
        ...(saved ? { context: { dir, path: 'files/own/graphql.yaml' } } : {}),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      return (await service.waitForStream(sent.value.sid)).final
    }
    try {
      // toMatchObject takes a RegExp value as an object with no keys (it matches any message): the words are
      // checked with toMatch.
      const untrusted = await subscribe({})
      expect(untrusted).toMatchObject({ type: 'error' })
      expect(untrusted.type === 'error' ? untrusted.message : '').toMatch(/not signed by a trusted authority/)
      expect(await subscribe({ insecure: true })).toMatchObject({ type: 'done' })
      expect(await subscribe({ caFile: join(root, 'trust', 'ca.pem') })).toMatchObject({ type: 'done' })
      // A saved request's CA file is its collection's: found there, and refused outside it.
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      expect(await subscribe({ caFile: 'certs/ca.pem' }, true)).toMatchObject({ type: 'done' })
      await expect(subscribe({ caFile: '../trust/ca.pem' }, true)).rejects.toThrow(
        `is outside the collection folder ${dir}`,
      )
    } finally {
      await service.dispose()
    }
  })
})

describe("the app's sessions opened from a saved request over TLS", () => {
  it("trust the request's caFile from its collection: HTTP, SSE, gRPC, WebSocket, Socket.IO, GraphQL and MQTT", async () => {
    // Seven sessions of one engine at the servers above (1.5-3 s here): one case, not seven engines.
    // Each names caFile: certs/ca.pem; before, the app sent only the Insecure switch (HTTP and SSE not even
    // that file) and each failed on the certificate ("not signed by a trusted authority").
    const engine = startEngine()
    const rec = record(engine.service)
    try {
      const https = wssBase.replace('wss:', 'https:')
      const own = (kind: string, path: string): string =>
        `name: ${kind}\nkind: ${kind}\nmethod: GET\nurl: '${https}${path}'\noptions:\n  caFile: certs/ca.pem\n`
      mkdirSync(join(dir, 'app'), { recursive: true })
      writeFileSync(join(dir, 'app', 'http.yaml'), own('http', '/plain'))
      writeFileSync(join(dir, 'app', 'sse.yaml'), own('sse', '/events'))
      const store = engine.store()
      await openCollection(store, dir)
      const requests = [
        ['app/http.yaml', 'done'],
        ['app/sse.yaml', 'sse-event'],
        ['files/own/grpc.yaml', 'done'],
        // io-block and mqtt-block name their CA file in their block's options only (not read before).
        ...['ws', 'io', 'io-block', 'graphql', ...(MOSQUITTO ? ['mqtt', 'mqtt-block'] : [])].map((n) => [
          `files/own/${n}.yaml`,
          'stream-open',
        ]),
      ] as const
      for (const [path, opened] of requests) {
        await store.getState().openRequest(dir, path)
        await store.getState().send()
        expect([path, store.getState().sendError?.message ?? null]).toEqual([path, null])
        const sid = store.getState().selectedSid ?? ''
        const [first] = await rec.until(sid, (e) => e.type === opened || e.type === 'error')
        expect([path, first?.type, first?.type === 'error' ? first.message : '']).toEqual([path, opened, ''])
      }
    } finally {
      rec.stop()
      await stopEngines()
      rmSync(join(dir, 'app'), { recursive: true, force: true })
    }
  })
})
