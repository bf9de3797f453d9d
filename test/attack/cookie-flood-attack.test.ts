import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, makeService, send, spec } from '../engine/helpers'

/**
 * A server that floods the cookie jar: 5,000 cookies in one answer, or one cookie of 200 KB. Before, the jar kept
 * them all, and every later request to that server carried them, a Cookie header of 130 KB that servers refuse
 * with 431, for the rest of the session. The jar now keeps what a browser keeps (4096 bytes of name and value,
 * 180 cookies a domain, the oldest going first).
 */

let server: Server
let url: string
let service: EngineService
const cookieHeaders: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    cookieHeaders.push(req.headers.cookie ?? '')
    if (req.url === '/many')
      res.setHeader(
        'set-cookie',
        Array.from({ length: 5000 }, (_, i) => `c${i}=${'v'.repeat(20)}; Path=/`),
      )
    if (req.url === '/huge')
      res.setHeader('set-cookie', [
        `big=${'x'.repeat(200 * 1024)}; Path=/`,
        `fits=${'y'.repeat(4000)}; Path=/`,
      ])
    res.end('ok')
  })
  // Node's own parser limit (16 KB of headers) is what answers 431 to an oversized Cookie header.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService({ persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const withCookies = { cookies: true }
const names = (header: string): string[] =>
  header ? header.split('; ').map((c) => c.split('=')[0] ?? '') : []

describe('a server that floods the cookie jar', () => {
  it('5,000 cookies in one answer: the next request goes through carrying the newest 180', async () => {
    expect(done(await send(service, spec(`${url}/many`, {}, withCookies))).status).toBe(200)
    expect(done(await send(service, spec(`${url}/next`, {}, withCookies))).status).toBe(200)
    const sent = names(cookieHeaders.at(-1) ?? '')
    expect(sent).toHaveLength(180)
    expect(sent).toContain('c4999')
    expect(sent).toContain('c4820')
    expect(sent).not.toContain('c4819')
    expect(sent).not.toContain('c0')
  })

  it('a 200 KB cookie (the most response headers Flightdeck reads is 256 KB) is not kept; a 4000-byte one beside it is', async () => {
    expect(done(await send(service, spec(`${url}/huge`, {}, withCookies))).status).toBe(200)
    expect(done(await send(service, spec(`${url}/after`, {}, withCookies))).status).toBe(200)
    const sent = names(cookieHeaders.at(-1) ?? '')
    expect(sent).toContain('fits')
    expect(sent).not.toContain('big')
  })
})
