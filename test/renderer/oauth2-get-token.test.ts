import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { AppStore } from '../../src/renderer/store/app-store'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines } from './store-over-engine'

/**
 * "Get token" in the OAuth 2.0 form, from the store over a real engine to a token endpoint on 127.0.0.1:0: the
 * token is fetched with the active environment's variables, its request is on the timeline, and the page gets
 * its type, the granted scope, its expiry and a masked preview, never the token. A second ask reuses the cached
 * token (no second request); the endpoint's refusal comes back in its own words.
 */

const TOKEN = `eyJ${'a'.repeat(40)}Z9kQ`
let server: Server
let base = ''
const hits: string[] = []
let dir = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      hits.push(`${req.method} ${req.url} ${body}`)
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (req.headers.authorization !== `Basic ${Buffer.from('app:s3cret').toString('base64')}`)
        return json(401, { error: 'invalid_client', error_description: 'Unknown client or wrong secret' })
      json(200, {
        access_token: TOKEN,
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'read write',
        refresh_token: 'r-1',
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'fd-get-token-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'staging.yaml'),
    `name: Staging\nvariables:\n  auth: ${base}\n  secret: s3cret\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'wrong.yaml'),
    `name: Wrong\nvariables:\n  auth: ${base}\n  secret: nope\n`,
  )
})

afterAll(async () => {
  await stopEngines()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

const OAUTH: AuthSpec = {
  type: 'oauth2',
  grant: 'client_credentials',
  tokenUrl: '{{auth}}/token',
  clientId: 'app',
  clientSecret: '{{secret}}',
  scope: 'read write',
  clientAuth: 'basic',
}

async function tabWithOAuth(env: string): Promise<AppStore> {
  const store = startEngine().store()
  await openCollection(store, dir)
  store.getState().setEnvironment(dir, env)
  store.getState().setAuth(OAUTH)
  return store
}

describe('Get token', () => {
  it('fetches the token with the environment, shows it masked, and reuses it from the cache', async () => {
    const store = await tabWithOAuth('staging')
    const before = Date.now()
    await store.getState().getOAuth2Token()
    const got = store.getState().oauth2Token
    expect(got?.error).toBeNull()
    expect(got?.view).toMatchObject({
      tokenType: 'Bearer',
      scope: 'read write',
      scopeGranted: true,
      preview: 'eyJa…Z9kQ (47 characters)',
      refreshable: true,
    })
    const expiresAt = got?.view?.expiresAt ?? 0
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_590_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000)
    // The page never holds the token itself.
    expect(JSON.stringify(got)).not.toContain(TOKEN)
    expect(hits).toHaveLength(1)
    expect(hits[0]).toMatch(/^POST \/token grant_type=client_credentials&scope=read\+write$/)
    // The token request is on the timeline, as a send's is.
    await until(() => Object.values(store.getState().timeline.rows).some((r) => r.status === 200))
    const rows = Object.values(store.getState().timeline.rows)
    expect(rows.map((r) => `${r.queued.method} ${r.queued.url} ${r.status}`)).toEqual([
      `POST ${base}/token 200`,
    ])

    // Asked again: the cached token, no second request.
    await store.getState().getOAuth2Token()
    expect(store.getState().oauth2Token?.view?.preview).toBe('eyJa…Z9kQ (47 characters)')
    expect(hits).toHaveLength(1)
  })

  it("says the token endpoint's refusal, and holds no token", async () => {
    hits.length = 0
    const store = await tabWithOAuth('wrong')
    await store.getState().getOAuth2Token()
    const got = store.getState().oauth2Token
    expect(got?.view).toBeNull()
    expect(got?.error?.message).toBe(
      'OAuth 2.0 token request was refused (invalid_client: Unknown client or wrong secret)',
    )
    expect(hits).toHaveLength(1)
  })
})
