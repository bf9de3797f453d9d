import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { within } from '../fixtures/test-timers'
import { done, makeService, send, spec, writeTemp } from './helpers'
import { settle } from './stream-helpers'

/**
 * A file body over 64 KB (streamed from the file, not read first) goes with its Content-Length from the SSE tab
 * as it does from a send: a server or LLM gateway that refuses a chunked upload takes it from both. A stub server
 * on 127.0.0.1 records each request's headers and how many body bytes came, and answers one event.
 */
interface Got {
  headers: IncomingHttpHeaders
  bytes: number
}

let server: Server
let url = ''
const got: Got[] = []
let service: EngineService
const SIZE = 200 * 1024
let file = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    let bytes = 0
    req.on('data', (c: Buffer) => (bytes += c.length))
    req.on('end', () => {
      got.push({ headers: req.headers, bytes })
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: ok\n\n')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
  file = writeTemp('body.bin', Buffer.alloc(SIZE, 0x61))
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
})

const request = () => spec(url, { method: 'POST', body: { kind: 'file', path: file } })

describe('a 200 KB file body', () => {
  it('goes over SSE with content-length: 204800 and no transfer-encoding', async () => {
    const opened = await service.invoke('sse.open', { request: request(), stream: { reconnect: false } })
    if (!opened.ok) throw new Error(opened.error.message)
    const outcome = await within(settle(service, opened.value.sid), 10_000, () => null)
    expect(outcome, 'the stream ended within 10 s').not.toBeNull()
    const sent = got.at(-1)
    expect(sent?.headers['content-length']).toBe(String(SIZE))
    expect(sent?.headers['transfer-encoding']).toBeUndefined()
    expect(sent?.bytes).toBe(SIZE)
  })

  it('goes from a send with the same framing', async () => {
    expect(done(await send(service, request())).status).toBe(200)
    const sent = got.at(-1)
    expect(sent?.headers['content-length']).toBe(String(SIZE))
    expect(sent?.headers['transfer-encoding']).toBeUndefined()
    expect(sent?.bytes).toBe(SIZE)
  })
})
