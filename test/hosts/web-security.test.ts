import { describe, expect, it } from 'vitest'
import {
  authorizeRequest,
  authorizeUpgrade,
  chooseProtocol,
  createToken,
  offeredCredentials,
  tokensEqual,
  type Credentials,
} from '../../src/web/security'
import { OneTimeCodes } from '../../src/web/one-time-codes'
import { openerCommand } from '../../src/web/opener'
import { cspHash, resolveStaticPath, servePage } from '../../src/web/static-files'

const token = 'T0k3n_abcdefghijklmnopqrstuvwxyz0123456789'
const port = 4321
const page = { url: '/', host: `127.0.0.1:${port}`, origin: undefined }
const ws = { url: '/api', host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }

function credentials(live: string[] = []): Credentials & { taken: string[] } {
  const codes = new Set(live)
  const taken: string[] = []
  return {
    token,
    port,
    taken,
    launchIsLive: (code) => codes.has(code),
    takeLaunch: (code) => {
      taken.push(code)
      return codes.delete(code)
    },
  }
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

  it('serves the page and its files by Host alone, but a stale ?token= or ?launch= is refused with a reason', () => {
    const creds = credentials(['live-code'])
    expect(authorizeRequest(page, creds)).toEqual({ ok: true, via: 'none' })
    expect(authorizeRequest({ ...page, url: '/assets/a.js' }, creds)).toMatchObject({ ok: true })
    expect(authorizeRequest({ ...page, url: `/?token=${token}` }, creds)).toMatchObject({ ok: true })
    expect(authorizeRequest({ ...page, url: '/?launch=live-code' }, creds)).toMatchObject({ ok: true })
    // Looking at a launch code on the page request does not use it up; the socket does.
    expect(creds.taken).toEqual([])
    const wrong = authorizeRequest({ ...page, url: '/?token=nope' }, creds)
    expect(wrong).toMatchObject({ ok: false, status: 403 })
    if (!wrong.ok) expect(wrong.reason).toMatch(/Missing or wrong token/)
    const used = authorizeRequest({ ...page, url: '/?launch=used' }, creds)
    expect(used).toMatchObject({ ok: false, status: 403 })
    if (!used.ok) expect(used.reason).toMatch(/already used or has expired/)
  })

  it('refuses a foreign Host before anything else', () => {
    const creds = credentials()
    expect(authorizeRequest({ ...page, host: `evil.example:${port}` }, creds)).toMatchObject({ ok: false })
    expect(authorizeRequest({ ...page, host: undefined }, creds)).toMatchObject({ ok: false })
    expect(authorizeRequest({ ...page, host: `127.0.0.1:${port + 1}` }, creds)).toMatchObject({ ok: false })
    expect(authorizeRequest({ ...page, host: `localhost:${port}` }, creds)).toMatchObject({ ok: true })
  })

  it('a WebSocket needs our Origin and the token, in its subprotocol list or the query', () => {
    const creds = credentials()
    const viaProtocol = { ...ws, protocols: `flightdeck, flightdeck.token.${token}` }
    expect(authorizeUpgrade(viaProtocol, creds)).toEqual({ ok: true, via: 'token' })
    expect(authorizeUpgrade({ ...ws, url: `/api?token=${token}` }, creds)).toEqual({ ok: true, via: 'token' })
    expect(authorizeUpgrade({ ...viaProtocol, origin: `http://localhost:${port}` }, creds)).toMatchObject({
      ok: true,
    })
    expect(authorizeUpgrade(ws, creds)).toMatchObject({ ok: false, status: 403 })
    expect(authorizeUpgrade({ ...ws, protocols: 'flightdeck, flightdeck.token.nope' }, creds)).toMatchObject({
      ok: false,
    })
    // A wrong token in the list is not rescued by a right one in the query.
    const mixed = { ...ws, url: `/api?token=${token}`, protocols: 'flightdeck.token.nope' }
    expect(authorizeUpgrade(mixed, creds)).toMatchObject({ ok: false })
    for (const origin of ['https://evil.example', `http://127.0.0.1:${port + 1}`, 'null', undefined])
      expect(authorizeUpgrade({ ...viaProtocol, origin }, creds)).toMatchObject({ ok: false, status: 403 })
    expect(authorizeUpgrade({ ...viaProtocol, host: `evil.example:${port}` }, creds)).toMatchObject({
      ok: false,
    })
  })

  it('a launch code opens one socket; the second try is refused and says why', () => {
    const creds = credentials(['c0de'])
    const launch = { ...ws, protocols: 'flightdeck, flightdeck.launch.c0de' }
    expect(authorizeUpgrade(launch, creds)).toEqual({ ok: true, via: 'launch' })
    const again = authorizeUpgrade(launch, creds)
    expect(again).toMatchObject({ ok: false, status: 403 })
    if (!again.ok) expect(again.reason).toMatch(/launch link was already used/)
    // Not from another origin, and a foreign origin does not use the code up.
    const other = credentials(['c0de'])
    expect(authorizeUpgrade({ ...launch, origin: 'https://evil.example' }, other)).toMatchObject({
      ok: false,
    })
    expect(other.taken).toEqual([])
  })

  it('reads credentials from a subprotocol list and answers with our protocol name only', () => {
    expect(offeredCredentials('flightdeck, flightdeck.token.abc ,flightdeck.launch.xyz')).toEqual({
      token: 'abc',
      launch: 'xyz',
    })
    expect(offeredCredentials(undefined)).toEqual({})
    expect(chooseProtocol(new Set(['flightdeck', `flightdeck.token.${token}`]))).toBe('flightdeck')
    expect(chooseProtocol(new Set(['chat']))).toBe(false)
  })
})

describe('single-use codes', () => {
  it('work once, expire, and refuse to pile up past their bound', () => {
    let now = 1000
    const codes = new OneTimeCodes<string>({ ttlMs: 60_000, max: 2, now: () => now })
    const a = codes.mint('a')
    const b = codes.mint('b')
    if (!a.ok || !b.ok) throw new Error('mint failed')
    expect(Buffer.from(a.code, 'base64url')).toHaveLength(32)
    const full = codes.mint('c')
    expect(full).toMatchObject({ ok: false })
    if (!full.ok) expect(full.reason).toBe('2 are already waiting to be used (each is valid for 60 s)')
    expect(codes.peek(a.code)).toBe(true)
    expect(codes.take(a.code)).toBe('a')
    expect(codes.take(a.code)).toBeNull()
    now += 60_000
    expect(codes.peek(b.code)).toBe(false)
    expect(codes.take(b.code)).toBeNull()
    expect(codes.size).toBe(0)
    expect(codes.mint('d').ok).toBe(true)
  })
})

describe('browser opener', () => {
  it('runs FLIGHTDECK_BROWSER with the URL as its only argument, else the platform opener', () => {
    const url = 'http://127.0.0.1:1/?launch=x'
    expect(openerCommand(url, { FLIGHTDECK_BROWSER: '/opt/b' }, 'linux')).toEqual({
      cmd: '/opt/b',
      args: [url],
    })
    expect(openerCommand(url, {}, 'linux')).toEqual({ cmd: 'xdg-open', args: [url] })
    expect(openerCommand(url, {}, 'darwin')).toEqual({ cmd: 'open', args: [url] })
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
