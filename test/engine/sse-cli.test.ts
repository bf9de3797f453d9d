import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseStreamArgs } from '../../src/cli/stream-args'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** The real `flightdeck` command in its own process, against real servers. */
function flightdeck(...args: string[]): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }))
  })
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

/**
 * The real command as in `flightdeck … | head`: once the first line is read (or at once, with `lines` 0), the
 * reader goes away (stdout's pipe closes) while the command still has more to write.
 */
function flightdeckIntoHead(...args: string[]): Promise<Run & { firstLine: string }> {
  return intoHead(1, args)
}

function intoHead(lines: 0 | 1, args: string[]): Promise<Run & { firstLine: string }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    if (lines === 0) child.stdout.destroy()
    let stdout = ''
    let stderr = ''
    let firstLine = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      const nl = stdout.indexOf('\n')
      if (nl !== -1 && firstLine === '') {
        firstLine = stdout.slice(0, nl)
        child.stdout.destroy()
      }
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started, firstLine }))
  })
}

let sse: SseFixture
let ws: WsFixture
let http: Fixture
/** A 4.8 MB event: ASCII and 2-, 3- and 4-byte characters, so that any cut of its bytes may split one. */
const BIG_DATA = 'aé€😀'.repeat(524_288).slice(0, 2_500_000)
beforeAll(async () => {
  sse = await startSseServer()
  ws = await startWsServer()
  http = await startHttpServer()
  // Events without an id, then one with: each event carries the last event id as of its own dispatch.
  sse.route('/ids-in-one-chunk', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: first\n\nevent: named\ndata: second\n\nid: 5\ndata: third\n\ndata: fourth\n\n')
  })
  sse.route('/big-event', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`data: ${BIG_DATA}\n\ndata: after\n\n`)
  })
})
afterAll(async () => {
  await sse.close()
  await ws.close()
  await http.close()
})

describe('flightdeck sse', () => {
  it('prints events as they arrive and exits 0 when the stream ends', async () => {
    const run = await flightdeck('sse', `${sse.url}/events?n=3&close=1`, '--no-reconnect')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toBe(`* GET ${sse.url}/events?n=3&close=1`)
    expect(lines.filter((l) => l.includes(' ← '))).toEqual([
      expect.stringMatching(/^ +\d+\.\d{3}s ← message id=1 \(7 B\) \{"i":1\}$/),
      expect.stringMatching(/ ← message id=2 \(7 B\) \{"i":2\}$/),
      expect.stringMatching(/ ← message id=3 \(7 B\) \{"i":3\}$/),
    ])
    expect(lines.at(-1)).toMatch(/\* done$/)
  })

  it('--json prints one object per line with the full data; --max stops after N', async () => {
    const run = await flightdeck(
      'sse',
      `${sse.url}/events?n=100&every=5`,
      '--json',
      '--max',
      '4',
      '-X',
      'POST',
      '-d',
      '{"q":1}',
    )
    expect(run.code).toBe(0)
    const objs = jsonLines(run.stdout)
    const messages = objs.filter((o) => o['type'] === 'message')
    expect(messages.map((m) => m['data'])).toEqual(['{"i":1}', '{"i":2}', '{"i":3}', '{"i":4}'])
    expect(messages[0]).toMatchObject({
      seq: 0,
      dir: 'in',
      kind: 'event',
      event: 'message',
      id: '1',
      size: 7,
    })
    expect(objs.at(-1)).toMatchObject({ type: 'done', status: 200 })
    expect(objs.some((o) => o['type'] === 'stream-closed' && o['by'] === 'client')).toBe(true)
    const req = sse.requests.find((r) => r.path === '/events?n=100&every=5')
    expect(req?.method).toBe('POST')
    expect(req?.headers['content-type']).toBe('application/json')
  })

  it("--json gives each event its own type and the last event id as of its own dispatch, not its chunk-mates'", async () => {
    const run = await flightdeck('sse', `${sse.url}/ids-in-one-chunk`, '--json', '--no-reconnect')
    expect(run.stderr).toBe('')
    const messages = jsonLines(run.stdout).filter((o) => o['type'] === 'message')
    expect(messages.map((m) => [m['data'], m['event'], m['id'] ?? null])).toEqual([
      ['first', 'message', null],
      ['second', 'named', null],
      ['third', 'message', '5'],
      ['fourth', 'message', '5'],
    ])
  })

  it('--json prints a 4.8 MB event whole; the line for people says how much of it it shows', async () => {
    const json = await flightdeck('sse', `${sse.url}/big-event`, '--json', '--no-reconnect')
    expect(json.stderr).toBe('')
    const messages = jsonLines(json.stdout).filter((o) => o['type'] === 'message')
    expect(messages.map((m) => m['data'] === BIG_DATA)).toEqual([true, false])
    expect(messages[0]).toMatchObject({ size: Buffer.byteLength(BIG_DATA), encoding: 'utf8' })
    expect(messages[0]?.['truncated']).toBeUndefined()
    expect(messages[1]).toMatchObject({ data: 'after', size: 5 })
    const human = await flightdeck('sse', `${sse.url}/big-event`, '--no-reconnect')
    const line = human.stdout.split('\n').find((l) => l.includes(' ← message'))
    expect(line).toMatch(/ ← message \(4\.8 MB\) aé€😀/)
    expect(line).toMatch(/… \(first 1\.0 MB of 4\.8 MB shown; --json prints it all\)$/)
  }, 60_000)

  it('ends quietly when the reader of its output goes away (| head)', async () => {
    const run = await flightdeckIntoHead('sse', `${sse.url}/events?n=100000&every=1`, '--json')
    expect(JSON.parse(run.firstLine)).toMatchObject({ type: 'response-headers', status: 200 })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })

  it('--duration closes an open stream after that long', async () => {
    // 1,000 events 50 ms apart would take 50 s; the second counts from the open, before the connection is up,
    // so a loaded machine sees fewer of the 20 that fit in it, never more.
    const run = await flightdeck('sse', `${sse.url}/events?n=1000&every=50`, '--duration', '1', '--json')
    expect(run.code).toBe(0)
    expect(run.ms).toBeGreaterThanOrEqual(1000)
    const n = jsonLines(run.stdout).filter((o) => o['type'] === 'message').length
    expect(n).toBeGreaterThanOrEqual(1)
    expect(n).toBeLessThanOrEqual(21)
  })

  it('exits 1 with one line on a failure, 2 on bad arguments', async () => {
    const bad = await flightdeck('sse', `${sse.url}/drop?after=1`, '--no-reconnect')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^flightdeck: reset: Connection reset by 127\.0\.0\.1:\d+/)
    const args = await flightdeck('sse', 'ftp://x', '--max', '0')
    expect(args.code).toBe(2)
    expect(args.stderr).toBe("flightdeck: --max must be a whole number from 1 to 9007199254740991, got '0'\n")
  })
})

describe('flightdeck ws', () => {
  it('sends, prints both directions in order and closes after --max', async () => {
    const run = await flightdeck('ws', `${ws.url}/echo`, '-s', 'one', '-s', 'two', '--max', '2')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const msgs = run.stdout.split('\n').filter((l) => / [←→] /.test(l))
    expect(msgs.map((l) => l.replace(/^ +\d+\.\d{3}s /, ''))).toEqual([
      '→ text (3 B) one',
      '→ text (3 B) two',
      '← text (3 B) one',
      '← text (3 B) two',
      '→ close 1000 (0 B) ',
      '← close 1000 (0 B) ',
    ])
    expect(run.stdout).toMatch(/\* closed: Closed by you with 1000 normal closure/)
  })

  it('--json shows binary as base64 and a server close in plain words', async () => {
    // Closed after the one message (a --duration counts from the open: on a loaded machine it could end first).
    const run = await flightdeck('ws', `${ws.url}/big?bytes=4`, '--json', '--max', '1')
    expect(run.code).toBe(0)
    const msg = jsonLines(run.stdout).find((o) => o['type'] === 'message')
    expect(msg).toMatchObject({ kind: 'binary', size: 4, encoding: 'base64', data: 'q6urqw==' })
    const closed = await flightdeck('ws', `${ws.url}/close?code=4003&reason=bye`)
    expect(closed.code).toBe(0)
    expect(closed.stdout).toMatch(/\* closed: The server closed with 4003 application-defined: bye/)
  }, 60_000)

  it('--json prints a large binary message whole, as base64', async () => {
    const bytes = 2_500_000
    const run = await flightdeck('ws', `${ws.url}/big?bytes=${bytes}`, '--json', '--max', '1')
    expect(run.code).toBe(0)
    const msg = jsonLines(run.stdout).find((o) => o['type'] === 'message')
    expect(msg).toMatchObject({ kind: 'binary', size: bytes, encoding: 'base64' })
    expect(Buffer.from(String(msg?.['data']), 'base64').equals(Buffer.alloc(bytes, 0xab))).toBe(true)
  })

  it('ends quietly when the reader of its output goes away (| head)', async () => {
    // 20,000 messages still to print when the reader goes away (at the first line). The command's close waits
    // for the server's close frame, which comes after the whole flood: 200,000 took 14 s at load 20 here.
    const run = await flightdeckIntoHead('ws', `${ws.url}/flood?n=20000&size=64`)
    expect(run.firstLine).toBe(`* WebSocket ${ws.url}/flood?n=20000&size=64`)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  }, 60_000)

  it('a message past --max-message fails with exit 1 and says why', async () => {
    const run = await flightdeck('ws', `${ws.url}/big?bytes=2048`, '--max-message', '1024')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'flightdeck: message_too_large: The server sent a message larger than the limit of 1 KB; Flightdeck refused it and closed with 1009 message too big\n',
    )
  })
})

describe('flightdeck send', () => {
  it('ends quietly when the reader of its output goes away (| head)', async () => {
    // Its report is one write at the end: the reader is gone before it (`| head -c 0`).
    const run = await intoHead(0, ['send', `${http.url}/delay?ms=300`])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })
})

describe('stream arguments', () => {
  it('keeps sse and ws options apart and parses the common ones', () => {
    expect(parseStreamArgs(['ws', 'ws://h', '--retries', '2'])).toEqual({
      kind: 'error',
      message: '--retries is an sse option',
    })
    expect(parseStreamArgs(['sse', 'h/x', '-p', 'chat'])).toEqual({
      kind: 'error',
      message: '--protocol is a ws option',
    })
    expect(parseStreamArgs(['ws', 'localhost:9/s', '-p', 'a', '--duration', '1.5'])).toMatchObject({
      kind: 'ws',
      url: 'ws://localhost:9/s',
      protocols: ['a'],
      durationMs: 1500,
      max: null,
    })
    expect(parseStreamArgs(['sse', 'h/x', '--mode', 'ndjson', '--last-event-id', '42'])).toMatchObject({
      kind: 'sse',
      request: { method: 'GET', url: 'http://h/x' },
      stream: { mode: 'ndjson', lastEventId: '42' },
    })
  })
})
