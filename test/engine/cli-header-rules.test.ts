import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { runCli } from '../../src/cli/index'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * curl's header rules on the one-off commands: `-H 'Name:'` leaves the header out (Flightdeck's own User-Agent and
 * Accept too, as curl's), `-H 'Name;'` sends it empty; and `-A` on graphql (over http, SSE and the WebSocket
 * upgrade) and grpc (grpc-js sends `<name> grpc-node-js/<version>`). Before, `-H 'User-Agent:'` sent an empty
 * User-Agent, `Name;` was a bad header, graphql and grpc had no -A, and a grpc `user-agent` metadata entry was
 * replaced by grpc-js's own unsaid. Real servers on 127.0.0.1:0 record the headers that arrive.
 */

let http: Server
let base = ''
const heads: IncomingHttpHeaders[] = []
const sockets = new Set<Socket>()
let ws: WsFixture
let grpc: GrpcTestServer

/** A GraphQL stub: a POST answers JSON, or SSE's next and complete when it accepts event streams; graphql-transport-ws on upgrade. */
beforeAll(async () => {
  http = createServer((req, res) => {
    heads.push(req.headers)
    req.resume()
    req.on('end', () => {
      if ((req.headers.accept ?? '').includes('text/event-stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.end('event: next\ndata: {"data":{"ok":true}}\n\nevent: complete\ndata:\n\n')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}')
    })
  })
  http.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
  })
  http.on('upgrade', (req, socket, head) => {
    heads.push(req.headers)
    wss.handleUpgrade(req, socket, head, (c) => {
      c.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { type: string; id?: string }
        if (m.type === 'connection_init') c.send(JSON.stringify({ type: 'connection_ack' }))
        if (m.type === 'subscribe') {
          c.send(JSON.stringify({ id: m.id, type: 'next', payload: { data: { ok: true } } }))
          c.send(JSON.stringify({ id: m.id, type: 'complete' }))
        }
      })
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  ws = await startWsServer()
  grpc = await startGrpcServer()
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => http.close(() => r()))
  await ws.close()
  await grpc.close()
})

async function flightdeck(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

/** The request headers the stub got from one command that must exit 0. */
async function arrived(...argv: string[]): Promise<IncomingHttpHeaders> {
  const before = heads.length
  const r = await flightdeck(...argv)
  expect(r.err).not.toMatch(/^flightdeck: (?!completed)/m)
  expect(r.code).toBe(0)
  expect(heads.length).toBe(before + 1)
  return heads[before] as IncomingHttpHeaders
}

describe("-H 'Name:' leaves a header out, -H 'Name;' sends it empty (curl's rules)", () => {
  it('send: no User-Agent, no Accept, no X-Gone; X-Empty goes empty', async () => {
    const got = await arrived(
      'send',
      `${base}/`,
      '-H',
      'User-Agent:',
      '-H',
      'Accept:',
      '-H',
      'X-Gone:',
      '-H',
      'X-Empty;',
    )
    expect(got).not.toHaveProperty('user-agent')
    expect(got).not.toHaveProperty('accept')
    expect(got).not.toHaveProperty('x-gone')
    expect(got['x-empty']).toBe('')
  })

  it('ws: -H User-Agent: leaves the upgrade without one', async () => {
    const at = ws.upgrades.length
    const r = await flightdeck('ws', `${ws.url}/echo`, '-H', 'User-Agent:', '-s', 'hi', '--max', '1')
    expect(r.code).toBe(0)
    expect(ws.upgrades[at]?.headers).not.toHaveProperty('user-agent')
  })

  it('a header the request needs cannot be left out: said, exit 2, nothing sent', async () => {
    const before = heads.length
    const r = await flightdeck('send', `${base}/`, '-H', 'Host:')
    expect(r.code).toBe(2)
    expect(r.err).toBe(
      "flightdeck: -H 'Host:' cannot leave Host out: Flightdeck sends it when the request needs it\n",
    )
    expect(heads.length).toBe(before)
  })
})

describe('graphql -A, --user-agent', () => {
  const q = ['-q', '{ ok }']
  it('over http: -A NAME sends NAME, -A "" and -H "User-Agent:" send none', async () => {
    expect((await arrived('graphql', `${base}/graphql`, ...q, '-A', 'probe/3'))['user-agent']).toBe('probe/3')
    expect(await arrived('graphql', `${base}/graphql`, ...q, '-A', '')).not.toHaveProperty('user-agent')
    expect(await arrived('graphql', `${base}/graphql`, ...q, '-H', 'User-Agent:')).not.toHaveProperty(
      'user-agent',
    )
  })

  it('a subscription over SSE and over the WebSocket upgrade carries it too', async () => {
    const sub = ['-q', 'subscription { ok }']
    expect(
      (await arrived('graphql', `${base}/graphql`, ...sub, '-t', 'sse', '-A', 'probe/sse'))['user-agent'],
    ).toBe('probe/sse')
    expect(
      (await arrived('graphql', `${base}/graphql`, ...sub, '-t', 'transport-ws', '-A', 'probe/ws'))[
        'user-agent'
      ],
    ).toBe('probe/ws')
    expect(
      await arrived('graphql', `${base}/graphql`, ...sub, '-t', 'transport-ws', '-A', ''),
    ).not.toHaveProperty('user-agent')
  })
})

describe('grpc -A, --user-agent', () => {
  const call = (...extra: string[]): Promise<{ code: number; out: string; err: string }> =>
    flightdeck(
      'grpc',
      grpc.target,
      'flightdeck.test.Echo/Say',
      '--plaintext',
      '-d',
      '{"text":"hi"}',
      ...extra,
    )
  const agentOfLastCall = (): string | undefined =>
    grpc.calls.findLast((c) => c.path.endsWith('/Say'))?.metadata['user-agent']

  it("grpc-js sends '<name> grpc-node-js/<version>': -A, or a user-agent metadata entry, names it", async () => {
    expect((await call()).code).toBe(0)
    expect(agentOfLastCall()).toMatch(/^flightdeck\/\S+ grpc-node-js\/\d/)
    expect((await call('-A', 'probe/4')).code).toBe(0)
    expect(agentOfLastCall()).toMatch(/^probe\/4 grpc-node-js\/\d/)
    expect((await call('-H', 'user-agent: probe/5')).code).toBe(0)
    expect(agentOfLastCall()).toMatch(/^probe\/5 grpc-node-js\/\d/)
  })

  it("-A '' and -H 'name:' are refused in words: grpc-js always sends its own", async () => {
    const none = await call('-A', '')
    expect(none.code).toBe(2)
    expect(none.err).toBe(
      "flightdeck: -A '': grpc-js always sends a user-agent (its own grpc-node-js/<version>); give a name\n",
    )
    const out = await call('-H', 'user-agent:')
    expect(out.code).toBe(2)
    expect(out.err).toContain("for an empty value write 'user-agent;'")
  })
})
