import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { until } from './engine-client'
import { startEngine, stopEngines } from './store-over-engine'

/**
 * Get token with the authorization code grant where the host cannot open a browser (the browser host): the words
 * fit what the person did (there is no send to make again), and once they have signed in at the link, the token
 * shows under the button with no second click, from the one sign-in the engine was waiting for. Against the
 * fixture authorization server on 127.0.0.1:0, the person's browser played by TestBrowser.
 */

let idp: OAuthServer

beforeAll(async () => {
  idp = await startOAuthServer()
})

afterAll(async () => {
  await stopEngines()
  await idp.close()
})

describe('Get token with a sign-in the app cannot open', () => {
  it('gives the link in words for Get token, then shows the token once the person signed in', async () => {
    const store = startEngine().store()
    const auth: AuthSpec = {
      type: 'oauth2',
      grant: 'authorization_code',
      authUrl: `${idp.url}/authorize`,
      tokenUrl: `${idp.url}/token`,
      clientId: 'app',
      clientSecret: 'app-secret',
      scope: 'openid',
      clientAuth: 'basic',
      pkce: 'S256',
    }
    store.getState().setAuth(auth)
    await store.getState().getOAuth2Token()

    const asked = store.getState().oauth2Token
    const words = asked?.error?.message ?? ''
    expect(words).toMatch(
      /^OAuth 2\.0: sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+ \(within 300 s\): the token shows here once you have$/,
    )
    expect(words).not.toContain('send again')
    expect(asked?.signingIn).toBe(true)
    expect(asked?.busy).toBe(false)

    await new TestBrowser().follow(/https?:\/\/\S+/.exec(words)?.[0] ?? '')
    await until(() => store.getState().oauth2Token?.view != null, 10_000)
    const got = store.getState().oauth2Token
    expect(got?.error).toBeNull()
    expect(got?.signingIn).toBe(false)
    expect(got?.view).toMatchObject({ tokenType: 'Bearer', preview: '4 characters', scope: 'openid' })
    // One sign-in, one code exchanged.
    expect(idp.authorizations).toHaveLength(1)
    expect(idp.forms.map((f) => f['grant_type'])).toEqual(['authorization_code'])
  })
})
