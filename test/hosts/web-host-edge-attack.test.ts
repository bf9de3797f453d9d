import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src/web/server'
import { rawRequest, type RawAnswer } from './raw-http'
import { startTempWebHost, type TempWebHost } from './temp-web-host'

/**
 * The browser host at the edges static-files-attack does not reach: requests the HTTP parser refuses (too large,
 * malformed), a content-hashed file asked for with the token in its query, and requests that offer to switch
 * protocols (curl --http2 on an http:// URL offers h2c).
 */

const ENTRY = 'index-Q1wErTy8.js'
const ENTRY_TEXT = 'export const entry = 1'

describe('browser host edges', () => {
  let web: TempWebHost
  let host: WebHost
  const logged: string[] = []
  const get = (target: string, extra = ''): Promise<RawAnswer> =>
    rawRequest(
      host.port,
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${extra}Connection: close\r\n\r\n`,
    )

  beforeAll(async () => {
    web = await startTempWebHost({
      prefix: 'flightdeck-web-edge-',
      files: {
        'renderer/index.html': `<!doctype html><html><head><script type="module" src="./assets/${ENTRY}"></script></head><body></body></html>`,
        [`renderer/assets/${ENTRY}`]: ENTRY_TEXT,
      },
      log: (line) => logged.push(line),
    })
    host = web.host
  })

  afterAll(() => web?.close())

  it('a target or headers past the parser limit are a 431 that says so, never stored', async () => {
    for (const r of [
      await get(`/${'a'.repeat(20_000)}`),
      await get('/', `X-Big: ${'b'.repeat(20_000)}\r\n`),
    ]) {
      expect(r.status).toBe(431)
      expect(r.body).toMatch(/larger than this host reads \(\d+ KB\)/)
      expect(r.headers['cache-control']).toBe('no-store')
    }
  })

  it('a request the parser cannot read is a 400 that says so', async () => {
    const folded = await get('/', 'X-A: a\r\n b\r\n')
    expect(folded.status).toBe(400)
    expect(folded.body).toMatch(/^Malformed HTTP request \(HPE_[A-Z_]+\)\.\n$/)
    expect(folded.headers['cache-control']).toBe('no-store')
  })

  it('a content-hashed file asked for with a query (the token in it) is never stored', async () => {
    const bare = await get(`/assets/${ENTRY}`)
    expect([bare.status, bare.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable'])
    for (const query of [`?token=${host.token}`, '?', '?v=1']) {
      const r = await get(`/assets/${ENTRY}${query}`)
      expect([r.status, r.body, r.headers['cache-control']], query).toEqual([200, ENTRY_TEXT, 'no-store'])
    }
  })

  it('a request offering another protocol (h2c) is answered as a plain one: the page, its files, a 404', async () => {
    const h2c =
      'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n'
    const page = await rawRequest(host.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`)
    expect([page.status, page.headers['cache-control']]).toEqual([200, 'no-store'])
    expect(page.body).toContain('/* bridge */')
    const file = await rawRequest(
      host.port,
      `GET /assets/${ENTRY} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`,
    )
    expect([file.status, file.body]).toEqual([200, ENTRY_TEXT])
    const head = await rawRequest(host.port, `HEAD / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`)
    expect([head.status, head.body]).toEqual([200, ''])
    const missing = await rawRequest(
      host.port,
      `GET /nope HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${h2c}\r\n`,
    )
    expect([missing.status, missing.body]).toEqual([404, 'Not found.\n'])
    // The Host rule still holds on this path.
    const foreign = await rawRequest(host.port, `GET / HTTP/1.1\r\nHost: evil.example\r\n${h2c}\r\n`)
    expect(foreign.status).toBe(403)
    expect(logged.filter((l) => l.includes('web host error'))).toEqual([])
  })
})
