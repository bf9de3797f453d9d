import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import {
  startHttp2Server,
  startHttpServer,
  startHttpsServer,
  type Fixture,
  type TlsFixture,
} from '../fixtures/servers'
import { done, eventsOf, makeService, send, spec, writeTemp } from './helpers'

/**
 * Phase timings against delays the fixture server injects. Tolerances are generous upward (a loaded CI box is
 * slow) and tight downward (a phase can never be shorter than the delay that caused it).
 */

let http: Fixture
let https: TlsFixture
let h2: TlsFixture
let service: EngineService
let caFile: string

beforeAll(async () => {
  ;[http, https, h2] = await Promise.all([
    startHttpServer(),
    startHttpsServer('localhost'),
    startHttp2Server(),
  ])
  caFile = writeTemp('ca.pem', https.caPem)
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await Promise.all([http.close(), https.close(), h2.close()])
})

describe('phase timings', () => {
  it('a 300 ms header delay shows as ~300 ms waiting', async () => {
    const d = done(await send(service, spec(`${http.url}/delay?ms=300`)))
    expect(d.timings.wait).toBeGreaterThanOrEqual(295)
    expect(d.timings.wait).toBeLessThan(600)
    expect(d.timings.receive).toBeLessThan(100)
  })

  it('a 400 ms slow body shows as ~400 ms content download', async () => {
    const d = done(await send(service, spec(`${http.url}/slow?ms=400&chunks=8`)))
    expect(d.timings.receive).toBeGreaterThanOrEqual(330)
    expect(d.timings.receive).toBeLessThan(800)
    expect(d.timings.wait).toBeLessThan(150)
  })

  it('header delay and slow body land in their own phases', async () => {
    const d = done(await send(service, spec(`${http.url}/headers-delay-then-slow?headersMs=200&bodyMs=300`)))
    expect(d.timings.wait).toBeGreaterThanOrEqual(195)
    expect(d.timings.wait).toBeLessThan(500)
    expect(d.timings.receive).toBeGreaterThanOrEqual(230)
    expect(d.timings.receive).toBeLessThan(700)
  })

  it('time spent waiting for a per-origin slot is its own (blocked) phase', async () => {
    const svc = makeService({ settings: { perOriginConcurrency: 2, globalConcurrency: 100 } })
    try {
      const r = await svc.invoke('http.send', { request: spec(`${http.url}/delay?ms=200`), count: 6 })
      if (!r.ok) throw new Error(r.error.message)
      const results = await Promise.all(r.value.sids.map((s) => svc.http.waitFor(s)))
      const blocked = results.map((x) => done(x).timings.blocked).sort((a, b) => a - b)
      // Two go at once, two wait ~200 ms, two wait ~400 ms.
      expect(blocked[1]).toBeLessThan(100)
      expect(blocked[2]).toBeGreaterThanOrEqual(180)
      expect(blocked[5]).toBeGreaterThanOrEqual(370)
    } finally {
      await svc.dispose()
    }
  })
})

describe('TLS and HTTP/2', () => {
  it('HTTPS with a trusted CA reports TLS version, cipher and a TLS phase inside connect', async () => {
    const r = await send(service, spec(`${https.url}/hello`, {}, { caFile }))
    const d = done(r)
    const tls = eventsOf(r, 'tls')[0]
    expect(tls?.version).toMatch(/^TLSv1\.[23]$/)
    expect(tls?.cipher).toBeTruthy()
    expect(tls?.authorized).toBe(true)
    expect(d.timings.ssl).toBeGreaterThan(0)
    expect(d.timings.connect).toBeGreaterThanOrEqual(d.timings.ssl)
    expect(eventsOf(r, 'request-sent')[0]?.protocol).toBe('http/1.1')
  })

  it('negotiates HTTP/2 through ALPN', async () => {
    const r = await send(service, spec(`${h2.url}/json`, {}, { caFile: writeTemp('ca2.pem', h2.caPem) }))
    const d = done(r)
    expect(d.status).toBe(200)
    expect(eventsOf(r, 'request-sent')[0]?.protocol).toBe('h2')
    expect(eventsOf(r, 'response-headers')[0]?.httpVersion).toBe('2')
    expect(eventsOf(r, 'tls')[0]?.alpn).toBe('h2')
  })

  it('HTTP/2 streams share one connection', async () => {
    const ca = writeTemp('ca3.pem', h2.caPem)
    const svc = makeService()
    try {
      const first = await send(svc, spec(`${h2.url}/hello`, {}, { caFile: ca }))
      const second = await send(svc, spec(`${h2.url}/hello`, {}, { caFile: ca }))
      const a = eventsOf(first, 'request-sent')[0]
      const b = eventsOf(second, 'request-sent')[0]
      expect(b?.reused).toBe(true)
      expect(b?.connectionId).toBe(a?.connectionId)
      expect(done(second).timings.ssl).toBe(-1)
    } finally {
      await svc.dispose()
    }
  })

  it.each([
    ['selfSigned', 'tls_self_signed'],
    ['expired', 'tls_expired'],
    ['wrongHost', 'tls_hostname'],
  ] as const)(
    'a %s certificate fails with %s, and is accepted when the user allows it',
    async (cert, code) => {
      const server = await startHttpsServer(cert)
      try {
        const trustCa = cert === 'selfSigned' ? {} : { caFile: writeTemp(`ca-${cert}.pem`, server.caPem) }
        const bad = await send(service, spec(`${server.url}/hello`, {}, trustCa))
        expect(bad.final.type).toBe('error')
        if (bad.final.type === 'error') {
          expect(bad.final.code).toBe(code)
          expect(bad.final.message).toContain(`127.0.0.1:${server.port}`)
        }
        const ok = done(await send(service, spec(`${server.url}/hello`, {}, { insecure: true })))
        expect(ok.status).toBe(200)
      } finally {
        await server.close()
      }
    },
  )

  it('an untrusted CA without a CA file is a clear TLS error', async () => {
    const r = await send(service, spec(`${https.url}/hello`))
    expect(r.final.type === 'error' && r.final.code).toBe('tls')
  })
})
