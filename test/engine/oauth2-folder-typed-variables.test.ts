import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec, Variable } from '../../src/shared/collection'
import type { EngineService } from '../../src/engine/service'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { isolatedService } from './helpers'

/**
 * A folder's (or the collection's) Get token, in its settings dialog, uses the variables the dialog shows, saved
 * or not: `oauth2.token` takes the dialog's rows for that folder's own scope. The token endpoint is a real
 * authorization server on 127.0.0.1 (test/fixtures/oauth-server.ts), which keeps every token request's form.
 */

const auth = (): Extract<AuthSpec, { type: 'oauth2' }> => ({
  type: 'oauth2',
  grant: 'client_credentials',
  tokenUrl: '{{idp}}/token',
  clientId: '{{clientId}}',
  clientSecret: '{{clientSecret}}',
  scope: 'read',
  clientAuth: 'body',
})

const row = (name: string, value: string, secret = false): Variable => ({ name, value, secret })

let server: OAuthServer
let root = ''
let dir = ''
const services: EngineService[] = []

beforeAll(async () => {
  server = await startOAuthServer()
  root = mkdtempSync(join(tmpdir(), 'fd-oauth-folder-typed-'))
  dir = join(root, 'collection')
  mkdirSync(join(dir, 'api'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Typed\nvariables:\n  idp: ${server.url}\n`,
  )
})

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()))
  server.reset()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

/** An engine with the folder `api` saved with `clientId: old` and the secret `clientSecret` stored as `stored`. */
async function withSavedFolder(stored: string): Promise<EngineService> {
  const service = isolatedService(root)
  services.push(service)
  expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
  const saved = await service.invoke('collection.saveFolder', {
    dir,
    path: 'api',
    variables: [row('clientId', 'old'), row('clientSecret', stored, true)],
    auth: auth(),
  })
  expect(saved.ok ? 'saved' : saved.error.message).toBe('saved')
  return service
}

describe("a folder's Get token with the settings dialog's unsaved variables", () => {
  it('the token request carries the client id typed in the dialog, not the saved one', async () => {
    const service = await withSavedFolder('app-secret')
    const got = await service.invoke('oauth2.token', {
      auth: auth(),
      context: { dir, path: 'api' },
      variables: [row('clientId', 'app'), row('clientSecret', '', true)],
    })
    expect(got.ok ? got.value.tokenType : got.error.message).toBe('Bearer')
    // The blank secret row kept the value stored on this machine, as saving the dialog would.
    expect(server.forms.map((f) => [f['client_id'], f['client_secret']])).toEqual([['app', 'app-secret']])
  })

  it('a secret typed in the dialog is used, and is not repeated in the answer', async () => {
    const service = await withSavedFolder('wrong-secret')
    const typed = [row('clientId', 'app'), row('clientSecret', 'app-secret', true)]
    const got = await service.invoke('oauth2.token', {
      auth: auth(),
      context: { dir, path: 'api' },
      variables: typed,
    })
    expect(got.ok ? got.value.tokenType : got.error.message).toBe('Bearer')
    expect(JSON.stringify(got)).not.toContain('app-secret')
    expect(server.forms.map((f) => f['client_secret'])).toEqual(['app-secret'])
  })

  it('the collection\'s settings (path "") use its typed rows the same way', async () => {
    const service = await withSavedFolder('app-secret')
    const got = await service.invoke('oauth2.token', {
      auth: { ...auth(), clientSecret: 'app-secret' },
      context: { dir, path: '' },
      variables: [row('idp', server.url), row('clientId', 'app')],
    })
    expect(got.ok ? got.value.tokenType : got.error.message).toBe('Bearer')
    expect(server.forms.map((f) => f['client_id'])).toEqual(['app'])
  })

  it('without rows (the composer) the saved variables are used', async () => {
    const service = await withSavedFolder('app-secret')
    const got = await service.invoke('oauth2.token', { auth: auth(), context: { dir, path: 'api' } })
    expect(got.ok ? 'a token' : got.error.message).toContain('invalid_client')
    expect(server.forms.map((f) => f['client_id'])).toEqual(['old'])
  })

  it('Cancel sign-in names the same sign-in with the same rows (the payload is accepted)', async () => {
    const service = await withSavedFolder('app-secret')
    const cancelled = await service.invoke('oauth2.cancelSignIn', {
      auth: auth(),
      context: { dir, path: 'api' },
      variables: [row('clientId', 'app'), row('clientSecret', '', true)],
    })
    expect(cancelled).toEqual({ ok: true, value: { cancelled: false } })
  })
})
