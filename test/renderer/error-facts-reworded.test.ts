import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '../../src/renderer/client/api-client'
import {
  templatedTexts,
  unknownNamedByRefusal,
  variableHints,
} from '../../src/renderer/composer/variable-hints'
import { createAppStore } from '../../src/renderer/store/app-store'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import type { AuthSpec } from '../../src/shared/collection'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { engineClient, until } from './engine-client'
import { startEngine, stopEngines } from './store-over-engine'

/**
 * The renderer acts on an error's facts, not its words: with every engine message reworded on its way (as a
 * rewording or a translation of the engine's sentences would), Get token still gives the sign-in link and takes
 * the token once the person signed in, and the variable hints still know the refusal named every unknown
 * variable. Against a real engine and the fixture authorization server on 127.0.0.1:0.
 */

const REWORDED = 'Something else entirely'

/** The client over a real engine, with every error's message replaced: only its facts are left to read. */
function reworded(client: ApiClient): ApiClient {
  return {
    invoke: async (name, payload) => {
      const r = await client.invoke(name, payload)
      return r.ok ? r : { ok: false, error: { ...r.error, message: REWORDED } }
    },
    on: (name, listener) => client.on(name, listener),
  }
}

let idp: OAuthServer

beforeAll(async () => {
  idp = await startOAuthServer()
})

afterAll(async () => {
  await stopEngines()
  await idp.close()
})

describe('errors read by their facts', () => {
  it('Get token gives the sign-in link from the error’s facts, whatever its words', async () => {
    const engine = startEngine()
    const store = createAppStore(reworded(engineClient(engine.service)), { localNow: () => 0 })
    store.getState().connect()
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

    const asked = store.getState().oauth2Token
    expect(asked?.signingIn).toBe(true)
    const words = asked?.error?.message ?? ''
    expect(words).toMatch(
      /^OAuth 2\.0: sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+ \(within 300 s\): the token shows here once you have$/,
    )
    await new TestBrowser().follow(/https?:\/\/\S+/.exec(words)?.[0] ?? '')
    await until(() => store.getState().oauth2Token?.view != null, 10_000)
    expect(store.getState().oauth2Token?.view).toMatchObject({ tokenType: 'Bearer', scope: 'openid' })
  })

  it('an unknown-variable refusal names its variables by its facts, whatever its words', async () => {
    const engine = startEngine()
    const store = createAppStore(reworded(engineClient(engine.service)), { localNow: () => 0 })
    store.getState().setUrl('http://127.0.0.1:9/{{first}}?b={{second}}')
    await store.getState().send()
    const refusal = store.getState().sendError
    expect(refusal).toMatchObject({ code: 'unknown_variable', message: REWORDED })
    const hints = variableHints(templatedTexts(selectActiveDraft(store.getState())), [])
    expect(hints.filter((h) => h.state === 'unknown').map((h) => h.name)).toEqual(['first', 'second'])
    // Named above (in the refusal): the hints do not list them a second time.
    expect(unknownNamedByRefusal(hints, refusal)).toBe(true)
    // A refusal naming only some of them leaves the hints to say the rest.
    expect(unknownNamedByRefusal(hints, { ...refusal!, unknown: ['first'] })).toBe(false)
    // Facts of the wrong shape (they crossed a process boundary) are not believed.
    expect(unknownNamedByRefusal(hints, { ...refusal!, unknown: 'first' as never })).toBe(false)
  })
})
