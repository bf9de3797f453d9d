import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { until } from './engine-client'
import { startEngine, stopEngines } from './store-over-engine'
import { portRefused } from '../fixtures/port-refused'

/**
 * Cancel sign-in beside Get token (authorization code, the browser host): the wait ends at once, the ask shows
 * as cancelled (not as a failure), the engine's loopback listener is gone, and Get token starts a new sign-in —
 * only once the engine has answered the cancel (until then the button is held, so the port is free when it is not).
 * Against a real engine and the fixture authorization server on 127.0.0.1:0.
 */

let idp: OAuthServer

beforeAll(async () => {
  idp = await startOAuthServer()
})

afterAll(async () => {
  await stopEngines()
  await idp.close()
})

function redirectPort(words: string): number {
  const link = /https?:\/\/\S+/.exec(words)?.[0] ?? 'http://x/'
  return Number(new URL(new URL(link).searchParams.get('redirect_uri') ?? 'http://x/').port)
}

describe('Cancel sign-in', () => {
  it('ends the wait, says cancelled, closes the listener, and Get token starts anew', async () => {
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
    }
    store.getState().setAuth(auth)
    await store.getState().getOAuth2Token()
    expect(store.getState().oauth2Token?.signingIn).toBe(true)
    const port = redirectPort(store.getState().oauth2Token?.error?.message ?? '')
    expect(port).toBeGreaterThan(0)

    const cancelling = store.getState().cancelOAuth2SignIn()
    // Said at once; Get token waits for the engine's answer (the listener closed), not a moment less.
    expect(store.getState().oauth2Token).toMatchObject({ cancelled: true, ending: true, signingIn: false })
    await cancelling
    expect(store.getState().oauth2Token).toMatchObject({
      cancelled: true,
      ending: false,
      signingIn: false,
      busy: false,
      error: null,
      view: null,
    })
    expect(await portRefused(port)).toBe(true)
    // The ended wait's own answer does not replace the cancelled state.
    await new Promise((r) => setTimeout(r, 100))
    expect(store.getState().oauth2Token).toMatchObject({ cancelled: true, error: null })

    await store.getState().getOAuth2Token()
    await until(() => store.getState().oauth2Token?.signingIn === true, 5000)
    expect(store.getState().oauth2Token?.cancelled).toBe(false)
    expect(redirectPort(store.getState().oauth2Token?.error?.message ?? '')).not.toBe(port)
    await store.getState().cancelOAuth2SignIn()
  })
})
