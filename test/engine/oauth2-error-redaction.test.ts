import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redactUrlsIn } from '../../src/engine/auth/oauth2-redact'
import type { EngineService, EngineServiceOptions } from '../../src/engine/service'
import type { AuthSpec } from '../../src/shared/collection'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { makeService } from './helpers'

/**
 * An OAuth error names URLs (the sign-in page, an authorization URL that would not parse); a user name and
 * password or a credential typed into such a URL is not repeated in it. Against the real authorization server
 * the grant tests use.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>

/** What a person might type into the authorization URL, and must not see again in an error. */
const TYPED_SECRETS = ['alice', 's3cr3t-pw', 'typed-client-secret', 'typed-verifier']

describe('OAuth 2.0 error texts', () => {
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

  /** The authorization URL with a user name and password and two credentials in its query. */
  const typedUrl = (): string =>
    `${server.url.replace('http://', 'http://alice:s3cr3t-pw@')}/authorize?audience=orders&client_secret=typed-client-secret&code_verifier=typed-verifier`

  const code = (authUrl: string): OAuth2 => ({
    type: 'oauth2',
    grant: 'authorization_code',
    authUrl,
    tokenUrl: `${server.url}/token`,
    clientId: 'app',
    clientSecret: 'app-secret',
    scope: 'read',
    clientAuth: 'basic',
  })

  async function sendError(service: EngineService, auth: AuthSpec): Promise<string> {
    const request = {
      method: 'GET',
      url: `${server.url}/protected`,
      headers: [],
      body: { kind: 'none' as const },
      options: {},
    }
    const sent = await service.invoke('request.send', { request, auth })
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
    const text = await sendError(service, code(typedUrl()))
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
    const text = await sendError(service, code(typedUrl()))
    expect(text).toMatch(/could not open the sign-in page \(xdg-open exited with 3 for http:\/\/127\.0\.0\.1/)
    expectNoTypedSecret(text)
  })

  it('with no opener (the browser host) the "sign in at" link names none', async () => {
    const service = serviceWith({ oauthTimeoutMs: 2000 })
    const text = await sendError(service, code(typedUrl()))
    expect(text).toMatch(/^OAuth 2\.0: sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?audience=orders&/)
    expectNoTypedSecret(text)
  })

  it('an authorization URL that is not a URL is named without its password', async () => {
    const service = serviceWith({ oauthTimeoutMs: 2000 })
    const text = await sendError(service, code('https://alice:s3cr3t-pw@exa mple.test/authorize'))
    expect(text).toContain('is not a URL')
    expectNoTypedSecret(text)
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
