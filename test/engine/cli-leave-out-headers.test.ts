import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'

/**
 * curl's `-H 'Name:'` for the headers Flightdeck writes itself beyond its User-Agent and Accept: a `-d` body's
 * Content-Type (curl sends the body with none; Flightdeck refused it) and an SSE request's `Cache-Control:
 * no-cache` (sent whatever -H said). What cannot be left out is refused in words: a form's Content-Type (its
 * boundary) and a WebSocket handshake's own headers. A raw TCP stub on 127.0.0.1:0 keeps the bytes of each request.
 */

let server: Server
let base = ''
/** Each request's bytes as they arrived (head and body). */
const requests: string[] = []
const sockets = new Set<Socket>()
let root = ''

/** Answers once the head and its Content-Length of body are in: an event stream to an SSE Accept, else `ok`. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-leave-out-'))
  server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    let raw = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk])
      const end = raw.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = raw.subarray(0, end).toString('latin1')
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
      if (raw.length < end + 4 + length) return
      requests.push(raw.subarray(0, end + 4 + length).toString('latin1'))
      raw = Buffer.alloc(0)
      const stream = /\r\naccept: *text\/event-stream/i.test(head)
      socket.end(
        stream
          ? 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: hi\n\n'
          : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok',
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

async function flightdeck(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

/** The bytes of the one request a command that must exit 0 sent. */
async function sent(...argv: string[]): Promise<string> {
  const before = requests.length
  const r = await flightdeck(...argv)
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  expect(requests.length).toBe(before + 1)
  return requests[before] ?? ''
}

const headerLines = (request: string): string[] =>
  request
    .slice(0, request.indexOf('\r\n\r\n'))
    .split('\r\n')
    .slice(1)
    .map((l) => l.toLowerCase())

describe("-H 'Content-Type:' with -d sends the body with no Content-Type, as curl does", () => {
  it('send -d: the bytes go, no Content-Type line', async () => {
    const request = await sent('send', `${base}/`, '-d', 'a=1&b=2', '-H', 'Content-Type:')
    expect(request.startsWith('POST / HTTP/1.1\r\n')).toBe(true)
    expect(request.endsWith('\r\n\r\na=1&b=2')).toBe(true)
    expect(headerLines(request).filter((l) => l.startsWith('content-type'))).toEqual([])
    expect(headerLines(request)).toContain('content-length: 7')
    // Without it, curl's default for -d, as before.
    const typed = await sent('send', `${base}/`, '-d', 'a=1')
    expect(headerLines(typed)).toContain('content-type: application/x-www-form-urlencoded')
  })

  it('send -d @file: no type guessed from the name either', async () => {
    const file = join(root, 'body.json')
    writeFileSync(file, '{"x":1}')
    const request = await sent('send', `${base}/`, '-d', `@${file}`, '-H', 'content-type:')
    expect(request.endsWith('\r\n\r\n{"x":1}')).toBe(true)
    expect(headerLines(request).filter((l) => l.startsWith('content-type'))).toEqual([])
  })

  it('sse -d: the body goes with no Content-Type', async () => {
    const request = await sent('sse', `${base}/`, '-d', '{"q":1}', '-H', 'Content-Type:', '--max', '1')
    expect(request.endsWith('\r\n\r\n{"q":1}')).toBe(true)
    expect(headerLines(request).filter((l) => l.startsWith('content-type'))).toEqual([])
  })

  it("-F with -H 'Content-Type:' is refused: the type names the form's boundary; nothing is sent", async () => {
    const before = requests.length
    const r = await flightdeck('send', `${base}/`, '-F', 'a=1', '-H', 'Content-Type:')
    expect(r.code).toBe(2)
    expect(r.err).toBe(
      "flightdeck: -H 'Content-Type:' cannot leave a form's Content-Type out: it names the boundary between its parts\n",
    )
    expect(requests.length).toBe(before)
  })
})

describe("sse: -H 'Cache-Control:' leaves its no-cache out", () => {
  it('sent by default, left out when asked, replaced when given', async () => {
    expect(headerLines(await sent('sse', `${base}/`, '--max', '1'))).toContain('cache-control: no-cache')
    const left = headerLines(await sent('sse', `${base}/`, '-H', 'Cache-Control:', '--max', '1'))
    expect(left.filter((l) => l.startsWith('cache-control'))).toEqual([])
    const given = headerLines(await sent('sse', `${base}/`, '-H', 'Cache-Control: max-age=0', '--max', '1'))
    expect(given.filter((l) => l.startsWith('cache-control'))).toEqual(['cache-control: max-age=0'])
  })
})

describe('ws: the handshake always sends its own headers', () => {
  it("-H 'Upgrade:' and -H 'Sec-WebSocket-Key:' are refused in words; nothing is sent", async () => {
    const before = requests.length
    for (const name of ['Upgrade', 'Sec-WebSocket-Key']) {
      const r = await flightdeck('ws', base.replace('http', 'ws'), '-H', `${name}:`)
      expect(r.code).toBe(2)
      expect(r.err).toBe(
        `flightdeck: -H '${name}:' cannot leave ${name} out: the WebSocket handshake always sends its own\n`,
      )
    }
    expect(requests.length).toBe(before)
  })
})

describe('sse --help and ws --help say what -H leaves out', () => {
  it("names 'k:' (none sent), 'k;' (sent empty) and the headers always sent", async () => {
    const help = (await flightdeck('sse', '--help')).out
    expect(help).toContain("'k:' sends none")
    expect(help).toContain("'k;' sends it empty")
    expect(help).toContain('Cache-Control: no-cache')
    expect(help).toContain('Sec-WebSocket-Key')
    expect((await flightdeck('ws', '--help')).out).toBe(help)
  })
})
