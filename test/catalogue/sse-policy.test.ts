import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGzip, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runStreamCli } from '../../src/cli/stream-command'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { sleep, startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from '../engine/helpers'
import { readLog, record, settle, type Recorder } from '../engine/stream-helpers'

/**
 * What a stream session does with what the server answers, and what it never does on its own: a compressed
 * stream that expands without bound, an error status, a text/plain body, a POST that would be re-sent, a
 * Last-Event-ID given by hand. Real servers on 127.0.0.1, through the engine service.
 */

let server: SseFixture
let service: EngineService
let rec: Recorder
let temp: string
let savedTmp: string | undefined

beforeAll(async () => {
  // Stream logs spill into the system temp folder: point it at one of ours, to see what is left behind.
  temp = mkdtempSync(join(tmpdir(), 'fd-sse-policy-'))
  savedTmp = process.env['TMPDIR']
  process.env['TMPDIR'] = temp
  server = await startSseServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
  if (savedTmp === undefined) delete process.env['TMPDIR']
  else process.env['TMPDIR'] = savedTmp
  rmSync(temp, { recursive: true, force: true })
})

function req(path: string, extra: Partial<RequestSpec> = {}): RequestSpec {
  return {
    method: 'GET',
    url: `${server.url}${path}`,
    headers: [],
    body: { kind: 'none' },
    options: {},
    ...extra,
  }
}

async function open(request: RequestSpec, stream: Record<string, unknown> = {}): Promise<string> {
  const r = await service.invoke('sse.open', { request, stream })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

/** Bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size
  return n
}

describe('a compressed event stream', () => {
  it('that expands past 100:1 fails with decompression_bomb, bounded, and leaves no temp file behind', async () => {
    let wire = 0
    server.route('/bomb', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })
      const gzip = createGzip()
      gzip.on('data', (c: Buffer) => {
        wire += c.length
        if (!res.destroyed) res.write(c)
      })
      gzip.on('end', () => res.end())
      // 1 MB events of one letter: about 1000:1 once gzipped, as the stream in the report.
      const event = Buffer.from(`data: ${'a'.repeat(1024 * 1024)}\n\n`)
      for (let i = 0; i < 160 && !res.destroyed; i++) {
        gzip.write(event)
        await new Promise<void>((r) => gzip.flush(() => r()))
        if (i % 16 === 0) await sleep(1)
      }
      gzip.end()
    })
    const sid = await open(req('/bomb'), { reconnect: true, retryMs: 10 })
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({ type: 'error', code: 'decompression_bomb' })
    expect(final.type === 'error' && final.message).toMatch(
      /^The event stream expands to more than 100 times its compressed size \(\d+ bytes from \d+\)/,
    )
    // It stopped at the guard's floor (64 MB decoded), not gigabytes later, and did not reconnect.
    expect(rec.of(sid).some((e) => e.type === 'retry')).toBe(false)
    expect(wire).toBeLessThan(16 * 1024 * 1024)
    expect(bytesUnder(temp)).toBe(0)
    // What arrived before the guard stopped it is still there to read.
    const first = await readLog(service, sid, 0, 1)
    expect(first[0]).toMatchObject({ kind: 'event', size: 1024 * 1024 })
  })
})

describe('a response that is not a 2xx stream', () => {
  it('fails the connection with its status and body as the detail, no messages, no reconnect', async () => {
    const sid = await open(req('/status/500'), { reconnect: true, retryMs: 5 })
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({
      type: 'error',
      code: 'protocol',
      message:
        'The server answered 500 Internal Server Error instead of a stream (a stream needs a 2xx response)',
      detail: 'status 500',
    })
    expect(rec.of(sid).map((e) => e.type)).not.toContain('retry')
    expect(rec.of(sid).map((e) => e.type)).not.toContain('stream-open')
    expect(await readLog(service, sid)).toEqual([])
  })

  it('a 404 that says text/event-stream is still not a stream: its events are the detail, not messages', async () => {
    server.route('/gone', (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/event-stream' })
      res.end('data: no such stream\n\n')
    })
    const sid = await open(req('/gone'), { reconnect: true, retryMs: 5 })
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({ type: 'error', detail: 'data: no such stream\n\n' })
    expect(final.type === 'error' && final.message).toMatch(/^The server answered 404 Not Found /)
    expect(await readLog(service, sid)).toEqual([])
    expect(server.requests.filter((r) => r.path === '/gone')).toHaveLength(1)
  })

  it('an endless error body is cut, saying how much, and the session fails at once', async () => {
    server.route('/endless-error', async (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' })
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write('x'.repeat(1024))
        await sleep(20)
      }
      res.end()
    })
    const started = Date.now()
    const sid = await open(req('/endless-error'))
    const { final } = await settle(service, sid)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(final.type === 'error' && final.detail).toMatch(/^x{16384}\n… \(the first 16384 of \d+\+ bytes\)$/)
  })

  it('a compressed error body is decoded for the detail; one that does not decode still fails with its status', async () => {
    server.route('/gz-error', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end(gzipSync('{"error":"overloaded"}'))
    })
    server.route('/bad-gz-error', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
      res.end('<h1>Bad gateway</h1> (not gzip at all)')
    })
    const good = await open(req('/gz-error'))
    expect((await settle(service, good)).final).toMatchObject({
      type: 'error',
      code: 'protocol',
      detail: '{"error":"overloaded"}',
    })
    const bad = await open(req('/bad-gz-error'))
    const { final } = await settle(service, bad)
    expect(final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(final.type === 'error' && final.message).toMatch(
      /^The server answered 502 Bad Gateway instead of a stream/,
    )
  })

  it('a 200 text/plain is read as raw chunks and says so; a 2xx NDJSON is still NDJSON lines', async () => {
    const plain = await open(req('/chunks?n=2&every=5'))
    await settle(service, plain)
    const open1 = rec.of(plain).find((e) => e.type === 'stream-open')
    expect(open1).toMatchObject({
      mode: 'chunks',
      note: 'Read as raw chunks: the response is text/plain, not text/event-stream (no events, no reconnect)',
    })
    const nd = await open(req('/ndjson?n=2&every=5'))
    await settle(service, nd)
    const open2 = rec.of(nd).find((e) => e.type === 'stream-open')
    expect(open2?.type === 'stream-open' && [open2.mode, open2.note]).toEqual(['ndjson', undefined])
    expect((await readLog(service, nd)).map((e) => [e.kind, e.data])).toEqual([
      ['line', '{"n":0}'],
      ['line', '{"n":1}'],
    ])
  })
})

describe('reconnect', () => {
  it('is off by default for a POST: an LLM answer that ends with [DONE] is asked for once', async () => {
    const before = server.requests.filter((r) => r.path.startsWith('/llm')).length
    const body = { kind: 'text' as const, text: '{"stream":true}', contentType: 'application/json' }
    const sid = await open(req('/llm?n=2&every=5', { method: 'POST', body }), { retryMs: 20 })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    await sleep(100)
    expect(server.requests.filter((r) => r.path.startsWith('/llm')).length - before).toBe(1)
    expect(rec.of(sid).map((e) => e.type)).not.toContain('retry')
  })

  it('a POST reconnects when the person turns it on; a GET by default', async () => {
    const body = { kind: 'text' as const, text: '{}', contentType: 'application/json' }
    const post = await open(req('/llm?n=1&every=5', { method: 'POST', body }), {
      reconnect: true,
      retryMs: 10,
    })
    await rec.until(post, (e) => e.type === 'stream-open' && e.attempt === 1)
    await service.invoke('session.cancel', { sid: post })
    const get = await open(req('/events?n=1&close=1'), { retryMs: 10 })
    await rec.until(get, (e) => e.type === 'stream-open' && e.attempt === 1)
    await service.invoke('session.cancel', { sid: get })
  })
})

describe('Last-Event-ID', () => {
  it('the given id goes on the first connection; reconnects send the latest, once, and the log says what was sent', async () => {
    const hits = (): string[] =>
      server.requests
        .filter((r) => r.path.startsWith('/events?n=2&close=1'))
        .map((r) => String(r.headers['last-event-id']))
    const before = hits().length
    const sid = await open(req('/events?n=2&close=1'), { lastEventId: '7', retryMs: 10 })
    await rec.until(sid, (e) => e.type === 'stream-open' && e.attempt === 2)
    await service.invoke('session.cancel', { sid })
    expect(hits().slice(before, before + 3)).toEqual(['7', '9', '11'])
    const retries = rec.of(sid).filter((e) => e.type === 'retry')
    expect(retries.slice(0, 2).map((e) => e.type === 'retry' && e.lastEventId)).toEqual(['9', '11'])
  })

  it('a Last-Event-ID header set by hand is the first id, not a header that wins every reconnect', async () => {
    const hits = (): string[] =>
      server.requests
        .filter((r) => r.path.startsWith('/events?n=3&close=1'))
        .map((r) => String(r.headers['last-event-id']))
    const before = hits().length
    const sid = await open(
      req('/events?n=3&close=1', { headers: [{ name: 'Last-Event-ID', value: '5', enabled: true }] }),
      {
        retryMs: 10,
      },
    )
    await rec.until(sid, (e) => e.type === 'stream-open' && e.attempt === 2)
    await service.invoke('session.cancel', { sid })
    // One value per request: the hand-set one first, then the stream's own.
    expect(hits().slice(before, before + 3)).toEqual(['5', '8', '11'])
    const sent = rec.of(sid).find((e) => e.type === 'request-sent')
    const ids =
      sent?.type === 'request-sent' ? sent.headers.filter(([k]) => k.toLowerCase() === 'last-event-id') : []
    expect(ids.map(([, v]) => v)).toEqual(['5'])
  })
})

describe('flightdeck sse', () => {
  async function sseCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = ''
    let err = ''
    const code = await runStreamCli(['sse', ...argv], {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
    })
    return { code, out, err }
  }

  it('exits 1 on a refused handshake, naming the status, and prints no message', async () => {
    const r = await sseCli(`${server.url}/status/404`)
    expect(r.code).toBe(1)
    expect(r.err).toBe(
      'flightdeck: protocol: The server answered 404 Not Found instead of a stream (a stream needs a 2xx response)\n',
    )
    expect(r.out).not.toContain('←')
  })

  it('says a text/plain body is read as raw chunks', async () => {
    const r = await sseCli(`${server.url}/chunks?n=1&every=5`)
    expect(r.code).toBe(0)
    expect(r.out).toContain(
      'chunks stream open (Read as raw chunks: the response is text/plain, not text/event-stream (no events, no reconnect))',
    )
  })

  it('a POST is sent once; --reconnect sends it again, as asked', async () => {
    const count = (): number => server.requests.filter((x) => x.path.startsWith('/llm?n=1&every=2')).length
    const before = count()
    const once = await sseCli('-d', '{}', `${server.url}/llm?n=1&every=2`)
    expect(once.code).toBe(0)
    expect(count() - before).toBe(1)
    const again = await sseCli('-d', '{}', '--reconnect', '--max', '3', `${server.url}/llm?n=1&every=2`)
    expect(again.code).toBe(0)
    expect(again.out).toMatch(/reconnecting in \d+ ms \(#1\)/)
    expect(count() - before).toBeGreaterThanOrEqual(2)
  })

  it('--last-event-id goes on the first connection, and the log shows the id each reconnect sends', async () => {
    const path = '/events?n=1&close=1&retry=5'
    const ids = (): string[] =>
      server.requests.filter((x) => x.path === path).map((x) => String(x.headers['last-event-id']))
    const before = ids().length
    const r = await sseCli('--last-event-id', '41', '--max', '2', `${server.url}${path}`)
    expect(r.code).toBe(0)
    expect(ids().slice(before, before + 2)).toEqual(['41', '42'])
    expect(r.out).toMatch(/reconnecting in 5 ms \(#1\): The server ended the stream \[Last-Event-ID: 42\]/)
  })
})
