import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import connectH2 from 'undici/lib/dispatcher/client-h2.js'
import symbols from 'undici/lib/core/symbols.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { KeyValue } from '../../src/shared/request'
import { missingForConnectionHeaders } from '../../src/engine/http/undici-internals'
import { startRawServer, type RawServer } from '../catalogue/raw-server'
import { startHttp2Server, type TlsFixture } from '../fixtures/servers'
import { done, eventsOf, makeService, send, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * TE and Proxy-Connection as a person types them (or a HAR carries them): over HTTP/1.1 they go as typed, as curl
 * sends them; over HTTP/2, which carries no connection-specific header (RFC 9113 §8.2.2), they are left off (a TE
 * naming trailers goes as "trailers") and the request-sent event says so. Node's http2 threw for them inside
 * undici's write, uncaught, and the request never ended. Real servers on 127.0.0.1: a raw one for HTTP/1.1's wire,
 * Node's http2 for HTTP/2.
 */
let raw: RawServer
let h2: TlsFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  service = makeService()
  rec = record(service)
  raw = await startRawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  h2 = await startHttp2Server()
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await raw.close()
  await h2.close()
})

const typed = (pairs: [string, string][]): KeyValue[] =>
  pairs.map(([name, value]) => ({ name, value, enabled: true }))
const overH2 = { insecure: true, http2: true }

/** Sends over HTTP/2, bounded: a request that never ends fails here in 5 s. */
async function sendH2(headers: [string, string][]): Promise<Awaited<ReturnType<typeof send>>> {
  const r = send(service, spec(`${h2.url}/json`, { headers: typed(headers) }, overH2))
  const bound = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('the HTTP/2 request did not end within 5 s')), 5000).unref(),
  )
  return Promise.race([r, bound])
}

/** Opens an SSE stream over HTTP/2 and waits, bounded, for it to end; returns its sid. */
async function streamH2(headers: [string, string][]): Promise<string> {
  const opened = await service.invoke('sse.open', {
    request: spec(`${h2.url}/json`, { headers: typed(headers) }, overH2),
    stream: { reconnect: false },
  })
  if (!opened.ok) throw new Error(opened.error.message)
  const sid = opened.value.sid
  const outcome = await Promise.race([
    settle(service, sid),
    new Promise<null>((r) => setTimeout(r, 5000, null)),
  ])
  if (!outcome) await service.invoke('session.cancel', { sid })
  expect(outcome, 'the stream ended within 5 s').not.toBeNull()
  return sid
}

describe('connection-specific headers a person typed', () => {
  it('go as typed over HTTP/1.1', async () => {
    const headers: [string, string][] = [
      ['TE', 'chunked'],
      ['Proxy-Connection', 'keep-alive'],
    ]
    const r = await send(service, spec(`${raw.url}/as-typed`, { headers: typed(headers) }))
    expect(done(r).status).toBe(200)
    const lines = (raw.heads.at(-1) ?? '').split('\r\n')
    expect(lines).toContain('TE: chunked')
    expect(lines).toContain('Proxy-Connection: keep-alive')
    expect(eventsOf(r, 'request-sent')[0]?.note).toBeUndefined()
  })

  it('are left off over HTTP/2, which has none, and the request-sent event says so', async () => {
    const r = await sendH2([
      ['Proxy-Connection', 'keep-alive'],
      ['TE', 'chunked'],
      ['X-Kept', '1'],
    ])
    expect(done(r).status).toBe(200)
    const got = h2.requests.at(-1)
    expect(got?.headers['x-kept']).toBe('1')
    expect(got?.headers['proxy-connection']).toBeUndefined()
    expect(got?.headers['te']).toBeUndefined()
    const sent = eventsOf(r, 'request-sent')[0]
    expect(sent?.protocol).toBe('h2')
    expect(sent?.note).toBe(
      'Not sent as typed over HTTP/2, which carries no connection-specific header (RFC 9113 §8.2.2): Proxy-Connection, TE',
    )
    expect(sent?.headers.map(([name]) => name.toLowerCase())).not.toContain('te')
    // The header byte count is of what went: the same as the request typed without them.
    const plain = await sendH2([['X-Kept', '1']])
    expect(sent?.headersBytes).toBe(eventsOf(plain, 'request-sent')[0]?.headersBytes)
  })

  it('a TE naming trailers goes over HTTP/2 as "trailers", as gRPC-web asks', async () => {
    const exact = await sendH2([['TE', 'trailers']])
    expect(done(exact).status).toBe(200)
    expect(h2.requests.at(-1)?.headers['te']).toBe('trailers')
    expect(eventsOf(exact, 'request-sent')[0]?.note).toBeUndefined()
    const listed = await sendH2([['TE', 'gzip, Trailers']])
    expect(done(listed).status).toBe(200)
    expect(h2.requests.at(-1)?.headers['te']).toBe('trailers')
    expect(eventsOf(listed, 'request-sent')[0]?.note).toMatch(/: TE: gzip, Trailers \(sent as "trailers"\)$/)
  })

  it('an SSE stream over HTTP/2 with one is sent without it and ends', async () => {
    const before = h2.requests.length
    const sid = await streamH2([['Proxy-Connection', 'keep-alive']])
    expect(h2.requests.length).toBe(before + 1)
    expect(h2.requests.at(-1)?.headers[':method']).toBe('GET')
    expect(h2.requests.at(-1)?.headers['proxy-connection']).toBeUndefined()
    // The stream's request view shows what was sent, and says what was left off, as a send's does.
    const sent = rec.of(sid).find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.headers.map(([name]) => name.toLowerCase())).not.toContain(
      'proxy-connection',
    )
    expect(sent?.type === 'request-sent' && sent.note).toBe(
      'Not sent as typed over HTTP/2, which carries no connection-specific header (RFC 9113 §8.2.2): Proxy-Connection',
    )
    const plain = rec.of(await streamH2([])).find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.headersBytes).toBe(
      plain?.type === 'request-sent' && plain.headersBytes,
    )
  })
})

describe("what the HTTP/2 guard needs of undici's insides", () => {
  const clientH2 = readFileSync(
    createRequire(import.meta.url).resolve('undici/lib/dispatcher/client-h2.js'),
    'utf8',
  )
  const installed = { symbols, poolBase: {}, connectH2 }

  it('is all in the installed undici (a later one that lacks any fails here, naming it)', () => {
    expect(missingForConnectionHeaders(installed, clientH2)).toEqual([])
  })

  it('names what an undici without it lacks', () => {
    const bare = { symbols: {}, poolBase: {}, connectH2: function connectH2() {} }
    expect(missingForConnectionHeaders(bare, 'function writeH2 (client, request) {}')).toEqual([
      'core/symbols kHTTP2Session',
      "dispatcher/client-h2's connectH2 setting socket[kHTTP2Session]",
      "dispatcher/client-h2's writeH2 publishing sendHeaders with the socket before session.request",
    ])
    // The headers handed to the session before they are published: too late to guard them.
    const late = clientH2.replace(
      /function writeH2[\s\S]*?\nfunction /,
      'function writeH2 () {\n  stream = session.request(headers)\n  channels.sendHeaders.publish({ request, headers: header, socket: session[kSocket] })\n}\nfunction ',
    )
    expect(missingForConnectionHeaders(installed, late)).toEqual([
      "dispatcher/client-h2's writeH2 publishing sendHeaders with the socket before session.request",
    ])
  })
})
