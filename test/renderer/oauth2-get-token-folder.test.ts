import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines } from './store-over-engine'

/**
 * Get token in a folder's and in the collection's settings, from the store over a real engine to the fixture
 * authorization server on 127.0.0.1:0: the token is fetched with the collection's environment, and a request
 * inside that inherits the auth sends with that same token (its API answers 200; no second token request).
 */

let idp: OAuthServer
let dir = ''

const oauth = (scope: string): AuthSpec => ({
  type: 'oauth2',
  grant: 'client_credentials',
  tokenUrl: '{{idp}}/token',
  clientId: 'app',
  clientSecret: '{{secret}}',
  scope,
  clientAuth: 'basic',
})
const yamlOf = (scope: string): string =>
  "auth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: '{{idp}}/token'\n  clientId: app\n" +
  `  clientSecret: '{{secret}}'\n  scope: ${scope}\n  clientAuth: basic\n`

beforeAll(async () => {
  idp = await startOAuthServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-folder-token-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Shop\n${yamlOf('shop')}`)
  file('api/folder.yaml', yamlOf('orders'))
  file('api/protected.yaml', "name: Orders\nmethod: GET\nurl: '{{idp}}/protected'\n")
  file('ping.yaml', "name: Ping\nmethod: GET\nurl: '{{idp}}/protected'\n")
  file('environments/staging.yaml', `name: Staging\nvariables:\n  idp: ${idp.url}\n  secret: app-secret\n`)
})

afterAll(async () => {
  await stopEngines()
  await idp.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Send the saved request at `path` and wait for its API's status (the token request's row is not it). */
async function sendSaved(store: AppStore, path: string): Promise<number | null | undefined> {
  await store.getState().openRequest(dir, path)
  await store.getState().send()
  await until(() =>
    Object.values(store.getState().timeline.rows).some(
      (r) => r.queued.url.endsWith('/protected') && r.status !== null,
    ),
  )
  const row = Object.values(store.getState().timeline.rows).find((r) => r.queued.url.endsWith('/protected'))
  store.getState().clearFinished()
  return row?.status
}

describe("Get token in a folder's and the collection's settings", () => {
  it('gets the token the requests inheriting the auth then send with', async () => {
    const store = startEngine().store()
    await openCollection(store, dir)
    store.getState().setEnvironment(dir, 'staging')

    await store.getState().getFolderOAuth2Token(dir, 'api', oauth('orders'), [])
    const folder = store.getState().oauth2Token
    expect(folder?.error).toBeNull()
    expect(folder?.view).toMatchObject({ tokenType: 'Bearer', scope: 'orders', scopeGranted: true })
    expect(idp.forms.map((f) => f['scope'])).toEqual(['orders'])
    expect(await sendSaved(store, 'api/protected.yaml')).toBe(200)
    expect(idp.forms).toHaveLength(1)

    await store.getState().getFolderOAuth2Token(dir, '', oauth('shop'), [])
    expect(store.getState().oauth2Token?.view).toMatchObject({ scope: 'shop' })
    expect(idp.forms.map((f) => f['scope'])).toEqual(['orders', 'shop'])
    expect(await sendSaved(store, 'ping.yaml')).toBe(200)
    expect(idp.forms).toHaveLength(2)
  })

  it("uses the settings' variable rows as they are, not saved: the token request carries a typed one", async () => {
    const store = startEngine().store()
    await openCollection(store, dir)
    store.getState().setEnvironment(dir, 'staging')
    idp.forms.length = 0
    await store
      .getState()
      .getFolderOAuth2Token(dir, 'api', oauth('{{scopeTyped}}'), [
        { name: 'scopeTyped', value: 'typed-scope', secret: false },
      ])
    expect(store.getState().oauth2Token?.error).toBeNull()
    expect(idp.forms.map((f) => f['scope'])).toEqual(['typed-scope'])
    expect(store.getState().oauth2Token?.view).toMatchObject({ scope: 'typed-scope', scopeGranted: true })
  })
})
