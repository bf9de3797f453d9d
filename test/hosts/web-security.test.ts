import { describe, expect, it } from 'vitest'
import {
  authorizeRequest,
  authorizeUpgrade,
  createToken,
  parseCookies,
  tokenCookie,
  tokenCookieName,
  tokensEqual,
} from '../../src/web/security'
import { cspHash, resolveStaticPath, servePage } from '../../src/web/static-files'

const token = 'T0k3n_abcdefghijklmnopqrstuvwxyz0123456789'
const port = 4321
const good = {
  url: `/?token=${token}`,
  host: `127.0.0.1:${port}`,
  origin: `http://127.0.0.1:${port}`,
  cookie: undefined,
}

describe('web host security rules', () => {
  it('makes a fresh 256-bit token per call', () => {
    const a = createToken()
    expect(Buffer.from(a, 'base64url')).toHaveLength(32)
    expect(createToken()).not.toBe(a)
  })

  it('compares tokens exactly', () => {
    expect(tokensEqual(token, token)).toBe(true)
    expect(tokensEqual(token, token.slice(0, -1))).toBe(false)
    expect(tokensEqual(token, `${token}x`)).toBe(false)
    expect(tokensEqual(token, undefined)).toBe(false)
  })

  it('accepts the token from the query or the per-port cookie', () => {
    expect(authorizeRequest(good, token, port)).toEqual({ ok: true, via: 'query' })
    const cookie = `other=1; ${tokenCookieName(port)}=${token}`
    expect(authorizeRequest({ ...good, url: '/assets/a.js', cookie }, token, port)).toEqual({
      ok: true,
      via: 'cookie',
    })
    expect(tokenCookie(port, token)).toMatch(/HttpOnly/)
    expect(tokenCookie(port, token)).toMatch(/SameSite=Strict/)
    expect(parseCookies(cookie).get(tokenCookieName(port))).toBe(token)
  })

  it('refuses no token, a wrong token, another port’s cookie and a bad Host', () => {
    expect(authorizeRequest({ ...good, url: '/' }, token, port)).toMatchObject({ ok: false, status: 403 })
    expect(authorizeRequest({ ...good, url: '/?token=nope' }, token, port)).toMatchObject({ ok: false })
    const wrongQueryGoodCookie = { ...good, url: '/?token=nope', cookie: `${tokenCookieName(port)}=${token}` }
    expect(authorizeRequest(wrongQueryGoodCookie, token, port)).toMatchObject({ ok: false })
    const otherPort = { ...good, url: '/', cookie: `${tokenCookieName(port + 1)}=${token}` }
    expect(authorizeRequest(otherPort, token, port)).toMatchObject({ ok: false })
    expect(authorizeRequest({ ...good, host: `evil.example:${port}` }, token, port)).toMatchObject({
      ok: false,
    })
    expect(authorizeRequest({ ...good, host: undefined }, token, port)).toMatchObject({ ok: false })
    expect(authorizeRequest({ ...good, host: `localhost:${port}` }, token, port)).toMatchObject({ ok: true })
  })

  it('a WebSocket upgrade also needs our own Origin', () => {
    const ws = { ...good, url: `/api?token=${token}` }
    expect(authorizeUpgrade(ws, token, port)).toMatchObject({ ok: true })
    expect(authorizeUpgrade({ ...ws, origin: `http://localhost:${port}` }, token, port)).toMatchObject({
      ok: true,
    })
    expect(authorizeUpgrade({ ...ws, origin: 'https://evil.example' }, token, port)).toMatchObject({
      ok: false,
    })
    expect(authorizeUpgrade({ ...ws, origin: `http://127.0.0.1:${port + 1}` }, token, port)).toMatchObject({
      ok: false,
    })
    expect(authorizeUpgrade({ ...ws, origin: 'null' }, token, port)).toMatchObject({ ok: false })
    expect(authorizeUpgrade({ ...ws, origin: undefined }, token, port)).toMatchObject({ ok: false })
  })
})

describe('static files', () => {
  it('never resolves outside the root', () => {
    expect(resolveStaticPath('/srv/r', '/assets/app.js')).toBe('/srv/r/assets/app.js')
    expect(resolveStaticPath('/srv/r', '/../etc/passwd')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/assets/../index.html')).toBe('/srv/r/index.html')
    expect(resolveStaticPath('/srv/r', '/..%5c..%5cetc')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/a%00b')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/%E0%A4%A')).toBeNull()
  })

  it("inlines the bridge before the module script and allows exactly its hash besides the page's own", () => {
    const pinned = "'sha256-AAAA'"
    const html =
      '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src ' +
      pinned +
      '; object-src \'none\'"><script type="module">app()</script></head></html>'
    const bridge = 'window.api = 1 // "</script>" <!-- \n//# sourceMappingURL=bridge.js.map\n'
    const page = servePage(html, bridge)
    const tag = page.html.indexOf('<script data-api-path="/api">')
    expect(tag).toBeGreaterThan(0)
    expect(tag).toBeLessThan(page.html.indexOf('type="module"'))
    // The inlined code cannot close its element early, and the source-map comment is gone.
    const code = page.html.slice(
      tag + '<script data-api-path="/api">'.length,
      page.html.indexOf('</script>', tag),
    )
    expect(code).toBe('window.api = 1 // "\\x3C/script>" \\x3C!-- \n')
    expect(page.scriptSources).toEqual([pinned, cspHash(code)])
    expect(page.html).toContain(`script-src ${pinned} ${cspHash(code)};`)
    // A page without a CSP meta (not ours) still gets the bridge; the header falls back to 'self'.
    const bare = servePage('<html><head></head></html>', 'x()')
    expect(bare.html).toContain('<script data-api-path="/api">x()</script></head>')
    expect(bare.scriptSources).toEqual(["'self'", cspHash('x()')])
  })
})
