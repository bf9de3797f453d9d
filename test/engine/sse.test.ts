import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import type { TimelineEvent } from '../../src/shared/timeline'
import { refusedPort } from '../fixtures/servers'
import { sleep, startSseServer, startSseTlsServer, type SseFixture } from '../fixtures/sse-server'
import { within } from '../fixtures/test-timers'
import { makeService } from './helpers'
import { readLog, record, settle, typesOf, type Recorder } from './stream-helpers'

let server: SseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startSseServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
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

async function open(
  request: RequestSpec,
  stream: {
    reconnect?: boolean
    maxRetries?: number
    retryMs?: number
    mode?: 'auto' | 'sse' | 'ndjson' | 'chunks'
  } = {},
): Promise<string> {
  const r = await service.invoke('sse.open', { request, stream: { reconnect: false, ...stream } })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const isMsg = (e: TimelineEvent): boolean => e.type === 'sse-event'

/**
 * Open a stream on `path`, whose server writes `pieces` one at a time: each only after the engine has logged the
 * one before and `pauseMs` more have passed, then ends. Each piece so arrives in a read of its own, later than
 * the one before, however late a busy machine reads the socket (a free-running pause lets two pieces meet in
 * one read, at one time). Bounded: a piece not logged within 5 s fails the test.
 */
async function stepped(
  path: string,
  contentType: string,
  pieces: string[],
  pauseMs: number,
): Promise<string> {
  const gates = pieces.map(() => {
    let open = (): void => undefined
    const opened = new Promise<void>((resolve) => {
      open = resolve
    })
    return { open, opened }
  })
  server.route(path, async (_req, res) => {
    res.writeHead(200, { 'content-type': contentType })
    res.flushHeaders()
    for (const [i, piece] of pieces.entries()) {
      await within(gates[i]!.opened, 5000, () => undefined)
      res.write(piece)
    }
    res.end()
  })
  const sid = await open(req(path))
  for (const [i, gate] of gates.entries()) {
    if (i > 0) {
      const deadline = Date.now() + 5000
      while ((await readLog(service, sid)).length < i) {
        if (Date.now() > deadline) throw new Error(`piece ${i - 1} of ${path} was not logged within 5 s`)
        await sleep(2)
      }
      await sleep(pauseMs)
    }
    gate.open()
  }
  return sid
}

describe('SSE sessions', () => {
  it('opens a stream, shows its handshake, one tick per event, and keeps the log', async () => {
    const sid = await open(req('/events?n=3&close=1'))
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    const types = typesOf(rec.of(sid))
    expect(types.slice(0, 5)).toEqual([
      'queued',
      'connect',
      'request-sent',
      'response-headers',
      'stream-open',
    ])
    // Events that arrive together may travel as one timeline event with a count; they are three messages.
    const ticks = rec.of(sid).filter(isMsg)
    expect(ticks.reduce((n, e) => n + (e.type === 'sse-event' ? (e.count ?? 1) : 0), 0)).toBe(3)
    expect(types.slice(-2)).toEqual(['stream-closed', 'done'])
    const queued = rec.of(sid)[0]
    expect(queued?.type === 'queued' && queued.kind).toBe('sse')
    const open0 = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(open0?.type === 'stream-open' && open0.mode).toBe('sse')
    const lastTick = ticks.at(-1)
    expect(lastTick?.type === 'sse-event' && [lastTick.id, lastTick.preview]).toEqual(['3', '{"i":3}'])
    const log = await readLog(service, sid)
    expect(log.map((e) => [e.kind, e.event, e.id, e.data])).toEqual([
      ['event', 'message', '1', '{"i":1}'],
      ['event', 'message', '2', '{"i":2}'],
      ['event', 'message', '3', '{"i":3}'],
    ])
    // Times are on the shared engine clock and never go backwards.
    expect(log[0]!.t).toBeLessThanOrEqual(log[2]!.t)
    // Read by range: the second entry alone.
    const page = await service.invoke('stream.read', { sid, from: 1, count: 1 })
    expect(page.ok && page.value.entries.map((e) => e.id)).toEqual(['2'])
    expect(page.ok && page.value.total).toBe(3)
  })

  it('sends any method, headers and body (a POST with JSON, as LLM APIs stream)', async () => {
    const sid = await open(
      req('/llm?n=3&every=2', {
        method: 'POST',
        headers: [{ name: 'Authorization', value: 'Bearer t0ken', enabled: true }],
        body: { kind: 'json', text: '{"stream":true}' },
      }),
    )
    await settle(service, sid)
    const got = server.requests.find((r) => r.path.startsWith('/llm'))
    expect(got?.method).toBe('POST')
    expect(got?.body).toBe('{"stream":true}')
    expect(got?.headers['content-type']).toBe('application/json')
    expect(got?.headers['authorization']).toBe('Bearer t0ken')
    expect(got?.headers['accept']).toBe('text/event-stream')
    const log = await readLog(service, sid)
    expect(log.map((e) => e.data)).toEqual([
      '{"choices":[{"delta":{"content":"w0 "}}]}',
      '{"choices":[{"delta":{"content":"w1 "}}]}',
      '{"choices":[{"delta":{"content":"w2 "}}]}',
      '[DONE]',
    ])
  })

  it('a connection or framing header the HTTP client cannot send is refused naming it, before any connection', async () => {
    const before = server.requests.length
    const post = { method: 'POST', body: { kind: 'json' as const, text: '{"stream":true}' } }
    const cases: [string, string, RegExp][] = [
      ['Keep-Alive', 'timeout=5', /^Header "Keep-Alive" cannot be sent: keeping the connection alive/],
      ['Content-Length', '3', /^Header "Content-Length" says 3 bytes, but the body is 15 bytes/],
    ]
    for (const [name, value, words] of cases) {
      const sid = await open(req('/llm?n=1', { ...post, headers: [{ name, value, enabled: true }] }), {
        reconnect: true,
        retryMs: 5,
      })
      const { final } = await settle(service, sid)
      expect(final.type === 'error' && final.code).toBe('invalid_request')
      expect(final.type === 'error' && final.message).toMatch(words)
      expect(rec.of(sid).some((e) => e.type === 'request-sent' || e.type === 'retry')).toBe(false)
    }
    expect(server.requests.length).toBe(before)
  })

  it('parses by the spec over a real socket: BOM, CR/LF/CRLF split across chunks, multi-line data, comments, UTF-8 cut in half', async () => {
    const euro = Buffer.from('€') // e2 82 ac
    const pieces: (string | Buffer)[] = [
      Buffer.from([0xef, 0xbb]), // the BOM, itself split
      Buffer.from([0xbf]),
      ': a comment\r',
      '\nevent: greet\r\ndata: line one\r',
      '\ndata: line two\n',
      'id: 7\n\n',
      'data: cr only\r\r',
      Buffer.concat([Buffer.from('data: price '), euro.subarray(0, 1)]),
      Buffer.concat([euro.subarray(1), Buffer.from('5\n\n')]),
      'bogus: field\n',
      'data:no space\n\n',
      'data: before blank id\nid\n\n',
    ]
    server.route('/spec', async (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const p of pieces) {
        res.write(p)
        await sleep(8)
      }
      res.end()
    })
    const sid = await open(req('/spec'))
    await settle(service, sid)
    const log = await readLog(service, sid)
    expect(log.map((e) => [e.kind, e.event ?? null, e.id ?? null, e.data])).toEqual([
      ['comment', null, null, 'a comment'],
      ['event', 'greet', '7', 'line one\nline two'],
      // The last event id persists to later events, as the spec's buffer does.
      ['event', 'message', '7', 'cr only'],
      ['event', 'message', '7', 'price €5'],
      ['invalid', null, null, 'bogus: field'],
      ['event', 'message', '7', 'no space'],
      // `id` with no value resets the last event id.
      ['event', 'message', null, 'before blank id'],
    ])
    const invalidTick = rec.of(sid).find((e) => e.type === 'sse-event' && e.kind === 'invalid')
    expect(invalidTick?.type === 'sse-event' && invalidTick.preview).toMatch(/Unknown field "bogus"/)
  })

  it('reconnects after retry ms with Last-Event-ID, shows every reconnect, and closes on request', async () => {
    const sid = await open(req('/events?n=2&close=1&retry=40'), { reconnect: true, maxRetries: 3 })
    await rec.until(sid, isMsg, 6)
    const closed = await service.invoke('session.cancel', { sid })
    expect(closed.ok && closed.value.cancelled).toBe(true)
    const { final } = await settle(service, sid)
    expect(final.type).toBe('done')
    const hits = server.requests.filter((r) => r.path.startsWith('/events?n=2&close=1&retry=40'))
    expect(hits.map((r) => r.headers['last-event-id'] ?? null).slice(0, 3)).toEqual([null, '2', '4'])
    const retries = rec.of(sid).filter((e) => e.type === 'retry')
    expect(retries.length).toBeGreaterThanOrEqual(2)
    expect(retries[0]).toMatchObject({
      attempt: 1,
      delayMs: 40,
      lastEventId: '2',
      reason: 'The server ended the stream',
    })
    expect(retries[1]).toMatchObject({ attempt: 2, lastEventId: '4' })
    const opens = rec.of(sid).filter((e) => e.type === 'stream-open')
    expect(opens.map((e) => (e.type === 'stream-open' ? e.attempt : -1)).slice(0, 3)).toEqual([0, 1, 2])
    // The reconnect waited about `retry` ms after the previous connection ended.
    const closedAt = rec.of(sid).find((e) => e.type === 'stream-closed')!.t
    expect(opens[1]!.t - closedAt).toBeGreaterThanOrEqual(38)
    const ids = (await readLog(service, sid)).map((e) => e.id)
    expect(ids.slice(0, 6)).toEqual(['1', '2', '3', '4', '5', '6'])
    const last = rec
      .of(sid)
      .filter((e) => e.type === 'stream-closed')
      .pop()
    expect(last).toMatchObject({ by: 'client', willRetry: false })
  })

  it('an `id:` block with no data still sets the last event id, which the reconnect sends', async () => {
    server.route('/id-only', (r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // The first connection: an event with id 1, then a block with only an id (no event is dispatched,
      // but the last event id becomes 42), then `id: 99` with no blank line (never dispatched), and the end.
      if (r.index === 0) res.end('retry: 20\nid: 1\ndata: first\n\nid: 42\n\nid: 99\n')
      else res.end('data: second\n\n')
    })
    const sid = await open(req('/id-only'), { reconnect: true, maxRetries: 3 })
    await rec.until(sid, isMsg, 2)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const hits = server.requests.filter((r) => r.path === '/id-only')
    expect(hits.map((r) => r.headers['last-event-id'] ?? null).slice(0, 2)).toEqual([null, '42'])
    const retry = rec.of(sid).find((e) => e.type === 'retry')
    expect(retry).toMatchObject({ attempt: 1, lastEventId: '42' })
    // The event after the reconnect carries the id it was sent with; no message came of the id-only block.
    const log = await readLog(service, sid)
    expect(log.slice(0, 2).map((e) => [e.data, e.id])).toEqual([
      ['first', '1'],
      ['second', '42'],
    ])
  })

  it('a server that drops the connection mid-stream ends in a clear error (reconnect off)', async () => {
    const sid = await open(req('/drop?after=2'))
    const { final } = await settle(service, sid)
    expect(final.type).toBe('error')
    expect(final.type === 'error' && final.code).toBe('reset')
    expect((await readLog(service, sid)).map((e) => e.data)).toEqual(['1', '2'])
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'network', willRetry: false })
  })

  it('a dropped connection is retried when reconnect is on', async () => {
    const sid = await open(req('/drop?after=1'), { reconnect: true, retryMs: 10, maxRetries: 1 })
    await rec.until(sid, (e) => e.type === 'retry', 2)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const retry = rec.of(sid).find((e) => e.type === 'retry')
    expect(retry?.type === 'retry' && retry.reason).toMatch(/reset/i)
    const hits = server.requests.filter((r) => r.path === '/drop?after=1')
    expect(hits[1]?.headers['last-event-id']).toBe('1')
  })

  it('stops after N failed attempts in a row', async () => {
    const port = await refusedPort()
    const sid = await open(
      { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [], body: { kind: 'none' }, options: {} },
      { reconnect: true, retryMs: 5, maxRetries: 2 },
    )
    const { final } = await settle(service, sid)
    expect(rec.of(sid).filter((e) => e.type === 'retry')).toHaveLength(2)
    expect(final.type === 'error' && final.code).toBe('refused')
    expect(final.type === 'error' && final.message).toMatch(
      /^Gave up after 3 failed connection attempts in a row: Connection refused/,
    )
  })

  it('with no retries allowed, a refused connection ends with its own error (nothing was given up)', async () => {
    const port = await refusedPort()
    const sid = await open(
      { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [], body: { kind: 'none' }, options: {} },
      { reconnect: true, retryMs: 5, maxRetries: 0 },
    )
    const { final } = await settle(service, sid)
    expect(rec.of(sid).filter((e) => e.type === 'retry')).toHaveLength(0)
    expect(final.type === 'error' && final.code).toBe('refused')
    expect(final.type === 'error' && final.message).toMatch(/^Connection refused/)
  })

  it('an HTTP error status fails the session with the status and what the server said, and is not retried', async () => {
    const sid = await open(req('/status/503'), { reconnect: true, retryMs: 5 })
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({
      type: 'error',
      code: 'protocol',
      message:
        'The server answered 503 Service Unavailable instead of a stream (a stream needs a 2xx response)',
      detail: 'status 503',
    })
    const head = rec.of(sid).find((e) => e.type === 'response-headers')
    expect(head?.type === 'response-headers' && head.status).toBe(503)
    expect(rec.of(sid).some((e) => e.type === 'retry' || e.type === 'stream-open')).toBe(false)
    // The error page is not a message of the stream.
    expect(await readLog(service, sid)).toEqual([])
  })

  it('NDJSON and chunked text stream chunk by chunk with timestamps', async () => {
    const nd = await stepped(
      '/ndjson-stepped',
      'application/x-ndjson',
      ['{"n":0}\n', '{"n":1}\n', '{"n":2}\n'],
      15,
    )
    await settle(service, nd)
    const lines = await readLog(service, nd)
    expect(lines.map((e) => [e.kind, e.data])).toEqual([
      ['line', '{"n":0}'],
      ['line', '{"n":1}'],
      ['line', '{"n":2}'],
    ])
    // Each line is stamped when it arrived: two 15 ms pauses apart (less a millisecond each a timer may fire early).
    expect(lines[2]!.t - lines[0]!.t).toBeGreaterThanOrEqual(28)
    const ch = await stepped(
      '/chunks-stepped',
      'text/plain; charset=utf-8',
      ['chunk 0;', 'chunk 1;', 'chunk 2;'],
      25,
    )
    await settle(service, ch)
    const chunks = await readLog(service, ch)
    expect(chunks.map((e) => e.data)).toEqual(['chunk 0;', 'chunk 1;', 'chunk 2;'])
    expect(chunks.every((e) => e.kind === 'chunk' && e.encoding === 'utf8')).toBe(true)
    const openEv = rec.of(ch).find((e) => e.type === 'stream-open')
    expect(openEv?.type === 'stream-open' && openEv.mode).toBe('chunks')
  })

  it('closing before the server answered cancels the session', async () => {
    server.route('/slow-head', async (_r, res) => {
      await sleep(2000)
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end()
    })
    const sid = await open(req('/slow-head'))
    await sleep(50)
    await service.invoke('session.cancel', { sid })
    const { final } = await settle(service, sid)
    expect(final.type).toBe('cancelled')
  })

  it('bytes that are not UTF-8 become U+FFFD, as the spec decodes them, and the stream goes on', async () => {
    server.route('/bad-utf8', (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(
        Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xfe]), Buffer.from('b\n\ndata: ok\n\n')]),
      )
    })
    const sid = await open(req('/bad-utf8'))
    expect((await settle(service, sid)).final.type).toBe('done')
    expect((await readLog(service, sid)).map((e) => e.data)).toEqual(['a\uFFFD\uFFFDb', 'ok'])
  })

  it('follows redirects as EventSource does (307 keeps the method and body, 303 turns into GET)', async () => {
    server.route(
      '/moved-307',
      (_r, res) => void res.writeHead(307, { location: '/events?n=2&close=1&via=307' }).end(),
    )
    server.route(
      '/moved-303',
      (_r, res) => void res.writeHead(303, { location: '/events?n=1&close=1&via=303' }).end(),
    )
    const post = (path: string): RequestSpec =>
      req(path, { method: 'POST', body: { kind: 'json', text: '{"q":1}' } })
    const a = await open(post('/moved-307'))
    expect((await settle(service, a)).final).toMatchObject({ type: 'done', status: 200 })
    expect((await readLog(service, a)).map((e) => e.data)).toEqual(['{"i":1}', '{"i":2}'])
    const via307 = server.requests.find((r) => r.path.endsWith('via=307'))
    expect([via307?.method, via307?.body]).toEqual(['POST', '{"q":1}'])
    const b = await open(post('/moved-303'))
    expect((await settle(service, b)).final.type).toBe('done')
    const via303 = server.requests.find((r) => r.path.endsWith('via=303'))
    expect([via303?.method, via303?.body]).toEqual(['GET', ''])
  })

  it('filters and searches the log in the engine', async () => {
    const sid = await open(req('/llm?n=20&every=0'))
    await settle(service, sid)
    const r = await service.invoke('stream.read', { sid, from: 0, count: 50, filter: { text: 'W1' } })
    expect(r.ok && r.value.entries.map((e) => e.data)).toEqual([
      '{"choices":[{"delta":{"content":"w1 "}}]}',
      ...Array.from({ length: 10 }, (_, i) => `{"choices":[{"delta":{"content":"w${10 + i} "}}]}`),
    ])
    expect(r.ok && r.value.complete).toBe(true)
  })

  it('other sessions are unaffected by one that fails', async () => {
    const bad = await open(req('/drop?after=0'))
    const good = await open(req('/events?n=5&every=5&close=1'))
    const [b, g] = await Promise.all([settle(service, bad), settle(service, good)])
    expect(b.final.type).toBe('error')
    expect(g.final.type).toBe('done')
    expect(await readLog(service, good)).toHaveLength(5)
  })
})

describe('SSE over TLS', () => {
  it('shows the TLS phase and reads events', async () => {
    const tls = await startSseTlsServer()
    const { writeFileSync, mkdtempSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const caFile = join(mkdtempSync(join(tmpdir(), 'fd-sse-')), 'ca.pem')
    writeFileSync(caFile, tls.caPem ?? '')
    try {
      const sid = await open({
        method: 'GET',
        url: `https://localhost:${tls.port}/events?n=2&close=1`,
        headers: [],
        body: { kind: 'none' },
        options: { caFile },
      })
      const { final } = await settle(service, sid)
      expect(final.type).toBe('done')
      const types = typesOf(rec.of(sid))
      expect(types.slice(0, 5)).toEqual(['queued', 'dns', 'connect', 'tls', 'request-sent'])
      expect(await readLog(service, sid)).toHaveLength(2)
    } finally {
      await tls.close()
    }
  })
})
