import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type * as NodeTls from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { makeTestPki, type TestPki } from '../fixtures/certs'
import { startGoawayServer, type GoawayPolicy, type GoawayServer } from '../fixtures/h2-goaway-server'
import { LEARNT_STREAMS_MS } from '../../src/engine/http/h2-origin'
import { missingForH2, missingForPools } from '../../src/engine/http/undici-internals'
import { done, eventsOf, makeService, send, spec, writeTemp } from './helpers'

/**
 * A server that ends an HTTP/2 connection gracefully (GOAWAY, code 0) finishes the streams up to the last one it
 * names and has not processed those above it (RFC 9113 §6.8). Requests to an HTTP/2 origin share a connection;
 * one the server did not take goes once more, on another connection, whatever its method (it was never
 * processed), and the timeline says it went twice; the ones it took are answered on the connection going away.
 * A GOAWAY with an error code fails what was in flight: an idempotent request goes once more, a POST does not
 * and its error says why.
 */

let pki: TestPki
let caFile: string
let service: EngineService
let server: GoawayServer | undefined

beforeAll(async () => {
  pki = await makeTestPki()
  caFile = join(tmpdir(), `flightdeck-h2-goaway-ca-${process.pid}.pem`)
  writeFileSync(caFile, pki.ca.cert)
  service = makeService()
})

afterEach(async () => {
  await server?.close()
  server = undefined
})

afterAll(async () => {
  await service.dispose()
})

function h2(port: number, path: string, extra: Partial<RequestSpec> = {}): RequestSpec {
  return spec(`https://localhost:${port}${path}`, extra, { caFile, http2: true })
}

const REFUSED_RESENT = /Sent a second time: the server refused the first stream before processing it/

describe('HTTP/2 GOAWAY before any answer', () => {
  it('a GET the server received but did not take (above the last stream its GOAWAY names) is sent again, once, and the row says so', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2 })
    const first = await send(service, h2(server.port, '/first'))
    expect(done(first).status).toBe(200)
    // Second on the same connection: received, refused by the GOAWAY naming the first as the last taken.
    const second = await send(service, h2(server.port, '/second'))
    expect(done(second).status).toBe(200)
    expect(server.refused).toBe(1)
    expect(server.processed.get('/second')).toBe(1)
    const sent = eventsOf(second, 'request-sent')
    expect(sent.at(-1)?.note).toMatch(REFUSED_RESENT)
    expect(sent.at(-1)?.reused).toBe(false)
    // The new connection's phases are on the row, and the timings add up within the whole.
    expect(eventsOf(second, 'tls')).toHaveLength(1)
    const timings = done(second).timings
    expect(timings.send).toBeGreaterThanOrEqual(0)
    expect(timings.time).toBeLessThanOrEqual(done(second).t - (eventsOf(second, 'queued')[0]?.t ?? 0) + 1)
  })

  it('a PUT with a body is sent again with the same body', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2 })
    await send(service, h2(server.port, '/first'))
    const put = await send(
      service,
      h2(server.port, '/put', {
        method: 'PUT',
        body: { kind: 'text', text: 'payload', contentType: 'text/plain' },
      }),
    )
    expect(done(put).status).toBe(200)
    expect(server.processed.get('/put')).toBe(1)
    expect(server.bodies.get('/put')).toBe('payload')
    expect(eventsOf(put, 'request-sent').at(-1)?.bodyBytes).toBe(7)
  })

  it('a PUT of a file is sent again with the whole file (reopened, not the stream the first sending used)', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2 })
    await send(service, h2(server.port, '/first'))
    const content = 'line\n'.repeat(20_000)
    const path = writeTemp('upload.txt', content)
    const put = await send(service, h2(server.port, '/file', { method: 'PUT', body: { kind: 'file', path } }))
    expect(done(put).status).toBe(200)
    expect(server.processed.get('/file')).toBe(1)
    expect(server.bodies.get('/file')).toBe(content)
  })

  it('a POST the server received but did not take is sent again (it was never processed) and processed once', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2 })
    await send(service, h2(server.port, '/first'))
    const post = await send(
      service,
      h2(server.port, '/post', { method: 'POST', body: { kind: 'json', text: '{"n":1}' } }),
    )
    expect(done(post).status).toBe(200)
    expect(server.processed.get('/post')).toBe(1)
    expect(server.bodies.get('/post')).toBe('{"n":1}')
    expect(eventsOf(post, 'request-sent').at(-1)?.note).toMatch(REFUSED_RESENT)
  })

  it('a POST above the last stream of a GOAWAY with an error code is sent again: the server never processed it', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2, goawayCode: 2 })
    await send(service, h2(server.port, '/first'))
    const post = await send(
      service,
      h2(server.port, '/post', { method: 'POST', body: { kind: 'json', text: '{"n":2}' } }),
    )
    expect(done(post).status).toBe(200)
    expect(server.processed.get('/post')).toBe(1)
    expect(eventsOf(post, 'request-sent').at(-1)?.note).toMatch(REFUSED_RESENT)
  })

  it('a POST the server took before a GOAWAY with an error code is not sent again, and its error says so and why', async () => {
    // The 2nd stream is the last the server takes, and its GOAWAY says an error (PROTOCOL_ERROR).
    server = await startGoawayServer(pki, { streamsPerConnection: 2, goawayWhen: 'received', goawayCode: 1 })
    await send(service, h2(server.port, '/first'))
    const post = await send(
      service,
      h2(server.port, '/post', { method: 'POST', body: { kind: 'json', text: '{"n":1}' } }),
    )
    expect(post.final.type).toBe('error')
    if (post.final.type !== 'error') return
    expect(post.final.code).toBe('reset')
    expect(post.final.message).toMatch(
      /ended the HTTP\/2 connection \(GOAWAY\) before answering; the POST was not sent again: it is not idempotent/,
    )
    expect(server.processed.get('/post') ?? 0).toBeLessThanOrEqual(1)
    expect(eventsOf(post, 'request-sent')).toHaveLength(1)
  })

  it('a GET cut off twice fails the second time, naming both attempts (never a third)', async () => {
    // Every connection's first stream is refused: the resend meets the same, and stops there.
    server = await startGoawayServer(pki, { refuseStream: 1 })
    const r = await send(service, h2(server.port, '/never'))
    expect(r.final.type).toBe('error')
    if (r.final.type !== 'error') return
    expect(r.final.message).toMatch(/before processing it, twice: the request was sent again once/)
    expect(server.refused).toBe(2)
    expect(server.processed.get('/never')).toBeUndefined()
  })

  it('a burst of GETs against a server that says GOAWAY after answering every 5th stream all succeed, each processed once', async () => {
    server = await startGoawayServer(pki, { streamsPerConnection: 5, goawayWhen: 'answered' })
    const paths = await burst(server, 60)
    for (const p of paths) expect(server.processed.get(p), p).toBe(1)
  })

  it("a burst of GETs against a server that says GOAWAY on every connection's 5th stream (nginx's keepalive_requests) all succeed, each processed once", async () => {
    server = await startGoawayServer(pki, { streamsPerConnection: 5, goawayWhen: 'received' })
    const paths = await burst(server, 60)
    // The 5th stream is the last the server takes, and its answer arrives on the connection going away.
    for (const p of paths) expect(server.processed.get(p), p).toBe(1)
  })
})

describe('HTTP/2 requests share a connection', () => {
  it('twenty GETs in flight to an HTTP/2 origin go over one connection, as a browser sends them', async () => {
    server = await startGoawayServer(pki, {})
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(service, h2(server!.port, `/one/${i}`))),
    )
    for (const r of results) expect(done(r).status).toBe(200)
    expect(server.sessions).toBe(1)
    const sent = results.map((r) => eventsOf(r, 'request-sent')[0])
    expect(new Set(sent.map((e) => e?.connectionId)).size).toBe(1)
    expect(sent.filter((e) => e?.reused === false)).toHaveLength(1)
  })

  it('an https origin that answers HTTP/1.1 still gets a connection for each request in flight, and the next burst reuses them', async () => {
    // The server answers only once all `together` are in at once: serialised on one connection, they would never be.
    const waiting: ServerResponse[] = []
    let together = 6
    let connections = 0
    const h1 = createHttpsServer(
      { cert: pki.localhost.cert, key: pki.localhost.key, ALPNProtocols: ['http/1.1'] },
      (_req, res) => {
        waiting.push(res)
        if (waiting.length === together) for (const r of waiting.splice(0)) r.end('ok')
      },
    )
    h1.on('secureConnection', () => connections++)
    await new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve))
    const port = (h1.address() as AddressInfo).port
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => send(service, h2(port, `/h1/${i}`))),
      )
      const sent = results.map((r) => eventsOf(r, 'request-sent')[0])
      expect(sent.every((e) => e?.protocol === 'http/1.1')).toBe(true)
      expect(new Set(sent.map((e) => e?.connectionId)).size).toBe(6)
      // Sent as soon as the six have ended: five of those connections take them, none is opened.
      together = 5
      const next = await Promise.all(
        Array.from({ length: 5 }, (_, i) => send(service, h2(port, `/next/${i}`))),
      )
      expect(next.map((r) => eventsOf(r, 'request-sent')[0]?.reused)).toEqual(Array(5).fill(true))
      expect(connections).toBe(6)
    } finally {
      h1.closeAllConnections()
      await new Promise<void>((resolve) => h1.close(() => resolve()))
    }
  })

  it('a server that allows 10 streams at once gets no more than 10 at once, over one connection', async () => {
    server = await startGoawayServer(pki, { maxConcurrentStreams: 10 })
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(service, h2(server!.port, `/ten/${i}`))),
    )
    for (const r of results) expect(done(r).status).toBe(200)
    expect(server.mostOpen).toBeLessThanOrEqual(10)
    expect(server.sessions).toBe(1)
  })

  it('requests waiting for a stream (10 at once) when their connection says GOAWAY (after 25) go over the next ones: a cold burst of 80 POSTs all answered, each processed once', async () => {
    // They waited on the connection that said GOAWAY, which took no new stream and stayed open: held for ever.
    server = await startGoawayServer(pki, { streamsPerConnection: 25, maxConcurrentStreams: 10 })
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        send(
          service,
          h2(server!.port, `/q/${i}`, {
            method: 'POST',
            body: { kind: 'text', text: `order ${i}`, contentType: 'text/plain' },
          }),
        ),
      ),
    )
    const failed = results.filter((r) => r.final.type !== 'done').map((r) => JSON.stringify(r.final))
    expect(failed).toEqual([])
    for (let i = 0; i < 80; i++) {
      expect(server.processed.get(`/q/${i}`), `/q/${i}`).toBe(1)
      expect(server.bodies.get(`/q/${i}`)).toBe(`order ${i}`)
    }
    expect(server.mostOpen).toBeLessThanOrEqual(10)
    // 25 a connection: 4 at the fewest, one more for requests the first GOAWAY refused before the limit was learnt.
    expect(server.sessions).toBeLessThanOrEqual(5)
  })

  it('a streams-a-connection limit learnt from a GOAWAY is let go after a while: a server that now takes more gets fewer connections', async () => {
    const policy: GoawayPolicy = { streamsPerConnection: 5, goawayWhen: 'received' }
    server = await startGoawayServer(pki, policy)
    const burst = async (tag: string): Promise<number> => {
      const before = server!.sessions
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(service, h2(server!.port, `/${tag}/${i}`))),
      )
      expect(results.filter((r) => r.final.type !== 'done').map((r) => JSON.stringify(r.final))).toEqual([])
      return server!.sessions - before
    }
    await burst('learn')
    // The server now takes any number a connection (its keepalive_requests raised).
    delete policy.streamsPerConnection
    expect(await burst('kept')).toBeGreaterThanOrEqual(3)
    const now = service.clock.now.bind(service.clock)
    const later = vi.spyOn(service.clock, 'now').mockImplementation(() => now() + LEARNT_STREAMS_MS + 1)
    try {
      // The connection in use finishes its five; then one more carries the rest.
      expect(await burst('later')).toBeLessThanOrEqual(1)
    } finally {
      later.mockRestore()
    }
  })

  for (const goawayWhen of ['received', 'answered'] as const) {
    it(`60 GETs, POSTs and PUTs meet a graceful GOAWAY mid-burst (${goawayWhen}): none fails, each processed once, over few connections`, async () => {
      // The server takes 25 streams a connection, then says GOAWAY naming the last it took.
      server = await startGoawayServer(pki, { streamsPerConnection: 25, goawayWhen })
      const requests = Array.from({ length: 60 }, (_, i) => {
        const path = `/mixed/${i}`
        if (i % 3 === 0) return h2(server!.port, path)
        const method = i % 3 === 1 ? 'POST' : 'PUT'
        return h2(server!.port, path, {
          method,
          body: { kind: 'text', text: `body ${i}`, contentType: 'text/plain' },
        })
      })
      const results = await Promise.all(requests.map((r) => send(service, r)))
      const failed = results.filter((r) => r.final.type !== 'done').map((r) => JSON.stringify(r.final))
      expect(failed).toEqual([])
      expect(server.goaways).toBeGreaterThanOrEqual(1)
      for (let i = 0; i < 60; i++) {
        expect(server.processed.get(`/mixed/${i}`), `/mixed/${i}`).toBe(1)
        if (i % 3 !== 0) expect(server.bodies.get(`/mixed/${i}`)).toBe(`body ${i}`)
      }
      // One connection for the first 25, the rest over as few more as the server's 25 a connection allows.
      expect(server.sessions).toBeLessThanOrEqual(4)
    })
  }
})

describe('TLS with a CA file', () => {
  it("a CA file's connections share one secure context, across profiles: parsed once, not once a connection", async () => {
    // Every answer closes its connection, so each request opens one of its own.
    const closing = createHttpsServer({ cert: pki.localhost.cert, key: pki.localhost.key }, (_req, res) => {
      res.setHeader('connection', 'close')
      res.end('ok')
    })
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve))
    const port = (closing.address() as AddressInfo).port
    // A CA file of its own, so its profile's connections are all made here.
    const ownCa = join(tmpdir(), `flightdeck-h2-goaway-own-ca-${process.pid}.pem`)
    writeFileSync(ownCa, `${pki.ca.cert}\n${pki.localhost.cert}`)
    // The engine's own node:tls (process.getBuiltinModule), watched, not replaced.
    const contexts = vi.spyOn(
      createRequire(import.meta.url)('node:tls') as typeof NodeTls,
      'createSecureContext',
    )
    try {
      for (let i = 0; i < 3; i++) {
        const r = await send(service, spec(`https://localhost:${port}/c/${i}`, {}, { caFile: ownCa }))
        expect(done(r).status).toBe(200)
        expect(eventsOf(r, 'request-sent')[0]?.reused).toBe(false)
      }
      // Profiles that differ in all but the CA (HTTP/2 offered, another connect timeout) share it too.
      const other = { caFile: ownCa, http2: true, connectTimeoutMs: 7_000 }
      expect(done(await send(service, spec(`https://localhost:${port}/c/h2`, {}, other))).status).toBe(200)
      expect(contexts.mock.calls.filter(([o]) => o?.ca !== undefined)).toHaveLength(1)
    } finally {
      contexts.mockRestore()
      closing.closeAllConnections()
      await new Promise<void>((resolve) => closing.close(() => resolve()))
    }
  })
})

describe("undici's internals the engine leans on", () => {
  it('are all in the installed undici (a later one that lacks any fails here, naming it)', () => {
    expect(missingForPools()).toEqual([])
    expect(missingForH2()).toEqual([])
  })

  it('the check names what an undici without them lacks (the engine then falls back and warns once)', () => {
    const bare = { symbols: {}, poolBase: {}, connectH2: function connectH2() {} }
    expect(missingForPools(bare)).toEqual(
      expect.arrayContaining(['core/symbols kQueued', 'dispatcher/pool-base kGetDispatcher']),
    )
    expect(missingForH2(bare)).toEqual(
      expect.arrayContaining([
        'core/symbols kHTTP2Session',
        "dispatcher/client-h2's GOAWAY listener onHttp2SessionGoAway",
      ]),
    )
  })
})

/** Bursts a GOAWAY test sends at the most before it must have met the GOAWAYs it asks for. */
const MOST_BURSTS = 4

/**
 * Bursts of `count` GETs at once over few connections, so each carries several streams in turn and meets its
 * GOAWAY, until the server has said GOAWAY `goaways` times: how many connections reach their Nth stream
 * depends on how the client spreads a burst over its connections (under load it opens more, each carrying
 * fewer), so one burst of 60 met 9 GOAWAYs in some runs and 10 or more in others. Every GET must succeed.
 */
async function burst(s: GoawayServer, count: number, goaways = 10): Promise<string[]> {
  await service.invoke('settings.set', { perOriginConcurrency: 4 })
  try {
    const paths: string[] = []
    for (let round = 0; s.goaways < goaways; round++) {
      if (round === MOST_BURSTS)
        throw new Error(`the server said GOAWAY ${s.goaways} times in ${round} bursts of ${count} GETs`)
      const batch = Array.from({ length: count }, (_, i) => `/get/${round}-${i}`)
      const results = await Promise.all(batch.map((p) => send(service, h2(s.port, p))))
      const failed = results.filter((r) => r.final.type !== 'done').map((r) => JSON.stringify(r.final))
      expect(failed).toEqual([])
      paths.push(...batch)
    }
    return paths
  } finally {
    await service.invoke('settings.set', { perOriginConcurrency: 64 })
  }
}
