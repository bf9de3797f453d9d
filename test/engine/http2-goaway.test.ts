import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { makeTestPki, type TestPki } from '../fixtures/certs'
import { startGoawayServer, type GoawayServer } from '../fixtures/h2-goaway-server'
import { done, eventsOf, makeService, send, spec, writeTemp } from './helpers'

/**
 * A server that ends an HTTP/2 connection gracefully (GOAWAY, code 0) has not processed the streams above the
 * last stream it names (RFC 9113 §6.8). A request it cut off before any answer goes once more, on another
 * connection, when repeating it is harmless (an idempotent method); the timeline says it went twice; a POST is
 * not sent again and its error says why.
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

const RESENT = /Sent a second time, on a new connection: the server ended the first with an HTTP\/2 GOAWAY/

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
    expect(sent.at(-1)?.note).toMatch(RESENT)
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

  it('a POST the GOAWAY cut off is not sent again, and its error says so and why', async () => {
    server = await startGoawayServer(pki, { refuseStream: 2 })
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
    expect(server.processed.get('/post')).toBeUndefined()
    expect(eventsOf(post, 'request-sent')).toHaveLength(1)
  })

  it('a GET cut off twice fails the second time, naming both attempts (never a third)', async () => {
    // Every connection's first stream is refused: the resend meets the same, and stops there.
    server = await startGoawayServer(pki, { refuseStream: 1 })
    const r = await send(service, h2(server.port, '/never'))
    expect(r.final.type).toBe('error')
    if (r.final.type !== 'error') return
    expect(r.final.message).toMatch(
      /before answering, twice: the request was sent again once on a new connection/,
    )
    expect(server.refused).toBe(2)
    expect(server.processed.get('/never')).toBeUndefined()
  })

  it('a burst of GETs against a server that says GOAWAY after answering every 5th stream all succeed, each processed once', async () => {
    server = await startGoawayServer(pki, { streamsPerConnection: 5, goawayWhen: 'answered' })
    const paths = await burst(server, 60)
    for (const p of paths) expect(server.processed.get(p), p).toBe(1)
  })

  it("a burst of GETs against a server that says GOAWAY on every connection's 5th stream (nginx's keepalive_requests) all succeed", async () => {
    server = await startGoawayServer(pki, { streamsPerConnection: 5, goawayWhen: 'received' })
    const paths = await burst(server, 60)
    // The 5th stream is the last the server takes, and it answers it; undici drops that answer with the
    // connection, so only such a request can have been processed twice (a GET may be).
    for (const p of paths) {
      const n = server.processed.get(p)
      if (server.lastStreams.has(p)) expect(n, p).toBeGreaterThanOrEqual(1)
      else expect(n, p).toBe(1)
    }
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
