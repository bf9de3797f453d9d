import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
import type { EngineService } from '../../src/engine/service'
import { runCliWithConfig } from '../engine/collection-run-folder'
import { isLoopbackHost } from '../../src/engine/auth/oauth2-plain-http'
import { makeService } from '../engine/helpers'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'

/**
 * The OAuth 2.0 token request is a row on the timeline. Its answer held the access and refresh tokens in clear
 * (the row's body, its HAR export, even with credentials redacted), while the Authorization header that later
 * carries the token is the engine's alone. Now its stored body masks each token as Get token's preview does and
 * keeps type, scope and expiry. And a token URL on plain http to a host that is not loopback by name sends the
 * client secret in clear: it still goes, and the row and `flightdeck run` say so. The server listens on
 * 127.0.0.1; `0.0.0.0` (not loopback by name, docs/auth.md) reaches it on this machine.
 */

let server: OAuthServer
let service: EngineService
let events: TimelineEvent[] = []

beforeAll(async () => {
  server = await startOAuthServer()
})
afterAll(() => server.close())
afterEach(async () => {
  await service.dispose()
  server.reset()
  events = []
})

function start(): EngineService {
  service = makeService({ watchCollections: false, persistWorkspace: false })
  service.subscribe((batch) => events.push(...batch.events))
  return service
}

const passwordGrant = (tokenUrl: string): AuthSpec => ({
  type: 'oauth2',
  grant: 'password',
  tokenUrl,
  clientId: 'app',
  clientSecret: 'app-secret',
  scope: 'read',
  clientAuth: 'body',
  username: 'alice',
  password: 'wonderland',
})

/** Sends to /protected with `auth`; answers the token request's row (its queued event and its body id). */
async function sendWithToken(auth: AuthSpec): Promise<{ queued: QueuedEvent; bodyId: string; sid: string }> {
  const sent = await service.invoke('request.send', {
    request: {
      method: 'GET',
      url: `${server.url}/protected`,
      headers: [],
      body: { kind: 'none' },
      options: {},
    },
    auth,
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const result = await service.http.waitFor(sent.value.sids[0] ?? '')
  expect(result.final.type === 'done' && result.final.status).toBe(200)
  service.flush()
  const queued = events.find((e): e is QueuedEvent => e.type === 'queued' && e.url.endsWith('/token'))
  if (!queued) throw new Error('no token request on the timeline')
  const done = events.find((e) => e.sid === queued.sid && e.type === 'done')
  if (done?.type !== 'done') throw new Error('the token request did not finish')
  return { queued, bodyId: done.body.id, sid: queued.sid }
}

describe("the OAuth token request's row", () => {
  it('shows the answer with its tokens masked, in the body and in a HAR export, type, scope and expiry kept', async () => {
    start()
    const { bodyId, sid } = await sendWithToken(passwordGrant(`${server.url}/token`))
    const read = await service.invoke('body.read', { bodyId, offset: 0, length: 65536, encoding: 'utf8' })
    if (!read.ok) throw new Error(read.error.message)
    const body = read.value.data
    expect(body).not.toContain('at-1')
    expect(body).not.toMatch(/rt-1-[0-9a-f]{8}/)
    expect(JSON.parse(body)).toEqual({
      access_token: '4 characters',
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'read',
      refresh_token: '13 characters',
    })
    for (const includeSecrets of [false, true]) {
      const har = await service.invoke('har.export', { sids: [sid], maxBodyBytes: 65536, includeSecrets })
      if (!har.ok) throw new Error(har.error.message)
      expect(har.value.har).toContain('4 characters')
      expect(har.value.har).not.toContain('at-1')
      expect(har.value.har).not.toMatch(/rt-1-[0-9a-f]{8}/)
    }
  })

  it('a plain-http token URL to a host that is not loopback goes, with a notice on its row; loopback has none', async () => {
    start()
    const port = new URL(server.url).port
    const far = await sendWithToken(passwordGrant(`http://0.0.0.0:${port}/token`))
    expect(far.queued.notice).toBe(
      'token URL is plain http to a non-loopback host: the client secret crossed the network unencrypted',
    )
    await service.dispose()
    events = []
    start()
    const near = await sendWithToken(passwordGrant(`http://localhost:${port}/token`))
    expect(near.queued.notice).toBeUndefined()
  })

  it('flightdeck run says it in its output', async () => {
    start()
    const dir = mkdtempSync(join(tmpdir(), 'fd-oauth-plain-http-'))
    const configDir = join(dir, '.config')
    mkdirSync(configDir)
    const port = new URL(server.url).port
    try {
      writeFileSync(
        join(dir, 'collection.yaml'),
        `flightdeck: 1\nname: Plain\nauth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: http://0.0.0.0:${port}/token\n  clientId: app\n  clientSecret: app-secret\n  scope: read\n  clientAuth: body\n`,
      )
      writeFileSync(
        join(dir, 'protected.yaml'),
        `name: protected\nmethod: GET\nurl: ${server.url}/protected\nassertions:\n  - kind: status\n    equals: 200\n`,
      )
      const run = await runCliWithConfig(configDir, [dir])
      expect(run.code).toBe(0)
      expect(run.stdout + run.stderr).toContain(
        'flightdeck: warning: token URL is plain http to a non-loopback host: the client secret crossed the network unencrypted',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('loopback, as the token URL names its host', () => {
  it('is localhost, *.localhost, 127.0.0.0/8 and ::1 (mapped too); names and 0.0.0.0 are not', () => {
    const host = (url: string): string => new URL(url).hostname
    for (const url of [
      'http://localhost:8080',
      'http://auth.localhost',
      'http://127.0.0.1',
      'http://127.8.9.10',
      'http://[::1]:9',
      'http://[::ffff:127.0.0.1]',
      'http://0x7f.1',
    ])
      expect([url, isLoopbackHost(host(url))]).toEqual([url, true])
    for (const url of [
      'http://keycloak:8080',
      'http://0.0.0.0',
      'http://10.0.0.1',
      'http://[::ffff:10.0.0.1]',
    ])
      expect([url, isLoopbackHost(host(url))]).toEqual([url, false])
  })
})
