import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, send, spec } from './helpers'

/**
 * A response head the same as the last one (same header bytes) is measured and read for Server-Timing once and
 * shared; each response must still carry its own size and its own Server-Timing. A server on 127.0.0.1 answers
 * with the same header block under different statuses, and with and without a Server-Timing header.
 */

let server: Server
let base = ''
let service: EngineService
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    const url = new URL(req.url ?? '/', 'http://x')
    // Fixed headers only (no Date), so two answers of a kind are the same bytes.
    res.sendDate = false
    res.setHeader('content-type', 'text/plain')
    if (url.searchParams.has('timed')) res.setHeader('server-timing', 'db;dur=12.5')
    res.statusCode = Number(url.searchParams.get('status') ?? '200')
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

async function head(query: string): Promise<{ bytes: number; timing: number[] | null }> {
  const out = await send(service, spec(`${base}/h?${query}`))
  const got = out.events.find((e) => e.type === 'response-headers')
  if (got?.type !== 'response-headers' || out.final.type !== 'done') throw new Error('no response')
  const timing = out.final.serverTiming?.entries.map((e) => e.dur ?? -1) ?? null
  return { bytes: got.headersBytes, timing }
}

describe('a response head like the last one', () => {
  it('has its own size under another status, and its own Server-Timing', async () => {
    const plain = await head('status=200')
    expect(await head('status=200')).toEqual(plain)
    // The same header block under 404: the status line ("Not Found" against "OK") is counted anew.
    const missing = await head('status=404')
    expect(missing.bytes - plain.bytes).toBe('Not Found'.length - 'OK'.length)
    expect(missing.timing).toBeNull()
    const timed = await head('status=200&timed')
    expect(timed.timing).toEqual([12.5])
    expect(await head('status=200&timed')).toEqual(timed)
    // Back to the block without it: no Server-Timing is carried over.
    expect(await head('status=200')).toEqual(plain)
    expect(plain.timing).toBeNull()
  })
})
