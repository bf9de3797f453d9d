import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A saved GraphQL, SSE or gRPC request opened in the app and sent carries the file's options the composer has no
 * control for, as `flightdeck run` sends them: a GraphQL query's or stream's `omitDefaultHeaders` and
 * `idleTimeoutMs`, an SSE stream's, a gRPC call's message limit. Real engine, real servers on 127.0.0.1:0.
 */

let http: Server
let base: string
let grpc: GrpcTestServer
/** Accepts TCP and never answers: a gRPC channel to it never comes up. */
let silent: TcpServer
let engine: TestEngine
let dir: string
const sockets = new Set<Socket>()
const arrived: { url: string; headers: IncomingHttpHeaders }[] = []

/** Answers a GraphQL query with JSON; a GraphQL subscription over SSE and /feed get one event, then silence. */
function startServer(): Promise<void> {
  http = createServer((req, res) => {
    arrived.push({ url: req.url ?? '', headers: req.headers })
    req.resume()
    const stream = req.url === '/feed' || /text\/event-stream/.test(req.headers.accept ?? '')
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"data":{"hello":"hi"}}')
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write(req.url === '/feed' ? 'data: one\n\n' : 'event: next\ndata: {"data":{"count":1}}\n\n')
  })
  http.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return new Promise((r) =>
    http.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
      r()
    }),
  )
}

beforeAll(async () => {
  await startServer()
  grpc = await startGrpcServer()
  silent = createTcpServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-session-saved-options-'))
  const write = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  write('collection.yaml', ['flightdeck: 1', 'name: Saved options'])
  const quiet = ['options:', '  omitDefaultHeaders: [user-agent]', '  idleTimeoutMs: 400']
  write('query.yaml', [
    'name: Query',
    'kind: graphql',
    'method: POST',
    `url: '${base}/graphql?via=http'`,
    ...quiet,
    'graphql:',
    "  query: '{ hello }'",
    '  transport: http',
  ])
  write('ticks.yaml', [
    'name: Ticks',
    'kind: graphql',
    'method: POST',
    `url: '${base}/graphql?via=sse'`,
    ...quiet,
    'graphql:',
    "  query: 'subscription { count }'",
    '  transport: sse',
  ])
  write('feed.yaml', ['name: Feed', 'kind: sse', 'method: GET', `url: '${base}/feed'`, ...quiet])
  write('big.yaml', [
    'name: Big',
    'kind: grpc',
    'method: POST',
    `url: 'grpc://127.0.0.1:${grpc.port}'`,
    'messages:',
    '  - name: message',
    `    text: '{"size": 4096}'`,
    'grpc:',
    '  method: flightdeck.test.Echo/Big',
    '  maxMessageBytes: 1024',
  ])
  write('silent.yaml', [
    'name: Silent',
    'kind: grpc',
    'method: POST',
    `url: 'grpc://127.0.0.1:${(silent.address() as AddressInfo).port}'`,
    'options:',
    '  connectTimeoutMs: 300',
    'messages:',
    '  - name: message',
    "    text: '{}'",
    'grpc:',
    '  method: flightdeck.test.Echo/Big',
  ])
})

afterAll(async () => {
  await stopEngines()
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => http.close(() => r()))
  await grpc.close()
  await new Promise<void>((r) => silent.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
})

/** Opens the saved request in a fresh window's store and sends it; the selected row's id. */
async function sendSaved(file: string): Promise<{ store: AppStore; sid: string }> {
  const store = engine.store()
  await openCollection(store, dir)
  await store.getState().openRequest(dir, file)
  await store.getState().send()
  expect(store.getState().sendError).toBeNull()
  return { store, sid: store.getState().selectedSid ?? '' }
}

async function arrivedAt(url: string): Promise<IncomingHttpHeaders> {
  await until(() => arrived.some((a) => a.url === url))
  return arrived.find((a) => a.url === url)?.headers ?? {}
}

/** The row's end, once it ended within `ms`: a stream with the file's 400 ms idle timeout ends well within it. */
async function endOf(store: AppStore, sid: string, ms = 4000): Promise<string> {
  await until(() => store.getState().timeline.rows[sid]?.terminal != null, ms)
  const end = store.getState().timeline.rows[sid]?.terminal
  return end?.type === 'error' ? `error: ${end.message}` : String(end?.type)
}

describe("a saved request's options, sent from the app", () => {
  it('GraphQL over HTTP leaves out the default headers the file says', async () => {
    const { store, sid } = await sendSaved('query.yaml')
    const headers = await arrivedAt('/graphql?via=http')
    expect(headers['user-agent']).toBeUndefined()
    expect(headers['accept']).toMatch(/json/)
    expect(await endOf(store, sid)).toBe('done')
  })

  it("a GraphQL subscription over SSE: no User-Agent, and the file's idle timeout ends the quiet stream", async () => {
    const { store, sid } = await sendSaved('ticks.yaml')
    expect((await arrivedAt('/graphql?via=sse'))['user-agent']).toBeUndefined()
    expect(await endOf(store, sid)).toMatch(/^error: .*idle timeout/)
  })

  it("an SSE stream: no User-Agent, and the file's idle timeout ends the quiet connection", async () => {
    const { store, sid } = await sendSaved('feed.yaml')
    const headers = await arrivedAt('/feed')
    expect(headers['user-agent']).toBeUndefined()
    expect(headers['accept']).toBe('text/event-stream')
    // A GET stream reconnects: the quiet connection is given up after 400 ms, and the stream asks again.
    await until(() => arrived.filter((a) => a.url === '/feed').length >= 2, 4000)
    await store.getState().cancel(sid)
  })

  it("a gRPC call refuses an answer past the file's message limit", async () => {
    const { store, sid } = await sendSaved('big.yaml')
    expect(await endOf(store, sid)).toMatch(/^error: .*1,?024/)
  })

  it("a gRPC call to a server that never comes up stops at the file's connect timeout, in words (not reflection's 15 s)", async () => {
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'silent.yaml')
    await store.getState().send()
    // Its schema comes by reflection, asked once the channel is up: the channel never comes up.
    expect(store.getState().sendError).toEqual({
      code: 'timeout_connect',
      message: expect.stringMatching(
        /^UNAVAILABLE \(14\): No HTTP\/2 connection to 127\.0\.0\.1:\d+ within 300 ms: /,
      ),
    })
  })
})
