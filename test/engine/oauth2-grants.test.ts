import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import { redactUrlsIn } from '../../src/engine/auth/oauth2-redact'
import type { EngineService, EngineServiceOptions } from '../../src/engine/service'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { makeService } from './helpers'

/**
 * The OAuth 2.0 grants against a real authorization server on 127.0.0.1 (test/fixtures/oauth-server.ts), with a
 * test "browser" that follows the authorization URL by plain GETs to the engine's loopback listener. An OAuth
 * error names URLs (the sign-in page, an authorization URL that would not parse); a user name and password or a
 * credential typed into such a URL is not repeated in it.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>

/** What a person might type into the authorization URL, and must not see again in an error. */
const TYPED_SECRETS = ['alice', 's3cr3t-pw', 'typed-client-secret', 'typed-verifier']

const request = (url: string): RequestSpec => ({
  method: 'GET',
  url,
  headers: [],
  body: { kind: 'none' },
  options: {},
})

describe('OAuth 2.0 grants', () => {
  let server: OAuthServer
  const services: EngineService[] = []

  beforeAll(async () => {
    server = await startOAuthServer()
  })
  afterAll(() => server.close())
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.dispose()))
    server.reset()
  })

  const serviceWith = (options: Partial<EngineServiceOptions>): EngineService => {
    const s = makeService({ watchCollections: false, persistWorkspace: false, ...options })
    services.push(s)
    return s
  }

  const code = (extra: Partial<OAuth2> = {}): OAuth2 => ({
    type: 'oauth2',
    grant: 'authorization_code',
    authUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    clientId: 'app',
    clientSecret: 'app-secret',
    scope: 'read',
    clientAuth: 'basic',
    ...extra,
  })

  const password = (extra: Partial<OAuth2> = {}): OAuth2 => ({
    type: 'oauth2',
    grant: 'password',
    tokenUrl: `${server.url}/token`,
    clientId: 'app',
    clientSecret: 'app-secret',
    scope: 'read',
    clientAuth: 'body',
    username: 'alice',
    password: 'wonderland',
    ...extra,
  })

  /** Send to /protected (or `path`) with `auth`: the status and token the server saw, or the send's error. */
  async function sendProtected(
    service: EngineService,
    auth: AuthSpec,
    path = '/protected',
  ): Promise<{ status: number; token: string } | { error: string }> {
    const sent = await service.invoke('request.send', { request: request(`${server.url}${path}`), auth })
    if (!sent.ok) return { error: sent.error.message }
    const sid = sent.value.sids[0] ?? ''
    const result = await service.http.waitFor(sid)
    if (result.final.type !== 'done') return { error: `final ${result.final.type}` }
    const read = await service.http.bodies.read(result.final.body.id, 0, result.final.body.size, 'utf8')
    const body = read.ok ? (JSON.parse(read.value.data) as { token?: string }) : {}
    return { status: result.final.status, token: body.token ?? '' }
  }

  it('authorization code with PKCE S256: the browser signs in, the listener takes the code, the verifier is checked', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    const first = await sendProtected(service, code())
    expect(first).toEqual({ status: 200, token: 'at-1' })
    expect(browser.opened).toHaveLength(1)
    const asked = server.authorizations[0] ?? {}
    expect(asked['code_challenge_method']).toBe('S256')
    expect(asked['code_challenge']).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(asked['redirect_uri']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(asked['scope']).toBe('read')
    const form = server.forms[0] ?? {}
    expect(form['grant_type']).toBe('authorization_code')
    expect(form['code_verifier']).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(form['redirect_uri']).toBe(asked['redirect_uri'])
    await browser.settled()
    expect(browser.pages[0]?.status).toBe(200)

    // The listener answered once and is gone.
    const port = Number(new URL(asked['redirect_uri'] ?? '').port)
    const refused = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.on('connect', () => {
        s.destroy()
        resolve('connected')
      })
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
    })
    expect(refused).toBe('ECONNREFUSED')

    // Cached: the next send neither signs in again nor asks for a token.
    expect(await sendProtected(service, code())).toEqual({ status: 200, token: 'at-1' })
    expect(browser.opened).toHaveLength(1)
    expect(server.forms).toHaveLength(1)
  })

  it('the desktop app: the sign-in page goes to the system browser through the openExternal check', async () => {
    const browser = new TestBrowser()
    const opened: string[] = []
    // What the Electron host passes (shell.openExternal); here the test browser stands in for the system one.
    const service = serviceWith({
      openExternal: (url) => {
        opened.push(url)
        browser.open(url)
        return Promise.resolve()
      },
    })
    expect(await sendProtected(service, code())).toEqual({ status: 200, token: 'at-1' })
    expect(opened).toHaveLength(1)
    expect(opened[0]).toMatch(new RegExp(`^${server.url}/authorize\\?response_type=code&`))

    // A sign-in URL carrying credentials is not handed to the OS, and the send says why.
    const withUser = await sendProtected(
      service,
      code({ authUrl: server.url.replace('http://', 'http://user:pw@') + '/authorize', scope: 'other' }),
    )
    expect(withUser).toEqual({ error: expect.stringContaining('could not open the sign-in page') as unknown })
    expect(opened).toHaveLength(1)
  })

  it('a public client with plain PKCE names itself in the form and sends no secret', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    const r = await sendProtected(service, code({ clientId: 'spa', clientSecret: '', pkce: 'plain' }))
    expect(r).toMatchObject({ status: 200 })
    const asked = server.authorizations[0] ?? {}
    expect(asked['code_challenge_method']).toBe('plain')
    const form = server.forms[0] ?? {}
    expect(form['client_id']).toBe('spa')
    expect('client_secret' in form).toBe(false)
    expect(form['code_verifier']).toBe(asked['code_challenge'])
  })

  it('a redirect with the wrong state is refused, loudly, and its code is never exchanged', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    server.forgeState = 'forged'
    const r = await sendProtected(service, code())
    expect(r).toEqual({ error: expect.stringContaining('wrong state') as unknown })
    expect(server.forms).toHaveLength(0)
    await browser.settled()
    expect(browser.pages[0]?.status).toBe(400)
    expect(browser.pages[0]?.body).toContain('wrong state')
  })

  it('no sign-in within the timeout fails the send with the reason', async () => {
    const browser = new TestBrowser(false)
    const service = serviceWith({ oauthSignIn: browser.open, oauthTimeoutMs: 300 })
    const r = await sendProtected(service, code())
    expect(r).toEqual({ error: expect.stringContaining('no sign-in came back within 0.3 s') as unknown })
    expect(browser.opened).toHaveLength(1)
    expect(server.forms).toHaveLength(0)
  })

  it("a redirect URI that is not loopback (Postman's callback) is refused with what to use instead", async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    const r = await sendProtected(service, code({ redirectUri: 'https://oauth.pstmn.io/v1/callback' }))
    expect(r).toEqual({ error: expect.stringContaining('not a loopback address') as unknown })
    if ('error' in r) expect(r.error).toContain('http://127.0.0.1/callback')
    expect(browser.opened).toHaveLength(0)
  })

  it('a loopback redirect URI with no port gets a free one; its path is kept', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    const r = await sendProtected(service, code({ redirectUri: 'http://localhost/oauth/done' }))
    expect(r).toMatchObject({ status: 200 })
    expect(server.authorizations[0]?.['redirect_uri']).toMatch(/^http:\/\/localhost:\d+\/oauth\/done$/)
  })

  it('a loopback redirect URI with its own port is listened on at that port (taken: a loud error)', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const browser = new TestBrowser()
      const service = serviceWith({ oauthSignIn: browser.open })
      const r = await sendProtected(service, code({ redirectUri: `http://127.0.0.1:${port}/cb` }))
      expect(r).toEqual({
        error: `OAuth 2.0: cannot listen for the redirect on 127.0.0.1:${port} (EADDRINUSE)`,
      })
      expect(browser.opened).toHaveLength(0)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('concurrent sends share one sign-in and one token', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    const all = await Promise.all([1, 2, 3].map(() => sendProtected(service, code())))
    expect(all).toEqual([1, 2, 3].map(() => ({ status: 200, token: 'at-1' })))
    expect(browser.opened).toHaveLength(1)
    expect(server.forms).toHaveLength(1)
  })

  it('an expired token is renewed with the refresh token, without a second sign-in', async () => {
    const browser = new TestBrowser()
    const service = serviceWith({ oauthSignIn: browser.open })
    server.ttl = 5 // inside the 10 s margin: due for renewal at once
    expect(await sendProtected(service, code())).toMatchObject({ status: 200, token: 'at-1' })
    server.ttl = 3600
    expect(await sendProtected(service, code())).toMatchObject({ status: 200, token: 'at-2' })
    expect(browser.opened).toHaveLength(1)
    expect(server.forms.map((f) => f['grant_type'])).toEqual(['authorization_code', 'refresh_token'])
    expect(server.forms[1]?.['refresh_token']).toMatch(/^rt-1-/)
  })

  it('password grant: sends the credentials, renews by refresh, and a wrong password is refused in words', async () => {
    const service = serviceWith({})
    server.ttl = 5
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-1' })
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-2' })
    expect(server.forms.map((f) => f['grant_type'])).toEqual(['password', 'refresh_token'])
    expect(server.forms[0]).toMatchObject({ username: 'alice', password: 'wonderland', client_id: 'app' })

    const wrong = await sendProtected(service, password({ password: 'nope', username: 'bob' }))
    expect(wrong).toEqual({
      error: expect.stringContaining('invalid_grant: Wrong username or password') as unknown,
    })
  })

  it('a changed client secret or password fetches anew: a wrong one is refused, not served the cached token', async () => {
    const service = serviceWith({})
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-1' })
    expect(await sendProtected(service, password({ clientSecret: 'old-secret' }))).toEqual({
      error: expect.stringContaining('invalid_client: Unknown client or wrong secret') as unknown,
    })
    expect(await sendProtected(service, password({ password: 'nope' }))).toEqual({
      error: expect.stringContaining('invalid_grant: Wrong username or password') as unknown,
    })
    // The right secrets still have their token: no fourth request.
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-1' })
    expect(server.forms).toHaveLength(3)
  })

  it('a token sent in the query replaces an access_token the URL already has (a server reads the first)', async () => {
    const service = serviceWith({})
    const auth = password({ tokenIn: 'query' })
    const sent = await sendProtected(service, auth, '/protected-by-query?access_token=old&page=2')
    expect(sent).toMatchObject({ status: 200, token: 'at-1' })
  })

  it('a refused refresh token falls back to the grant itself', async () => {
    const service = serviceWith({})
    server.ttl = 5
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-1' })
    server.revokeRefreshTokens()
    server.ttl = 3600
    expect(await sendProtected(service, password())).toMatchObject({ status: 200, token: 'at-2' })
    expect(server.forms.map((f) => f['grant_type'])).toEqual(['password', 'refresh_token', 'password'])
  })

  it('the token goes to the request’s origin only: a redirect to another origin arrives without it', async () => {
    const other = await startOAuthServer()
    try {
      const service = serviceWith({})
      const sameOrigin = await service.invoke('request.send', {
        request: request(`${server.url}/redirect?to=${encodeURIComponent(`${server.url}/whoami`)}`),
        auth: password(),
      })
      const crossOrigin = await service.invoke('request.send', {
        request: request(`${server.url}/redirect?to=${encodeURIComponent(`${other.url}/whoami`)}`),
        auth: password(),
      })
      const seen: unknown[] = []
      for (const sent of [sameOrigin, crossOrigin]) {
        if (!sent.ok) throw new Error(sent.error.message)
        const result = await service.http.waitFor(sent.value.sids[0] ?? '')
        if (result.final.type !== 'done') throw new Error(result.final.type)
        const read = await service.http.bodies.read(result.final.body.id, 0, result.final.body.size, 'utf8')
        seen.push(read.ok ? JSON.parse(read.value.data) : null)
      }
      expect(seen).toEqual([{ authorization: 'Bearer at-1' }, { authorization: null }])
    } finally {
      await other.close()
    }
  })

  it('with no browser to open (the browser host), the send says where to sign in and the next send gets the token', async () => {
    const service = serviceWith({ oauthTimeoutMs: 20_000 })
    const first = await sendProtected(service, code())
    expect(first).toEqual({ error: expect.stringContaining('sign in at http://127.0.0.1:') as unknown })
    const url = 'error' in first ? (/sign in at (\S+)/.exec(first.error)?.[1] ?? '') : ''
    const browser = new TestBrowser()
    const waiting = sendProtected(service, code())
    await browser.follow(url)
    expect(await waiting).toEqual({ status: 200, token: 'at-1' })
    expect(server.forms).toHaveLength(1)
  })

  describe('error texts', () => {
    /** The authorization URL with a user name and password and two credentials in its query. */
    const typedUrl = (): string =>
      `${server.url.replace('http://', 'http://alice:s3cr3t-pw@')}/authorize?audience=orders&client_secret=typed-client-secret&code_verifier=typed-verifier`

    /** The failed send's message and detail, as the person reads them. */
    async function sendError(service: EngineService, auth: AuthSpec): Promise<string> {
      const sent = await service.invoke('request.send', { request: request(`${server.url}/protected`), auth })
      if (sent.ok) throw new Error('the send was expected to fail')
      return [sent.error.message, sent.error.detail ?? ''].join('\n')
    }

    function expectNoTypedSecret(text: string): void {
      for (const s of TYPED_SECRETS) expect(text).not.toContain(s)
    }

    it('the desktop app refuses to open a sign-in page with credentials in it, and the error repeats none', async () => {
      const opened: string[] = []
      const service = serviceWith({
        openExternal: (url) => {
          opened.push(url)
          return Promise.resolve()
        },
      })
      const text = await sendError(service, code({ authUrl: typedUrl() }))
      expect(opened).toEqual([])
      expect(text).toContain('could not open the sign-in page')
      // The link left is the page without the user name, with the harmless query kept.
      expect(text).toContain(`sign in at: ${server.url}/authorize?audience=orders&client_secret=[redacted]`)
      expectNoTypedSecret(text)
    })

    it('an opener that fails naming the URL: its message is redacted too', async () => {
      const service = serviceWith({
        oauthSignIn: (url) => {
          throw new Error(`xdg-open exited with 3 for ${url}`)
        },
      })
      const text = await sendError(service, code({ authUrl: typedUrl() }))
      expect(text).toMatch(
        /could not open the sign-in page \(xdg-open exited with 3 for http:\/\/127\.0\.0\.1/,
      )
      expectNoTypedSecret(text)
    })

    it('with no opener (the browser host) the "sign in at" link names none', async () => {
      const service = serviceWith({ oauthTimeoutMs: 2000 })
      const text = await sendError(service, code({ authUrl: typedUrl() }))
      expect(text).toMatch(/^OAuth 2\.0: sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?audience=orders&/)
      expectNoTypedSecret(text)
    })

    it('an authorization URL that is not a URL is named without its password', async () => {
      const service = serviceWith({ oauthTimeoutMs: 2000 })
      const text = await sendError(
        service,
        code({ authUrl: 'https://alice:s3cr3t-pw@exa mple.test/authorize' }),
      )
      expect(text).toContain('is not a URL')
      expectNoTypedSecret(text)
    })
  })
})

describe('redactUrlsIn', () => {
  it.each([
    ['see https://u:p@h.test/a?x=1#f', 'see https://h.test/a?x=1#f'],
    ['https://h.test/@me?password=hunter2&page=2', 'https://h.test/@me?password=[redacted]&page=2'],
    [
      '"https://h.test/?client%5Fsecret=abc" and http://x:y@[::1]:8/',
      '"https://h.test/?client%5Fsecret=[redacted]" and http://[::1]:8/',
    ],
    ['no url here: user:pw@host', 'no url here: user:pw@host'],
  ])('%s', (input, out) => {
    expect(redactUrlsIn(input)).toBe(out)
  })
})
