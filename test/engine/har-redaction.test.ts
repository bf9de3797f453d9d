import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { makeService } from './helpers'

/**
 * A HAR export is something people attach to bug reports. By default it must not carry the credentials
 * that were sent: Authorization, cookies, credential-named query and form fields, and any value that came
 * from a variable marked secret, wherever it ended up. Opting in keeps them as sent.
 */

const SECRET = 'tok-7f3a9c-super-secret'
const PASSWORD = 'pw-a1b2c3-hunter2'
/** A PKCE verifier in an OAuth 2.0 token request's form: with the code it was sent beside, it is a credential. */
const VERIFIER = 'pkce-verifier-9d8c7b6a5f4e3d2c1b0a'

describe('HAR export redacts credentials unless asked not to', () => {
  let server: Server
  let base: string
  let dir: string
  let configDir: string
  let service: EngineService

  beforeAll(async () => {
    // Echoes the request (so a secret also lands in a response body) and sets a session cookie.
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const text = JSON.stringify({ url: req.url, headers: req.headers, body })
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': 'session=sess-42-private; Path=/',
        })
        res.end(text)
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-redact-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-redact-config-'))
    service = makeService({ configDir, watchCollections: false })
  })
  afterEach(async () => {
    await service.dispose()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  async function sendAll(): Promise<string[]> {
    const opened = await service.invoke('collection.open', { dir, create: true, name: 'Redact' })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.invoke('environment.save', {
      dir,
      id: 'prod',
      name: 'Prod',
      variables: [
        { name: 'base', value: base, secret: false },
        { name: 'token', value: SECRET, secret: true },
        { name: 'pw', value: PASSWORD, secret: true },
      ],
    })
    const context = { dir, path: 'r.yaml', env: 'prod' }
    const sids: string[] = []
    const send = async (
      request: RequestSpec,
      auth: { type: 'bearer'; token: string } | { type: 'none' },
    ): Promise<void> => {
      const r = await service.invoke('request.send', { request, auth, context })
      if (!r.ok) throw new Error(r.error.message)
      for (const sid of r.value.sids) {
        await service.http.waitFor(sid)
        sids.push(sid)
      }
    }
    // Bearer from a secret, the secret also in a custom header and the query, a credential-named query field.
    await send(
      {
        method: 'GET',
        url: '{{base}}/a?trace={{token}}&api_key=plain-key-123',
        headers: [{ name: 'X-Trace', value: 'id {{token}}', enabled: true }],
        body: { kind: 'none' },
        options: {},
      },
      { type: 'bearer', token: '{{token}}' },
    )
    // A form with a password field and the secret in a JSON body; the cookie set above is sent back.
    await send(
      {
        method: 'POST',
        url: '{{base}}/login',
        headers: [],
        body: {
          kind: 'form',
          fields: [
            { name: 'password', value: '{{pw}}', enabled: true },
            { name: 'code_verifier', value: VERIFIER, enabled: true },
          ],
        },
        options: {},
      },
      { type: 'none' },
    )
    await send(
      {
        method: 'POST',
        url: '{{base}}/json',
        headers: [],
        body: { kind: 'json', text: '{"key":"{{token}}"}' },
        options: {},
      },
      { type: 'none' },
    )
    return sids
  }

  it('by default no credential or secret value appears anywhere in the export', async () => {
    const sids = await sendAll()
    const r = await service.invoke('har.export', { sids })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.redacted).toBe(true)
    expect(r.value.entries).toBe(3)
    const text = r.value.har
    for (const leaked of [SECRET, PASSWORD, VERIFIER, 'plain-key-123', 'sess-42-private'])
      expect(text).not.toContain(leaked)
    const har = JSON.parse(text) as {
      log: { entries: { request: { headers: { name: string; value: string }[]; url: string } }[] }
    }
    const first = har.log.entries[0]?.request
    expect(first?.headers.find((h) => h.name.toLowerCase() === 'authorization')?.value).toBe('[redacted]')
    expect(first?.headers.find((h) => h.name.toLowerCase() === 'x-trace')?.value).toBe('id [redacted]')
    expect(first?.url).toContain('api_key=%5Bredacted%5D')
  })

  it('a secret or credential the URL carries percent-encoded is redacted in that form too', async () => {
    // A space and a `+` are encoded in the URL sent; a server echoing its request-target shows them so.
    const spaced = 'key with+plus/slash'
    const typedEncoded = 'k%2By%2Fz%3D9'
    const opened = await service.invoke('collection.open', { dir, create: true, name: 'Encoded' })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.invoke('environment.save', {
      dir,
      id: 'e',
      name: 'E',
      variables: [
        { name: 'spaced', value: spaced, secret: true },
        // Read as a form, the query `json&more` would end at the `&`: `json` alone is not the secret.
        { name: 'amp', value: 'json&more', secret: true },
      ],
    })
    const context = { dir, path: 'r.yaml', env: 'e' }
    const sids: string[] = []
    for (const url of [
      `${base}/p/{{spaced}}?q={{spaced}}&a={{amp}}`,
      `${base}/t?access_token=${typedEncoded}`,
    ]) {
      const request: RequestSpec = { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
      const r = await service.invoke('request.send', { request, auth: { type: 'none' }, context })
      if (!r.ok) throw new Error(r.error.message)
      for (const sid of r.value.sids) sids.push((await service.http.waitFor(sid), sid))
    }
    const r = await service.invoke('har.export', { sids })
    if (!r.ok) throw new Error(r.error.message)
    const text = r.value.har
    for (const leaked of ['key%20with', 'with+plus', 'with plus', typedEncoded])
      expect(text).not.toContain(leaked)
    expect(text).toContain('/p/[redacted]?q=[redacted]')
    expect(text).toContain('access_token=[redacted]')
    expect(text).not.toContain('application/[redacted]')
  })

  it('with includeSecrets the export keeps what was sent', async () => {
    const sids = await sendAll()
    const r = await service.invoke('har.export', { sids, includeSecrets: true })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.redacted).toBe(false)
    expect(r.value.har).toContain(`Bearer ${SECRET}`)
    expect(r.value.har).toContain('sess-42-private')
    expect(r.value.har).toContain('plain-key-123')
  })
})
