import { mkdtempSync, rmSync } from 'node:fs'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server as IoServer } from 'socket.io'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * `-A, --user-agent` (curl's) on the one-off `send`, `ws` and `socketio`: a name is sent as the User-Agent, and
 * `-A ''` sends none at all, not even Flightdeck's own (the saved request's `omitDefaultHeaders: [user-agent]`).
 * `ws` and `socketio` had no way to leave it out. Real servers on 127.0.0.1:0 record the handshakes' headers: a
 * plain HTTP server, a `ws` server, and a Socket.IO server (each Engine.IO poll and the upgrade).
 */

let root: string
let http: HttpServer
let base = ''
const sendHeaders: IncomingHttpHeaders[] = []
let ws: WsFixture
let ioHttp: HttpServer
let ioUrl = ''
const ioRequests: IncomingHttpHeaders[] = []
const ioSockets = new Set<Socket>()

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-user-agent-'))
  http = createServer((req, res) => {
    sendHeaders.push(req.headers)
    res.end('ok')
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  ws = await startWsServer()
  ioHttp = createServer()
  ioHttp.on('connection', (c: Socket) => {
    ioSockets.add(c)
    c.once('close', () => ioSockets.delete(c))
  })
  ioHttp.prependListener('upgrade', (req: IncomingMessage) => ioRequests.push(req.headers))
  const io = new IoServer(ioHttp)
  io.engine.on('headers', (_headers: unknown, req: IncomingMessage) => ioRequests.push(req.headers))
  io.on('connection', (socket) => socket.emit('welcome', 'hi'))
  await new Promise<void>((r) => ioHttp.listen(0, '127.0.0.1', r))
  ioUrl = `http://127.0.0.1:${(ioHttp.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()))
  await ws.close()
  for (const s of ioSockets) s.destroy()
  await new Promise<void>((r) => ioHttp.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

const cli = async (args: string[]): Promise<CliProcessRun> => {
  const r = await runFlightdeckProcess(args, { root, timeoutMs: 30_000 })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r
}

describe('-A, --user-agent on the one-off commands', () => {
  it("ws: -A '' sends no User-Agent at the upgrade, -A NAME sends NAME", async () => {
    const at = ws.upgrades.length
    await cli(['ws', `${ws.url}/echo`, '-A', '', '-s', 'hi', '--max', '1'])
    await cli(['ws', `${ws.url}/echo`, '--user-agent', 'probe/1.0', '-s', 'hi', '--max', '1'])
    const [none, named] = ws.upgrades.slice(at)
    expect(none?.headers).not.toHaveProperty('user-agent')
    expect(named?.headers['user-agent']).toBe('probe/1.0')
  })

  it("socketio: -A '' sends no User-Agent on any poll or the upgrade", async () => {
    const at = ioRequests.length
    const r = await cli(['socketio', ioUrl, '-A', '', '--max', '1'])
    expect(r.stdout).toContain('welcome')
    const seen = ioRequests.slice(at)
    expect(seen.length).toBeGreaterThan(1)
    expect(seen.filter((h) => 'user-agent' in h)).toEqual([])
    // Without it, Flightdeck's own is sent, as before.
    const before = ioRequests.length
    await cli(['socketio', ioUrl, '--max', '1'])
    expect(ioRequests.slice(before).every((h) => h['user-agent']?.startsWith('Flightdeck/'))).toBe(true)
  })

  it("send: -A '' sends no User-Agent, -A NAME sends NAME", async () => {
    const at = sendHeaders.length
    await cli(['send', `${base}/`, '-A', ''])
    await cli(['send', `${base}/`, '-A', 'probe/2'])
    const [none, named] = sendHeaders.slice(at)
    expect(none).not.toHaveProperty('user-agent')
    expect(named?.['user-agent']).toBe('probe/2')
  })

  it('-A with -H User-Agent is refused: which one goes would be a guess', async () => {
    const r = await runFlightdeckProcess(['ws', `${ws.url}/echo`, '-A', 'a', '-H', 'User-Agent: b'], {
      root,
      timeoutMs: 30_000,
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("flightdeck: -A and -H 'User-Agent: …' both set the User-Agent; give one\n")
  })
})
