import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { HarDocument, HarEntry } from '../../src/engine/har/har-types'
import type { RequestSentEvent, TimelineEvent } from '../../src/shared/timeline'
import { startTraceServer, type TraceServer } from '../fixtures/trace-server'
import { makeService, spec } from './helpers'

/**
 * The trace id in HAR: an exported entry of a traced send names it (`_traceId`), and importing the file puts it
 * back on the timeline, where the details, the hover card and the filter find it. A browser's HAR, which has no
 * `_traceId`, gives it from the traceparent it recorded.
 */

let server: TraceServer
let service: EngineService
const events: TimelineEvent[] = []

beforeAll(async () => {
  server = await startTraceServer()
  service = makeService({
    persistWorkspace: false,
    watchCollections: false,
    configDir: mkdtempSync(join(tmpdir(), 'fd-har-trace-config-')),
  })
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

const sentOf = (sid: string): RequestSentEvent | undefined => {
  service.flush()
  return events.find((e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === sid)
}

async function importHar(doc: HarDocument): Promise<string[]> {
  const r = await service.invoke('har.import', { text: JSON.stringify(doc), name: 'traced.har' })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sids
}

describe('trace ids in HAR', () => {
  it('an exported traced send has _traceId; imported again, its row has the same trace id and span', async () => {
    const r = await service.invoke('http.send', { request: spec(`${server.url}/echo`), trace: true })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sids[0] ?? ''
    await service.http.waitFor(sid)
    const plain = await service.invoke('http.send', { request: spec(`${server.url}/echo?plain=1`) })
    if (!plain.ok) throw new Error(plain.error.message)
    const plainSid = plain.value.sids[0] ?? ''
    await service.http.waitFor(plainSid)
    const sent = sentOf(sid)
    expect(sent?.traceId).toMatch(/^[0-9a-f]{32}$/)

    const exported = await service.invoke('har.export', { sids: [sid, plainSid] })
    if (!exported.ok) throw new Error(exported.error.message)
    const doc = JSON.parse(exported.value.har) as HarDocument
    const [traced, untraced] = doc.log.entries
    expect(traced?._traceId).toBe(sent?.traceId)
    expect(untraced?._traceId).toBeUndefined()

    const [again, againPlain] = await importHar(doc)
    expect(sentOf(again ?? '')?.traceId).toBe(sent?.traceId)
    expect(sentOf(again ?? '')?.spanId).toBe(sent?.spanId)
    expect(sentOf(againPlain ?? '')?.traceId).toBeUndefined()
  })

  it("a browser's HAR gives the trace id from the recorded traceparent; a _traceId that is no trace id is left out", async () => {
    const entry = (headers: { name: string; value: string }[], extra: Partial<HarEntry> = {}): HarEntry => ({
      startedDateTime: new Date().toISOString(),
      time: 3,
      request: {
        method: 'GET',
        url: 'https://shop.example/api/cart',
        httpVersion: 'HTTP/1.1',
        headers,
        headersSize: -1,
        bodySize: 0,
        cookies: [],
        queryString: [],
      },
      response: {
        status: 200,
        statusText: 'OK',
        httpVersion: 'HTTP/1.1',
        headers: [],
        headersSize: -1,
        bodySize: 0,
        cookies: [],
        redirectURL: '',
        content: { size: 0, mimeType: 'text/plain' },
      },
      cache: {},
      timings: { blocked: 0, dns: -1, connect: -1, send: 1, wait: 1, receive: 1, ssl: -1 },
      ...extra,
    })
    const header = [{ name: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }]
    const [browser, bogus] = await importHar({
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        entries: [entry(header), entry([], { _traceId: 'not a trace id' })],
      },
    })
    expect(sentOf(browser ?? '')?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(sentOf(browser ?? '')?.spanId).toBe('00f067aa0ba902b7')
    expect(sentOf(bogus ?? '')?.traceId).toBeUndefined()
  })
})
