import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { requestSizeText } from '../../src/renderer/details/request-size'
import { startHttp2Server, startHttpServer, type Fixture, type TlsFixture } from '../fixtures/servers'
import { done, eventsOf, makeService, send, spec } from '../engine/helpers'

/**
 * The Overview's request size names what its header figure is: over HTTP/1.1 the header block's bytes as written,
 * over HTTP/2 the headers' text (HPACK compresses them on the wire, and that size is not known). Real sends through
 * the engine to a Node HTTP/1.1 and a Node HTTP/2 server on 127.0.0.1.
 */
let h1: Fixture
let h2: TlsFixture
let service: EngineService

beforeAll(async () => {
  h1 = await startHttpServer()
  h2 = await startHttp2Server()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await h1.close()
  await h2.close()
})

describe("the Overview's request size", () => {
  it('over HTTP/2 says its header figure is the text, sent HPACK-compressed', async () => {
    const r = await send(service, spec(`${h2.url}/json`, {}, { insecure: true, http2: true }))
    expect(done(r).status).toBe(200)
    const sent = eventsOf(r, 'request-sent')[0]
    if (!sent) throw new Error('no request-sent event')
    expect(sent.protocol).toBe('h2')
    expect(requestSizeText(sent)).toMatch(/^\d+ B header text \(sent HPACK-compressed\) · 0 B body$/)
  })

  it('over HTTP/1.1 gives the header block as written', async () => {
    const r = await send(service, spec(`${h1.url}/json`))
    expect(done(r).status).toBe(200)
    const sent = eventsOf(r, 'request-sent')[0]
    if (!sent) throw new Error('no request-sent event')
    expect(requestSizeText(sent)).toBe(`${sent.headersBytes} B headers · 0 B body`)
  })
})
