import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument, DomUtils } from 'htmlparser2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'

/**
 * `flightdeck run` with stream steps whose handshake fails: an SSE step against a 500 and a 404 (whose body
 * would match the step's `stop: match`), a WebSocket refused with 401 under `stop: count`, a WebSocket step given an http:// URL. Each is a failed
 * step with its status, in the table, run.json, junit.xml and the exit code; a healthy stream beside them
 * passes. A real server on 127.0.0.1, the CLI's run command in this process.
 */

let server: Server
let base: string
let dir: string
let configDir: string
let out: string
const sockets = new Set<Socket>()

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/sse500') {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('boom')
    } else if (req.url === '/sse404') {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    } else if (req.url === '/ok') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end('data: 1\n\ndata: 2\n\n')
    } else {
      res.writeHead(404).end()
    }
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  // The upgrade refused with 401 and a body, as an API gateway answers a missing token.
  server.on('upgrade', (_req, socket: Socket) => {
    socket.end(
      'HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 12\r\nconnection: close\r\n\r\nunauthorized',
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  base = `127.0.0.1:${port}`
  dir = mkdtempSync(join(tmpdir(), 'fd-run-streams-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-streams-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-run-streams-out-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file(
    'collection.yaml',
    `flightdeck: 1\nname: Streams\nvariables:\n  base: http://${base}\n  ws: ws://${base}\n`,
  )
  file('s/1-error.yaml', 'name: Error\nkind: sse\nurl: "{{base}}/sse500"\nstop:\n  count: 1\n')
  file('s/2-missing.yaml', 'name: Missing\nkind: sse\nurl: "{{base}}/sse404"\nstop:\n  match: "not found"\n')
  file('s/3-refused.yaml', 'name: Refused\nkind: ws\nurl: "{{ws}}/socket"\nstop:\n  count: 1\n')
  file('s/4-ok.yaml', 'name: Ok\nkind: sse\nurl: "{{base}}/ok"\nstop:\n  count: 2\n')
  // A WebSocket step given an http:// URL: refused in the app's words before any connection.
  file('s/5-scheme.yaml', 'name: Scheme\nkind: ws\nurl: "{{base}}/socket"\nstop:\n  count: 1\n')
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('a stream step whose handshake fails', () => {
  it('fails, whatever its stop condition: table, run.json with the status, junit and exit 1', async () => {
    let stdout = ''
    let stderr = ''
    const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 's', '--reporter', 'cli,json,junit', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(stderr).not.toMatch(/flightdeck: (?!.*failed)/)
    expect(code).toBe(1)
    expect(stdout).toContain('1 passed, 4 failed')
    expect(stdout).toMatch(/✗ s\/1-error\.yaml\s+0\s+1/)
    expect(stdout).toMatch(/✗ s\/2-missing\.yaml\s+0\s+1/)
    expect(stdout).toMatch(/✗ s\/3-refused\.yaml\s+0\s+1/)
    expect(stdout).toMatch(/✓ s\/4-ok\.yaml\s+1\s+0/)

    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const rows = json.results
      .map((r) => [r.path, r.passed, r.status, r.error?.code, r.error?.message.slice(0, 40)])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      ['s/1-error.yaml', false, 500, 'protocol', 'The server answered 500 Internal Server '],
      ['s/2-missing.yaml', false, 404, 'protocol', 'The server answered 404 Not Found instea'],
      ['s/3-refused.yaml', false, 401, 'protocol', 'The server answered 401 Unauthorized ins'],
      ['s/4-ok.yaml', true, 200, undefined, undefined],
      ['s/5-scheme.yaml', false, undefined, 'invalid_url', 'WebSocket takes ws:// or wss:// URLs, no'],
    ])

    const doc = parseDocument(readFileSync(join(out, 'junit.xml'), 'utf8'), { xmlMode: true })
    const root = DomUtils.findOne((e) => e.name === 'testsuites', doc.children)
    expect(Number(root?.attribs['failures'] ?? 0) + Number(root?.attribs['errors'] ?? 0)).toBe(4)
  })
})
