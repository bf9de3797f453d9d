import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src/web/server'
import { rawRequest } from '../hosts/raw-http'
import { startTempWebHost, type TempWebHost } from '../hosts/temp-web-host'

/**
 * Every answer of the browser host carries a Content-Security-Policy that lets nothing run or frame it, and no
 * Referer policy but `no-referrer`: not only the page and its files, but each refusal (a foreign Host, a wrong
 * method, a missing file, a refused WebSocket, a request the parser cannot read, one past its size limit). A
 * refusal's body is plain text today; the headers keep it inert should that ever change (a reflected name, an
 * HTML error page), and the page's URL with its token never leaves in a Referer from any of them.
 */

describe('browser host: security headers on every answer', () => {
  let web: TempWebHost
  let host: WebHost

  beforeAll(async () => {
    web = await startTempWebHost({
      prefix: 'flightdeck-web-headers-',
      files: {
        // As the build writes it: the entry pinned by hash in the page's own policy.
        'renderer/index.html': `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${'A'.repeat(43)}='"><script type="module" src="./assets/index-Q1wErTy8.js"></script></head></html>`,
        'renderer/assets/index-Q1wErTy8.js': 'export {}',
      },
    })
    host = web.host
  })

  afterAll(() => web?.close())

  it('the page, a file, and each kind of refusal', async () => {
    const own = `Host: 127.0.0.1:${host.port}\r\n`
    const upgrade = `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`
    const cases: [string, number, string][] = [
      ['the page', 200, `GET / HTTP/1.1\r\n${own}\r\n`],
      ['a file', 200, `GET /assets/index-Q1wErTy8.js HTTP/1.1\r\n${own}\r\n`],
      ['a missing file', 404, `GET /nope HTTP/1.1\r\n${own}\r\n`],
      ['a foreign Host (DNS rebinding)', 403, `GET / HTTP/1.1\r\nHost: evil.example:${host.port}\r\n\r\n`],
      ['a POST', 405, `POST / HTTP/1.1\r\n${own}Content-Length: 0\r\n\r\n`],
      ['the API without upgrading', 426, `GET /api HTTP/1.1\r\n${own}\r\n`],
      ['a download without a ticket', 403, `GET /download/body/b1 HTTP/1.1\r\n${own}\r\n`],
      [
        'a cross-origin WebSocket',
        403,
        `GET /api HTTP/1.1\r\n${own}Origin: http://evil.example\r\n${upgrade}\r\n`,
      ],
      [
        'a WebSocket without the token',
        403,
        `GET /api HTTP/1.1\r\n${own}Origin: http://127.0.0.1:${host.port}\r\n${upgrade}\r\n`,
      ],
      ['headers past the parser limit', 431, `GET / HTTP/1.1\r\n${own}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
      ['a request the parser cannot read', 400, `GET / HTTP/1.1\r\n${own}X-A: a\r\n b\r\n\r\n`],
    ]
    for (const [what, status, request] of cases) {
      const r = await rawRequest(host.port, request, true)
      expect(r.status, what).toBe(status)
      const policy = r.headers['content-security-policy'] ?? '(none)'
      expect(policy, what).toContain("default-src 'none'")
      expect(policy, what).toContain("frame-ancestors 'none'")
      expect(policy, what).not.toMatch(/script-src[^;]*'(self|unsafe-inline|unsafe-eval)'/)
      expect(r.headers['referrer-policy'], what).toBe('no-referrer')
      expect(r.headers['x-content-type-options'], what).toBe('nosniff')
    }
  })
})
