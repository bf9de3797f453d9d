import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import type { EngineService, EngineServiceOptions } from '../../src/engine/service'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { makeService } from './helpers'
import { portRefused } from '../fixtures/port-refused'

/**
 * Errors carry their facts beside their words, so a host acts on the facts (the renderer's sign-in link, its
 * variable hints) and a reworded message breaks nothing: a refused send names its unknown variables in
 * `unknown`, and a sign-in the engine cannot open itself gives its page and wait in `signIn`. A sign-in can be
 * ended before its timeout: its loopback listener closes at once. Real servers on 127.0.0.1:0.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>

const services: EngineService[] = []
let idp: OAuthServer
let stub: Server
let stubUrl = ''
let stubHits = 0

beforeAll(async () => {
  idp = await startOAuthServer()
  stub = createServer((_req, res) => {
    stubHits += 1
    res.end('ok')
  })
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`
})

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()))
  idp.reset()
})

afterAll(async () => {
  await idp.close()
  await new Promise((resolve) => stub.close(resolve))
})

function serviceWith(options: Partial<EngineServiceOptions> = {}): EngineService {
  const s = makeService({ watchCollections: false, persistWorkspace: false, ...options })
  services.push(s)
  return s
}

const request = (url: string): RequestSpec => ({
  method: 'GET',
  url,
  headers: [{ name: 'X-Who', value: '{{who}}', enabled: true }],
  body: { kind: 'none' },
  options: {},
})

const code = (): OAuth2 => ({
  type: 'oauth2',
  grant: 'authorization_code',
  authUrl: `${idp.url}/authorize`,
  tokenUrl: `${idp.url}/token`,
  clientId: 'app',
  clientSecret: 'app-secret',
  scope: 'read',
  clientAuth: 'basic',
})

/** The loopback port the sign-in link sends the browser back to. */
function redirectPort(signInUrl: string): number {
  return Number(new URL(new URL(signInUrl).searchParams.get('redirect_uri') ?? '').port)
}

describe('errors carry their facts', () => {
  it('a send refused for unknown variables names them in `unknown`, and nothing goes out', async () => {
    const service = serviceWith()
    const sent = await service.invoke('request.send', {
      request: request(`${stubUrl}/items/{{id}}?q={{query}}&again={{id}}`),
      auth: { type: 'none' },
    })
    expect(sent.ok).toBe(false)
    if (sent.ok) return
    expect(sent.error.code).toBe('unknown_variable')
    expect(sent.error.unknown).toEqual(['id', 'query', 'who'])
    expect(stubHits).toBe(0)
  })

  it('a sign-in the engine cannot open gives its page and how long it waits in `signIn`', async () => {
    const service = serviceWith({ oauthTimeoutMs: 20_000 })
    const asked = await service.invoke('oauth2.token', { auth: code() })
    expect(asked.ok).toBe(false)
    if (asked.ok) return
    const signIn = asked.error.signIn
    expect(signIn?.withinMs).toBe(20_000)
    expect(signIn?.url).toMatch(new RegExp(`^${idp.url}/authorize\\?`))
    // The link is the real one: followed, the awaited sign-in brings the token.
    const waiting = service.invoke('oauth2.token', { auth: code() })
    await new TestBrowser().follow(signIn?.url ?? '')
    expect(await waiting).toMatchObject({ ok: true, value: { tokenType: 'Bearer' } })
  })

  it('the sign-in link in `signIn` repeats no credential typed into the authorization URL', async () => {
    const service = serviceWith({ oauthTimeoutMs: 2000 })
    const typed = `${idp.url.replace('http://', 'http://alice:s3cr3t-pw@')}/authorize?client_secret=typed-secret`
    const asked = await service.invoke('oauth2.token', { auth: { ...code(), authUrl: typed } })
    const url = asked.ok ? '' : (asked.error.signIn?.url ?? '')
    expect(url).toMatch(new RegExp(`^${idp.url}/authorize\\?client_secret=\\[redacted\\]&`))
    for (const secret of ['alice', 's3cr3t-pw', 'typed-secret']) expect(url).not.toContain(secret)
  })
})

describe('cancelling a sign-in', () => {
  it('closes the loopback listener at once and ends the wait as cancelled', async () => {
    const service = serviceWith({ oauthTimeoutMs: 60_000 })
    const asked = await service.invoke('oauth2.token', { auth: code() })
    const url = asked.ok ? '' : (asked.error.signIn?.url ?? '')
    const port = redirectPort(url)
    expect(port).toBeGreaterThan(0)
    expect(await portRefused(port)).toBe(false)

    const waiting = service.invoke('oauth2.token', { auth: code() })
    const started = Date.now()
    expect(await service.invoke('oauth2.cancelSignIn', { auth: code() })).toEqual({
      ok: true,
      value: { cancelled: true },
    })
    expect(await portRefused(port)).toBe(true)
    const ended = await waiting
    expect(Date.now() - started).toBeLessThan(5000)
    expect(ended).toMatchObject({
      ok: false,
      error: { code: 'auth', message: 'OAuth 2.0: the sign-in was cancelled' },
    })
    // Nothing is left to cancel, and the next Get token starts a new sign-in.
    expect(await service.invoke('oauth2.cancelSignIn', { auth: code() })).toEqual({
      ok: true,
      value: { cancelled: false },
    })
    const again = await service.invoke('oauth2.token', { auth: code() })
    const next = again.ok ? '' : (again.error.signIn?.url ?? '')
    expect(redirectPort(next)).toBeGreaterThan(0)
    expect(next).not.toBe(url)
    expect(idp.forms).toHaveLength(0)
  })

  it('closing the engine ends a sign-in still awaited: its loopback listener closes, the wait ends', async () => {
    const service = makeService({ watchCollections: false, persistWorkspace: false, oauthTimeoutMs: 60_000 })
    const asked = await service.invoke('oauth2.token', { auth: code() })
    const port = redirectPort(asked.ok ? '' : (asked.error.signIn?.url ?? ''))
    expect(port).toBeGreaterThan(0)
    const waiting = service.invoke('oauth2.token', { auth: code() })
    expect(await portRefused(port)).toBe(false)
    // A window closed or an app quit while a sign-in waits: nothing of it outlives the engine.
    await service.dispose()
    expect(await portRefused(port)).toBe(true)
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'auth' } })
  })

  it('a desktop sign-in (the browser opened, no link given) is cancelled the same way', async () => {
    const opened: string[] = []
    const service = serviceWith({ oauthSignIn: (u) => void opened.push(u), oauthTimeoutMs: 60_000 })
    const waiting = service.invoke('oauth2.token', { auth: code() })
    const deadline = Date.now() + 5000
    while (opened.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    const port = redirectPort(opened[0] ?? '')
    expect(await service.invoke('oauth2.cancelSignIn', { auth: code() })).toMatchObject({
      value: { cancelled: true },
    })
    expect(await portRefused(port)).toBe(true)
    expect(await waiting).toMatchObject({
      ok: false,
      error: { message: 'OAuth 2.0: the sign-in was cancelled' },
    })
  })

  it('a cancel payload is validated like a Get token', async () => {
    const service = serviceWith()
    const bad = await service.invoke('oauth2.cancelSignIn', { auth: { type: 'oauth2' } } as never)
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_payload' } })
  })
})
