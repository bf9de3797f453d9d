import { createSecureServer, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { KeyValue } from '../../src/shared/request'
import { makeTestPki } from '../fixtures/certs'
import { within } from '../fixtures/test-timers'
import { done, makeService, send, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An HTTP/2 extended CONNECT (RFC 8441: a CONNECT with `:protocol`, which opens a WebSocket or another protocol on
 * a stream) as the first request of a fresh engine, to a Node http2 server that allows it
 * (SETTINGS_ENABLE_CONNECT_PROTOCOL) and counts the sessions and streams it is given. Flightdeck sends none: each
 * way of asking for one ends at once in words, with nothing sent, and the engine's next request goes as usual.
 */
interface CountingH2 {
  url: string
  sessions: number
  /** Each stream's :method and :authority, in order. */
  streams: { method: string; authority: string }[]
  close(): Promise<void>
}

async function startCountingH2(): Promise<CountingH2> {
  const pki = await makeTestPki()
  const server: Http2SecureServer = createSecureServer({
    cert: pki.localhost.cert,
    key: pki.localhost.key,
    settings: { enableConnectProtocol: true },
  })
  const fixture: CountingH2 = { url: '', sessions: 0, streams: [], close: async () => undefined }
  server.on('session', (session) => {
    fixture.sessions++
    session.on('error', () => undefined)
  })
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    fixture.streams.push({ method: String(headers[':method']), authority: String(headers[':authority']) })
    stream.on('error', () => undefined)
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream' })
    stream.end('data: hello\n\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fixture.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  fixture.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Bounded: open sessions are not waited on.
      setTimeout(resolve, 1000).unref()
    })
  return fixture
}

const typed = (pairs: [string, string][]): KeyValue[] =>
  pairs.map(([name, value]) => ({ name, value, enabled: true }))
const overH2 = { insecure: true, http2: true }
const CONNECT_REFUSED =
  'Method CONNECT cannot be sent: a CONNECT asks a proxy to open a tunnel, and Flightdeck does not send one as a request. Nothing was sent'
const PROTOCOL_REFUSED = `Header ":protocol" is an HTTP/2 pseudo-header: it would make the request an extended CONNECT (RFC 8441), which opens another protocol on an HTTP/2 stream: Flightdeck sends none (its WebSocket requests open with HTTP/1.1's Upgrade). Remove it; nothing was sent`

describe('an HTTP/2 extended CONNECT as an engine’s first request', () => {
  let server: CountingH2
  let service: EngineService
  let rec: Recorder
  beforeAll(async () => {
    server = await startCountingH2()
  })
  beforeAll(() => {
    service = makeService()
    rec = record(service)
  })
  afterAll(async () => {
    rec.stop()
    await service.dispose()
    await server.close()
  })

  /** A send over HTTP/2, bounded: one that never ends fails here in 5 s. */
  const sendH2 = (method: string, headers: [string, string][]): ReturnType<typeof send> =>
    Promise.race([
      send(service, spec(`${server.url}/x`, { method, headers: typed(headers) }, overH2)),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the HTTP/2 request did not end within 5 s')), 5000).unref(),
      ),
    ])

  /** The error an SSE stream over HTTP/2 ended with, bounded to 5 s. */
  const streamError = async (method: string, headers: [string, string][]): Promise<string> => {
    const opened = await service.invoke('sse.open', {
      request: spec(`${server.url}/events`, { method, headers: typed(headers) }, overH2),
      stream: { reconnect: true },
    })
    if (!opened.ok) return opened.error.message
    const sid = opened.value.sid
    const outcome = await within(settle(service, sid), 5000, () => null)
    if (!outcome) await service.invoke('session.cancel', { sid })
    expect(outcome, 'the stream ended within 5 s').not.toBeNull()
    const error = rec.of(sid).find((e) => e.type === 'error')
    return error?.type === 'error' ? error.message : '(no error)'
  }

  it('a send is refused in words, nothing reaches the server, and the next request goes', async () => {
    for (const method of ['CONNECT', 'connect']) {
      const r = await sendH2(method, [[':protocol', 'websocket']])
      if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
      expect(r.final.code).toBe('invalid_request')
      expect(r.final.message).toBe(CONNECT_REFUSED)
    }
    const pseudo = await sendH2('GET', [[':protocol', 'websocket']])
    expect(pseudo.final.type === 'error' && pseudo.final.message).toBe(PROTOCOL_REFUSED)
    expect(server.streams).toEqual([])
    expect(server.sessions).toBe(0)
    expect(done(await sendH2('GET', [])).status).toBe(200)
    expect(server.streams.map((s) => s.method)).toEqual(['GET'])
  })

  it('an SSE stream ends with the same words at once, not reconnecting, with nothing sent', async () => {
    const before = server.streams.length
    expect(await streamError('CONNECT', [[':protocol', 'websocket']])).toBe(CONNECT_REFUSED)
    expect(await streamError('GET', [[':protocol', 'websocket']])).toBe(PROTOCOL_REFUSED)
    expect(server.streams.length).toBe(before)
  })

  it('other pseudo-headers are refused naming what to do instead; Host sets :authority', async () => {
    const authority = await sendH2('GET', [[':authority', 'other.example']])
    expect(authority.final.type === 'error' && authority.final.message).toBe(
      'Header ":authority" is an HTTP/2 pseudo-header: Flightdeck writes it from the URL; set Host to send another authority. Remove it; nothing was sent',
    )
    const path = await sendH2('GET', [[':path', '/elsewhere']])
    expect(path.final.type === 'error' && path.final.message).toBe(
      'Header ":path" is an HTTP/2 pseudo-header: Flightdeck writes the pseudo-headers from the request\'s method and URL. Remove it; nothing was sent',
    )
    expect(done(await sendH2('GET', [['Host', 'other.example']])).status).toBe(200)
    expect(server.streams.at(-1)).toEqual({ method: 'GET', authority: 'other.example' })
  })
})
