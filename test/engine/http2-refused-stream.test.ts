import { writeFileSync } from 'node:fs'
import { constants, createSecureServer, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import type { EngineService } from '../../src/engine/service'
import { makeTestPki } from '../fixtures/certs'
import { done, eventsOf, makeService, send, spec } from './helpers'
import { record, settle } from './stream-helpers'

/**
 * A stream an HTTP/2 server resets with REFUSED_STREAM was closed before any processing (RFC 9113 §8.7), so the
 * request goes once more on a new connection whatever its method, and the row says so; a server that refuses it
 * again gets no third send.
 */

let service: EngineService
let server: Http2SecureServer
let port = 0
let caFile = ''
/** How many times each path was refused before it is taken. */
const refuseFirst = new Map<string, number>()
/** What the server processed, by path, with the body it read. */
const processed = new Map<string, string[]>()

beforeAll(async () => {
  const pki = await makeTestPki()
  caFile = join(tmpdir(), `flightdeck-h2-refused-ca-${process.pid}.pem`)
  writeFileSync(caFile, pki.ca.cert)
  server = createSecureServer({ cert: pki.localhost.cert, key: pki.localhost.key, allowHTTP1: false })
  server.on('stream', (stream, headers) => {
    // A stream closed with an error code reports it on the server's side too: expected here.
    stream.on('error', () => undefined)
    const path = String(headers[':path'])
    if (path === '/names' || path === '/names-events') {
      answerNames(stream, path === '/names-events')
      return
    }
    const left = refuseFirst.get(path) ?? 0
    if (left > 0) {
      refuseFirst.set(path, left - 1)
      stream.close(constants.NGHTTP2_REFUSED_STREAM)
      return
    }
    let body = ''
    stream.on('data', (c: Buffer) => (body += c.toString()))
    stream.on('end', () => {
      processed.set(path, [...(processed.get(path) ?? []), body])
      stream.respond({ ':status': 201 })
      stream.end('taken')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
  service = makeService()
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
})

/**
 * Header and trailer values as an old server and a new one write them: `caf\xe9` (Latin-1, one byte) and `café` in
 * UTF-8 (two bytes). Node's http2 writes each character of a string as one byte, so the UTF-8 one is given as
 * the Latin-1 string of its bytes.
 */
function answerNames(stream: ServerHttp2Stream, events: boolean): void {
  const utf8 = Buffer.from('café').toString('latin1')
  const type = events ? { 'content-type': 'text/event-stream' } : {}
  // A 103 first, with the same two values: an interim response's fields are read as the final response's.
  if (!events) stream.additionalHeaders({ ':status': 103, 'x-latin': 'caf\xe9', 'x-utf8': utf8 })
  stream.respond(
    { ':status': 200, 'x-latin': 'caf\xe9', 'x-utf8': utf8, ...type },
    { waitForTrailers: !events },
  )
  if (events) {
    stream.end('data: names\n\n')
    return
  }
  stream.on('wantTrailers', () => stream.sendTrailers({ 'server-timing': `new;desc="${utf8}"` }))
  stream.end('names')
}

function post(path: string) {
  return spec(
    `https://localhost:${port}${path}`,
    { method: 'POST', body: { kind: 'text', text: 'order=42', contentType: 'text/plain' } },
    { caFile, http2: true },
  )
}

describe('HTTP/2 REFUSED_STREAM', () => {
  it('a POST whose stream the server refused before processing it goes once more, and the row says so', async () => {
    refuseFirst.set('/orders', 1)
    const r = await send(service, post('/orders'))
    expect(done(r).status).toBe(201)
    expect(processed.get('/orders')).toEqual(['order=42'])
    const sent = eventsOf(r, 'request-sent')
    // A stream refused alone leaves its connection open: the second send goes on it, and the note says no other.
    expect(sent.at(-1)?.note).toBe(
      'Sent a second time: the server refused the first stream before processing it (REFUSED_STREAM)',
    )
    expect(sent.at(-1)?.reused).toBe(true)
    expect(sent.at(-1)?.resent).toBe(true)
  })

  it('flightdeck send says, under the connection it went on, that the request was sent a second time', async () => {
    refuseFirst.set('/cli-orders', 1)
    let out = ''
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (out += t) }
    const url = `https://localhost:${port}/cli-orders`
    expect(await runCli(['send', url, '--cacert', caFile, '-d', 'order=7'], io), out).toBe(0)
    expect(processed.get('/cli-orders')).toEqual(['order=7'])
    expect(out).toMatch(
      /^remote {4}127\.0\.0\.1:\d+ {2}h2 {2}reused connection\nnote {6}Sent a second time: the server refused the first stream before processing it \(REFUSED_STREAM\)$/m,
    )
  })

  it('refused twice, it is not sent a third time, and the error says so', async () => {
    refuseFirst.set('/busy', 5)
    const r = await send(service, post('/busy'))
    expect(r.final.type).toBe('error')
    expect(r.final.type === 'error' ? r.final.message : '').toMatch(/refused the HTTP\/2 stream .* twice/)
    expect(refuseFirst.get('/busy')).toBe(3)
    expect(processed.get('/busy')).toBeUndefined()
  })
})

describe('HTTP/2 header values', () => {
  it('read as HTTP/1.1 reads them: UTF-8 when they are, else Latin-1, in headers and trailers', async () => {
    const r = await send(service, spec(`https://localhost:${port}/names`, {}, { caFile, http2: true }))
    const headers = eventsOf(r, 'response-headers')[0]?.headers ?? []
    expect(headers).toContainEqual(['x-latin', 'caf\u00e9'])
    expect(headers).toContainEqual(['x-utf8', 'caf\u00e9'])
    expect(done(r).serverTiming?.entries.map((e) => e.desc)).toEqual(['caf\u00e9'])
  })

  it('read the same way, in its 103 too, on a request that accepts server push (its own HTTP/2 client)', async () => {
    const r = await send(service, spec(`https://localhost:${port}/names`, {}, { caFile, acceptPush: true }))
    const headers = eventsOf(r, 'response-headers')[0]?.headers ?? []
    expect(headers).toContainEqual(['x-latin', 'caf\u00e9'])
    expect(headers).toContainEqual(['x-utf8', 'caf\u00e9'])
    expect(eventsOf(r, 'informational')[0]?.headers).toEqual([
      ['x-latin', 'caf\u00e9'],
      ['x-utf8', 'caf\u00e9'],
    ])
    expect(done(r).serverTiming?.entries.map((e) => e.desc)).toEqual(['caf\u00e9'])
  })

  it('read the same way on an SSE stream over HTTP/2', async () => {
    const rec = record(service)
    try {
      const opened = await service.invoke('sse.open', {
        request: spec(`https://localhost:${port}/names-events`, {}, { caFile, http2: true }),
        stream: { reconnect: false },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      const sid = opened.value.sid
      await settle(service, sid)
      const answer = rec.of(sid).find((e) => e.type === 'response-headers')
      const headers = answer?.type === 'response-headers' ? answer.headers : []
      expect(headers).toContainEqual(['x-latin', 'caf\u00e9'])
      expect(headers).toContainEqual(['x-utf8', 'caf\u00e9'])
    } finally {
      rec.stop()
    }
  })
})
