import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { har as validateHar, type HarValidationError } from 'har-validator'
import type { HarDocument, HarEntry } from '../../src/engine/har/har-types'
import { createEngineService, type EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import type { TimelineBatch } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startHttp2Server, startHttpServer, type Fixture, type TlsFixture } from '../fixtures/servers'

const spec = (url: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({
  method: 'GET',
  url,
  headers: [],
  body: { kind: 'none' },
  options: {},
  ...extra,
})

async function valid(doc: unknown): Promise<void> {
  try {
    await validateHar(doc)
  } catch (e) {
    const errs = (e as HarValidationError).errors ?? []
    throw new Error(`invalid HAR: ${JSON.stringify(errs.slice(0, 5))}`)
  }
}

/** HAR's rule for `time`: the sum of the phases, -1 counted as 0, ssl not added (it is inside connect). */
function phaseSum(e: HarEntry): number {
  const t = e.timings
  const p = (x: number): number => (x > 0 ? x : 0)
  return p(t.blocked) + p(t.dns) + p(t.connect) + t.send + t.wait + t.receive
}

describe('HAR export and import', () => {
  let http: Fixture
  let h2: TlsFixture
  let service: EngineService
  const events: TimelineEvent[] = []

  beforeAll(async () => {
    http = await startHttpServer()
    h2 = await startHttp2Server()
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    service.subscribe((b: TimelineBatch) => events.push(...b.events))
  })
  afterAll(async () => {
    await service.dispose()
    await http.close()
    await h2.close()
  })

  async function run(s: RequestSpec, count = 1): Promise<string[]> {
    const sent = await service.invoke('http.send', count === 1 ? { request: s } : { request: s, count })
    if (!sent.ok) throw new Error(sent.error.message)
    const all: string[] = []
    for (const sid of sent.value.sids) all.push(...(await service.http.waitFor(sid)).sids)
    return all
  }

  async function exported(sids: string[]): Promise<HarDocument> {
    const res = await service.invoke('har.export', { sids })
    if (!res.ok) throw new Error(res.error.message)
    expect(res.value.missing).toEqual([])
    return JSON.parse(res.value.har) as HarDocument
  }

  it('exports fresh and reused HTTP/1.1, HTTP/2 over TLS, a POST body, a redirect chain and an error as valid HAR 1.2', async () => {
    const sids = [
      ...(await run(spec(`${http.url}/json`))),
      // Sequential requests to the same origin: the later ones reuse the keep-alive connection.
      ...(await run(spec(`${http.url}/hello`))),
      ...(await run(spec(`${http.url}/hello`))),
      ...(await run(spec(`${h2.url}/json`, { options: { caFile: undefined, insecure: true } }))),
      ...(await run(
        spec(`${http.url}/echo?x=1&y=two`, {
          method: 'POST',
          headers: [{ name: 'Content-Type', value: 'application/json', enabled: true }],
          body: { kind: 'json', text: '{"a":1}' },
        }),
      )),
      ...(await run(spec(`${http.url}/redirect/2`))),
      ...(await run(spec(`http://127.0.0.1:1/refused`))),
    ]
    const doc = await exported(sids)
    await valid(doc)
    const entries = doc.log.entries
    expect(entries).toHaveLength(sids.length)
    expect(doc.log.creator.name).toBe('Flightdeck')

    for (const e of entries) {
      // Every entry adds up, to the microsecond the engine rounds to.
      expect(Math.abs(phaseSum(e) - e.time)).toBeLessThan(0.002)
      for (const k of ['send', 'wait', 'receive', 'blocked'] as const)
        expect(e.timings[k]).toBeGreaterThanOrEqual(0)
    }
    const byUrl = (part: string): HarEntry[] => entries.filter((e) => e.request.url.includes(part))
    const [fresh] = byUrl('/json').filter((e) => e.request.url.startsWith('http:'))
    const reused = byUrl('/hello').at(-1)
    // A new connection has connect (and no TLS on plain HTTP); a reused one has no DNS, connect or TLS at all.
    expect(fresh?.timings.connect).toBeGreaterThanOrEqual(0)
    expect(fresh?.timings.ssl).toBe(-1)
    expect(reused?.timings).toMatchObject({ dns: -1, connect: -1, ssl: -1 })
    expect(entries.filter((e) => e.connection === reused?.connection).length).toBeGreaterThan(1)

    const [tls] = byUrl('/json').filter((e) => e.request.url.startsWith('https:'))
    expect(tls?.timings.ssl).toBeGreaterThan(0)
    expect(tls?.timings.connect).toBeGreaterThanOrEqual(tls?.timings.ssl ?? Infinity)
    expect(tls?.request.httpVersion).toBe('HTTP/2')
    expect(tls?.response.httpVersion).toBe('HTTP/2')
    expect(JSON.parse(tls?.response.content.text ?? '')).toEqual({ ok: true, items: [1, 2, 3] })

    const [post] = byUrl('/echo')
    expect(post?.request.postData).toEqual({ mimeType: 'application/json', text: '{"a":1}' })
    expect(post?.request.queryString).toEqual([
      { name: 'x', value: '1' },
      { name: 'y', value: 'two' },
    ])

    const hops = byUrl('/redirect/')
    expect(hops.map((e) => [e.response.status, e.response.redirectURL !== ''])).toEqual([
      [302, true],
      [302, true],
      [200, false],
    ])
    // A redirect hop has real timings too, not zeros.
    expect(hops[0]?.timings.wait).toBeGreaterThan(0)

    const [refused] = byUrl('/refused')
    expect(refused?.response.status).toBe(0)
    expect(refused?._flightdeck?.error?.code).toBe('refused')
  })

  it('imports a HAR onto the timeline with its timings and bodies, and exports it back the same', async () => {
    const source = await exported(await run(spec(`${http.url}/json`), 3))
    const before = events.length
    const res = await service.invoke('har.import', { text: JSON.stringify(source), name: 'browser.har' })
    if (!res.ok) throw new Error(res.error.message)
    expect(res.value.sids).toHaveLength(3)
    expect(res.value.skipped).toEqual([])
    service.flush()
    const imported = events.slice(before).filter((e) => res.value.sids.includes(e.sid))
    const done = imported.filter((e): e is Extract<TimelineEvent, { type: 'done' }> => e.type === 'done')
    expect(done).toHaveLength(3)
    // Durations survive the trip, and the entries keep their spacing.
    expect(done.map((d) => d.timings.time)).toEqual(source.log.entries.map((e) => e.time))
    const queued = imported.filter((e) => e.type === 'queued')
    expect(queued.every((q) => q.type === 'queued' && q.batch?.id.startsWith('har:'))).toBe(true)
    // The body is in the engine: the response viewer reads it like any other.
    const body = await service.invoke('body.lines', {
      bodyId: done[0]?.body.id ?? '',
      view: 'pretty',
      from: 0,
      count: 2,
    })
    expect(body.ok && body.value.lines).toEqual(['{', '  "ok": true,'])

    const again = await exported(res.value.sids)
    await valid(again)
    expect(again.log.entries.map((e) => [e.request.url, e.response.status, e.timings])).toEqual(
      source.log.entries.map((e) => [e.request.url, e.response.status, e.timings]),
    )
  })

  it('turns an entry into an editable request, and refuses what is not a HAR', async () => {
    const [sid] = await run(
      spec(`${http.url}/echo`, {
        method: 'PUT',
        headers: [{ name: 'X-Trace', value: 'abc', enabled: true }],
        body: { kind: 'text', text: 'hello', contentType: 'text/plain' },
      }),
    )
    const req = await service.invoke('session.request', { sid: sid ?? '' })
    if (!req.ok) throw new Error(req.error.message)
    expect(req.value.method).toBe('PUT')
    expect(req.value.body).toEqual({ kind: 'text', text: 'hello', contentType: 'text/plain' })
    expect(req.value.headers.find((h) => h.name === 'X-Trace')?.value).toBe('abc')
    expect(req.value.headers.some((h) => h.name.toLowerCase() === 'content-length')).toBe(false)

    const curl = await service.invoke('session.snippet', { sid: sid ?? '', target: 'shell:curl' })
    if (!curl.ok) throw new Error(curl.error.message)
    expect(curl.value.code).toContain('curl --request PUT')
    expect(curl.value.code).toContain(`${http.url}/echo`)
    expect(curl.value.code).toContain("--header 'X-Trace: abc'")
    expect(curl.value.code).toContain('hello')
    const py = await service.invoke('session.snippet', { sid: sid ?? '', target: 'python:requests' })
    expect(py.ok && py.value.code).toContain('requests.put(')

    // A proxy's base64 body (postData.encoding) is the text it stands for: it was the base64 letters.
    const proxied = readFileSync(
      fileURLToPath(new URL('../fixtures/samples/formats/proxy-base64-bodies.har', import.meta.url)),
      'utf8',
    ).replaceAll('__STUB__', http.url)
    const onto = await service.invoke('har.import', { text: proxied, name: 'proxy.har' })
    if (!onto.ok) throw new Error(onto.error.message)
    const form = await service.invoke('session.request', { sid: onto.value.sids[0] ?? '' })
    expect(form.ok && form.value.body).toEqual({
      kind: 'text',
      text: 'currency=EUR&note=caf%C3%A9+bill',
      contentType: 'application/x-www-form-urlencoded',
    })
    // A binary one (17 bytes of protobuf) is not its base64 letters: Edit as new request leaves the body out and
    // says what it was, Copy as refuses, and a HAR of it again carries it as recorded.
    const sync = onto.value.sids[2] ?? ''
    const binary = await service.invoke('session.request', { sid: sync })
    if (!binary.ok) throw new Error(binary.error.message)
    expect(binary.value.body).toEqual({ kind: 'none' })
    expect(binary.value.note).toContain('17 bytes of binary (application/x-protobuf, base64 in the HAR)')
    const code = await service.invoke('session.snippet', { sid: sync, target: 'shell:curl' })
    expect(code.ok ? code.value.code : code.error.message).toContain(
      'its body is 17 bytes of binary (application/x-protobuf, base64 in the HAR)',
    )
    expect((await exported([sync])).log.entries[0]?.request.postData).toEqual({
      mimeType: 'application/x-protobuf',
      text: 'CJYBEgdyZWNlaXB0GgP//gA=',
      encoding: 'base64',
    })

    const bad = await service.invoke('har.import', { text: '{"nope":1}' })
    expect(bad.ok ? 'ok' : bad.error.code).toBe('parse')
  })
})
