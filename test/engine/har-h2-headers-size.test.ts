import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { har as validateHar } from 'har-validator'
import type { HarDocument } from '../../src/engine/har/har-types'
import type { EngineService } from '../../src/engine/service'
import { startHttp2Server, startHttpServer, type Fixture, type TlsFixture } from '../fixtures/servers'
import { makeService, send, spec } from './helpers'

/**
 * HAR 1.2's `headersSize` is the header block's bytes as they crossed the wire, -1 when unknown. Over HTTP/2 the
 * block goes HPACK-compressed, which the engine does not see: the export writes -1 (as Chrome does) and keeps the
 * header text's size, what the timeline shows, in `_flightdeck.headersText`. Before, it wrote the text's size as
 * if it were the wire's. A node:http2 server and a node:http server on 127.0.0.1.
 */
let h1: Fixture
let h2: TlsFixture
let service: EngineService

beforeAll(async () => {
  h1 = await startHttpServer()
  h2 = await startHttp2Server()
  service = makeService({ persistWorkspace: false, watchCollections: false })
})
afterAll(async () => {
  await service.dispose()
  await h1.close()
  await h2.close()
})

async function exportedEntry(url: string, options = {}): Promise<HarDocument['log']['entries'][number]> {
  const result = await send(service, spec(url, {}, options))
  const res = await service.invoke('har.export', { sids: result.sids })
  if (!res.ok) throw new Error(res.error.message)
  const doc = JSON.parse(res.value.har) as HarDocument
  await validateHar(doc)
  const entry = doc.log.entries[0]
  if (!entry) throw new Error('no entry')
  return entry
}

describe('HAR headersSize', () => {
  it('is -1 over HTTP/2, with the header text’s size in _flightdeck.headersText', async () => {
    const e = await exportedEntry(`${h2.url}/json`, { insecure: true })
    expect([e.request.httpVersion, e.response.httpVersion]).toEqual(['HTTP/2', 'HTTP/2'])
    expect([e.request.headersSize, e.response.headersSize]).toEqual([-1, -1])
    expect(e._flightdeck?.headersText?.request).toBeGreaterThan(0)
    expect(e._flightdeck?.headersText?.response).toBeGreaterThan(0)
  })

  it('is the header block’s bytes over HTTP/1.1, with no headersText', async () => {
    const e = await exportedEntry(`${h1.url}/json`)
    expect(e.request.httpVersion).toBe('HTTP/1.1')
    expect(e.request.headersSize).toBeGreaterThan(0)
    expect(e.response.headersSize).toBeGreaterThan(0)
    expect(e._flightdeck?.headersText).toBeUndefined()
  })
})
