import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { savedToSpec } from '../../src/shared/collection'
import type { ImportReport } from '../../src/shared/collection-schemas'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { fixturePath, fixtureText, savedRequest } from './import-formats-helpers'
import { makeService } from './helpers'

/**
 * Postman, Insomnia and Bruno OAuth 2.0 auth, imported and sent: what reached the authorization server (grant,
 * PKCE, client credentials' placement, the resource owner's credentials) and that the request went out with the
 * token. Fixtures: test/fixtures/samples/formats/oauth2 (our own, in the structures those apps write).
 */

describe('OAuth 2.0 imports, sent against a real authorization server', () => {
  let server: OAuthServer
  let dir = ''
  let configDir = ''
  let browser: TestBrowser
  let service: EngineService

  beforeAll(async () => {
    server = await startOAuthServer()
  })
  afterAll(() => server.close())
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-oauth-import-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-oauth-import-config-'))
    browser = new TestBrowser()
    service = makeService({ configDir, watchCollections: false, oauthSignIn: browser.open })
  })
  afterEach(async () => {
    await service.dispose()
    server.reset()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  async function importFrom(source: { text: string } | { file: string }): Promise<ImportReport> {
    const r = await runImport(source, 'auto', dir, new MemorySecretStore())
    if (!r.ok) throw new Error(r.error.message)
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    return r.value
  }

  /** Send a saved request; the status /protected answered, or the send's error. */
  async function sendSaved(path: string): Promise<number | string> {
    const req = await savedRequest(dir, path)
    const r = await service.invoke('request.send', {
      request: savedToSpec(req),
      auth: req.auth,
      context: { dir, path },
    })
    if (!r.ok) return r.error.message
    const result = await service.http.waitFor(r.value.sids[0] ?? '')
    return result.final.type === 'done' ? result.final.status : result.final.type
  }

  it('Postman: code with PKCE (public client, form), password (Basic), and what is not run is reported', async () => {
    const report = await importFrom({ text: fixtureText('oauth2/postman-oauth2.json', server.url) })
    expect(await sendSaved('code-with-pkce.yaml')).toBe(200)
    expect(server.authorizations[0]).toMatchObject({
      client_id: 'spa',
      scope: 'read write',
      code_challenge_method: 'S256',
    })
    expect(server.authorizations[0]?.['redirect_uri']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(server.forms[0]).toMatchObject({ grant_type: 'authorization_code', client_id: 'spa' })
    expect(server.forms[0]?.['code_verifier']).toBeTruthy()

    expect(await sendSaved('password.yaml')).toBe(200)
    expect(server.forms[1]).toMatchObject({
      grant_type: 'password',
      username: 'alice',
      password: 'wonderland',
      scope: 'read',
    })

    const saved = await savedRequest(dir, 'postman-callback.yaml')
    expect(saved.auth).toMatchObject({ grant: 'authorization_code', pkce: 'off' })
    expect(await sendSaved('postman-callback.yaml')).toContain('not a loopback address')
    const notes = report.unmapped.join('\n')
    expect(notes).toContain('https://oauth.pstmn.io/v1/callback is not a loopback address')
    // The implicit grant is not run (its token comes back in a #fragment): it is the token to fill in.
    expect(notes).toContain(
      "Implicit: Postman OAuth 2.0 implicit grant, which Flightdeck does not run (its token comes back in the redirect's #fragment",
    )
    expect(notes).toContain(`set token to an access token got at ${server.url}/authorize`)
    expect((await savedRequest(dir, 'implicit.yaml')).auth).toEqual({ type: 'bearer', token: '{{token}}' })
    // addTokenTo: queryParams: the token goes as ?access_token=, beside the request's own query.
    expect((await savedRequest(dir, 'token-in-query.yaml')).auth).toMatchObject({ tokenIn: 'query' })
    expect(await sendSaved('token-in-query.yaml')).toBe(200)
    // Exported: Postman says it back; Insomnia, which sends the token in the header only, lists it as left out.
    const pm = await service.invoke('export.collection', { dir, format: 'postman' })
    const items = pm.ok
      ? (JSON.parse(pm.value.text) as { item: { name: string; request: unknown }[] }).item
      : []
    expect(items.find((i) => i.name === 'Token in query')?.request).toMatchObject({
      auth: {
        oauth2: expect.arrayContaining([
          expect.objectContaining({ key: 'addTokenTo', value: 'queryParams' }),
        ]),
      },
    })
    const ins = await service.invoke('export.collection', { dir, format: 'insomnia' })
    expect(ins.ok && ins.value.skipped).toContain(
      'token-in-query.yaml: the OAuth 2.0 token sent in the query not exported (Insomnia has no such field)',
    )
  })

  it('Insomnia: code with plain PKCE on a localhost redirect, password with credentials in the body', async () => {
    const report = await importFrom({ text: fixtureText('oauth2/insomnia-oauth2.json', server.url) })
    expect(await sendSaved('code-with-pkce.yaml')).toBe(200)
    expect(server.authorizations[0]).toMatchObject({ client_id: 'app', code_challenge_method: 'plain' })
    expect(server.authorizations[0]?.['redirect_uri']).toMatch(/^http:\/\/localhost:\d+\/insomnia\/callback$/)
    expect(server.forms[0]?.['code_verifier']).toBe(server.authorizations[0]?.['code_challenge'])

    expect(await sendSaved('password.yaml')).toBe(200)
    expect(server.forms[1]).toMatchObject({
      grant_type: 'password',
      username: 'alice',
      client_id: 'app',
      client_secret: 'app-secret',
    })
    expect(report.unmapped.join('\n')).toContain(
      'Implicit: Insomnia OAuth 2.0 implicit grant, which Flightdeck does not run',
    )
    expect((await savedRequest(dir, 'implicit.yaml')).auth).toEqual({ type: 'bearer', token: '{{token}}' })
  })

  it('Bruno: auth:oauth2 blocks for the code grant (pkce: true) and the password grant', async () => {
    const src = mkdtempSync(join(tmpdir(), 'fd-oauth-bruno-'))
    cpSync(fixturePath('oauth2/bruno'), src, { recursive: true })
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = join(d, n)
        if (statSync(p).isDirectory()) walk(p)
        else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__STUB__', server.url))
      }
    }
    walk(src)
    try {
      await importFrom({ file: src })
    } finally {
      rmSync(src, { recursive: true, force: true })
    }
    expect(await sendSaved('auth/code.yaml')).toBe(200)
    expect(server.authorizations[0]).toMatchObject({ code_challenge_method: 'S256', scope: 'read' })
    expect(server.authorizations[0]?.['redirect_uri']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bruno\/callback$/)
    expect(await sendSaved('auth/password.yaml')).toBe(200)
    expect(server.forms.map((f) => f['grant_type'])).toEqual(['authorization_code', 'password'])
  })

  it('OpenAPI: an oauth2 scheme with only an authorization code flow becomes that grant, written in schema order', async () => {
    const spec = [
      'openapi: 3.0.3',
      "info: { title: Shop, version: '1' }",
      `servers: [{ url: '${server.url}' }]`,
      'components:',
      '  securitySchemes:',
      '    idp:',
      '      type: oauth2',
      '      flows:',
      '        authorizationCode:',
      `          authorizationUrl: ${server.url}/authorize`,
      `          tokenUrl: ${server.url}/token`,
      '          scopes: { read: read things }',
      'security: [{ idp: [read] }]',
      'paths:',
      '  /protected:',
      '    get:',
      '      operationId: getProtected',
      "      responses: { '200': { description: ok } }",
      '',
    ].join('\n')
    const report = await importFrom({ text: spec })
    expect(report.unmapped.join('\n')).not.toContain('security scheme')
    const written = readFileSync(join(dir, 'collection.yaml'), 'utf8')
    expect(written).toContain(
      [
        'auth:',
        '  type: oauth2',
        '  grant: authorization_code',
        `  tokenUrl: ${server.url}/token`,
        '  clientId: "{{clientId}}"',
        '  clientSecret: "{{clientSecret}}"',
        '  scope: read',
        '  clientAuth: basic',
        `  authUrl: ${server.url}/authorize`,
        '  pkce: S256',
      ].join('\n'),
    )
  })
})
