import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import { resolveTemplate } from '../../src/shared/template'
import type { EngineService } from '../../src/engine/service'
import { startAuthServer, type AuthServer, clientCredentials } from '../fixtures/auth-server'
import { makeService } from './helpers'

const fixedDyn = { uuid: () => 'u-1', now: () => 1_700_000_000_123, random: () => 0.5 }

describe('templates', () => {
  const vars = new Map([
    ['host', '127.0.0.1'],
    ['base', 'http://{{host}}:8080'],
    ['a', '{{b}}'],
    ['b', '{{a}}'],
  ])
  it('substitutes names, nested names and dynamic values, and reports unknown names', () => {
    expect(
      resolveTemplate('{{base}}/x?id={{$uuid}}&t={{ $timestamp }}&n={{$randomInt}}', vars, fixedDyn),
    ).toEqual({
      text: 'http://127.0.0.1:8080/x?id=u-1&t=1700000000&n=500',
      unknown: [],
    })
    expect(resolveTemplate('{{nope}}/{{nope}}/{{$nope}}', vars, fixedDyn)).toEqual({
      text: '{{nope}}/{{nope}}/{{$nope}}',
      unknown: ['nope', '$nope'],
    })
  })
  it('never executes anything: prototype names are unknown, ${...} and expressions stay text', () => {
    const r = resolveTemplate(
      '{{constructor}} {{__proto__}} ${process.exit()} {{ 1+1 }} {{toString}}',
      vars,
      fixedDyn,
    )
    expect(r.text).toBe('{{constructor}} {{__proto__}} ${process.exit()} {{ 1+1 }} {{toString}}')
    expect(r.unknown).toEqual(['constructor', '__proto__', 'toString'])
  })
  it('stops on a cycle instead of looping', () => {
    const r = resolveTemplate('{{a}}', vars, fixedDyn)
    expect(r.text).toMatch(/\{\{[ab]\}\}/)
  })
  // Eight variables each using the one below ten times, down to an empty value: 10^8 substitutions that give no
  // text, so the 32 MiB cut never comes. Built once each, it resolves at once; re-expanded at every use it held
  // the engine's thread for about a minute (this test then fails on its time limit).
  it('variables repeating each other down to an empty value resolve without re-expanding every use', () => {
    const nothing = new Map([['l0', '']])
    for (let i = 1; i <= 8; i++) nothing.set(`l${i}`, `{{l${i - 1}}}`.repeat(10))
    expect(resolveTemplate('[{{l8}}]', nothing, fixedDyn)).toEqual({ text: '[]', unknown: [] })
  })
  it('a variable holding a random value gives a fresh one at each use', () => {
    let n = 0
    const counting = { ...fixedDyn, uuid: () => `u-${++n}` }
    const id = new Map([
      ['id', '{{$uuid}}'],
      ['pair', '{{id}}+{{id}}'],
    ])
    expect(resolveTemplate('{{id}} {{id}} {{pair}} {{pair}}', id, counting).text).toBe(
      'u-1 u-2 u-3+u-4 u-5+u-6',
    )
  })
})

interface Echo {
  method: string
  url: string
  headers: Record<string, string>
  body: string
}

describe('variables, environments, secrets and auth through the service', () => {
  let server: AuthServer
  let dir: string
  let configDir: string
  let service: EngineService

  beforeAll(async () => {
    server = await startAuthServer()
  })
  afterAll(() => server.close())
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-vars-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-config-'))
    service = makeService({ configDir, watchCollections: false })
  })
  afterEach(async () => {
    await service.dispose()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  function request(url: string, extra: Partial<RequestSpec> = {}): RequestSpec {
    return { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {}, ...extra }
  }

  async function send(
    req: RequestSpec,
    auth: AuthSpec = { type: 'inherit' },
    context?: { dir: string; path: string; env?: string },
  ): Promise<{ status: number; body: string; sids: string[] }> {
    const r = await service.invoke(
      'request.send',
      context ? { request: req, auth, context } : { request: req, auth },
    )
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
    const sids = r.value.sids
    const last = sids[sids.length - 1] as string
    const result = await service.http.waitFor(last)
    if (result.final.type !== 'done') throw new Error(`request ended with ${result.final.type}`)
    const read = await service.http.bodies.read(result.final.body.id, 0, result.final.body.size, 'utf8')
    return { status: result.final.status, body: read.ok ? read.value.data : '', sids }
  }

  async function openCollection(): Promise<void> {
    const opened = await service.invoke('collection.open', { dir, create: true, name: 'Vars' })
    if (!opened.ok) throw new Error(opened.error.message)
  }

  it('resolves global < collection < folder < environment, and refuses unknown variables by name', async () => {
    await openCollection()
    const ok1 = await service.invoke('globals.save', {
      variables: [
        { name: 'who', value: 'global', secret: false },
        { name: 'g', value: 'from-global', secret: false },
      ],
    })
    expect(ok1.ok).toBe(true)
    await service.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [
        { name: 'base', value: `${server.url}`, secret: false },
        { name: 'who', value: 'collection', secret: false },
      ],
    })
    const folder = await service.invoke('collection.createFolder', { dir, parent: '', name: 'Users' })
    if (!folder.ok) throw new Error(folder.error.message)
    await service.invoke('collection.saveFolder', {
      dir,
      path: 'users',
      variables: [{ name: 'who', value: 'folder', secret: false }],
    })
    await service.invoke('environment.save', {
      dir,
      id: 'staging',
      name: 'Staging',
      variables: [{ name: 'who', value: 'staging', secret: false }],
    })

    const req = request('{{base}}/echo?who={{who}}&g={{g}}', {
      headers: [{ name: 'X-Who', value: '{{who}}', enabled: true }],
      method: 'POST',
      body: { kind: 'json', text: '{"who":"{{who}}"}' },
    })
    let echo = JSON.parse((await send(req, { type: 'none' }, { dir, path: 'users/x.yaml' })).body) as Echo
    expect(echo.url).toBe('/echo?who=folder&g=from-global')
    expect(echo.headers['x-who']).toBe('folder')
    expect(echo.body).toBe('{"who":"folder"}')
    echo = JSON.parse(
      (await send(req, { type: 'none' }, { dir, path: 'users/x.yaml', env: 'staging' })).body,
    ) as Echo
    expect(echo.url).toBe('/echo?who=staging&g=from-global')
    echo = JSON.parse((await send(req, { type: 'none' }, { dir, path: 'top.yaml' })).body) as Echo
    expect(echo.url).toBe('/echo?who=collection&g=from-global')

    const listed = await service.invoke('variables.list', {
      context: { dir, path: 'users/x.yaml', env: 'staging' },
    })
    expect(listed.ok && listed.value.variables.map((v) => `${v.scope}:${v.name}=${v.value}`)).toEqual([
      'global:who=global',
      'global:g=from-global',
      'collection:base=' + server.url,
      'collection:who=collection',
      'folder:who=folder',
      'environment:who=staging',
    ])

    const refused = await service.invoke('request.send', {
      request: request('{{base}}/echo?x={{missing}}&y={{other}}'),
      auth: { type: 'none' },
      context: { dir, path: 'top.yaml' },
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.code).toBe('unknown_variable')
      expect(refused.error.message).toContain('{{missing}}, {{other}}')
    }
    // Nothing was sent for it.
    expect(server.log.filter((l) => l.includes('x='))).toEqual([])
  })

  it('keeps secret values out of collection files, in a 0600 file, and uses them when sending', async () => {
    await openCollection()
    await service.invoke('environment.save', {
      dir,
      id: 'local',
      name: 'Local',
      variables: [
        { name: 'base', value: server.url, secret: false },
        { name: 'token', value: 'super-secret-value', secret: true },
      ],
    })
    const envText = readFileSync(join(dir, 'environments', 'local.yaml'), 'utf8')
    expect(envText).toBe(`name: Local\nvariables:\n  base: ${server.url}\n  token:\n    secret: true\n`)
    const secretsFile = join(configDir, 'secrets.json')
    expect(readFileSync(secretsFile, 'utf8')).toContain('super-secret-value')
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600)

    const listed = await service.invoke('variables.list', { context: { dir, path: 'r.yaml', env: 'local' } })
    expect(listed.ok && listed.value.variables.find((v) => v.name === 'token')).toMatchObject({
      value: '',
      secret: true,
    })

    const echo = JSON.parse(
      (
        await send(
          request('{{base}}/echo'),
          { type: 'bearer', token: '{{token}}' },
          { dir, path: 'r.yaml', env: 'local' },
        )
      ).body,
    ) as Echo
    expect(echo.headers['authorization']).toBe('Bearer super-secret-value')

    // Saving again with a blank secret keeps the stored value.
    await service.invoke('environment.save', {
      dir,
      id: 'local',
      name: 'Local',
      variables: [
        { name: 'base', value: server.url, secret: false },
        { name: 'token', value: '', secret: true },
      ],
    })
    expect(readFileSync(secretsFile, 'utf8')).toContain('super-secret-value')
  })

  it('basic auth inherited from the collection, API keys in a header and in the query', async () => {
    await openCollection()
    await service.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [{ name: 'pw', value: 's3cret', secret: true }],
      auth: { type: 'basic', username: 'alice', password: '{{pw}}' },
    })
    expect(readFileSync(join(dir, 'collection.yaml'), 'utf8')).not.toContain('s3cret')
    const r = await send(request(`${server.url}/basic`), { type: 'inherit' }, { dir, path: 'a.yaml' })
    expect(r.status).toBe(200)
    // A request can opt out.
    expect(
      (await send(request(`${server.url}/basic`), { type: 'none' }, { dir, path: 'a.yaml' })).status,
    ).toBe(401)

    let echo = JSON.parse(
      (
        await send(request(`${server.url}/echo`), {
          type: 'apikey',
          key: 'X-Api-Key',
          value: 'k1',
          in: 'header',
        })
      ).body,
    ) as Echo
    expect(echo.headers['x-api-key']).toBe('k1')
    echo = JSON.parse(
      (
        await send(request(`${server.url}/echo?a=1`), {
          type: 'apikey',
          key: 'api key',
          value: 'k&2',
          in: 'query',
        })
      ).body,
    ) as Echo
    expect(echo.url).toBe('/echo?a=1&api%20key=k%262')
  })

  it('digest: answers the challenge, and reuses it with a growing nonce count', async () => {
    const auth: AuthSpec = { type: 'digest', username: 'alice', password: 's3cret' }
    const first = await send(request(`${server.url}/digest?x=1`), auth)
    expect(first.status).toBe(200)
    expect(first.sids).toHaveLength(1)
    expect(JSON.parse(first.body)).toEqual({ user: 'alice', nc: '00000001' })
    const second = await send(request(`${server.url}/digest?x=1`), auth)
    expect(JSON.parse(second.body)).toEqual({ user: 'alice', nc: '00000002' })
    // One challenge exchange in all (it is on the timeline too), then two answered requests.
    expect(server.log.filter((l) => l.includes('/digest'))).toHaveLength(3)

    const wrong = await send(request(`${server.url}/digest?x=2`), { ...auth, password: 'nope' })
    expect(wrong.status).toBe(401)
    // A URL typed with one slash goes to that host (request-checks.ts), and is answered for its own path.
    const typed = await send(request(`${server.url.replace('http://', 'http:/')}/digest?x=3`), auth)
    expect(typed.status).toBe(200)
  })

  it('OAuth 2.0 client credentials: fetches a token, caches it, fetches again when it is about to expire', async () => {
    const auth: AuthSpec = clientCredentials(server, 'read')
    server.ttl = 3600
    const before = server.issued.length
    expect((await send(request(`${server.url}/protected`), auth)).status).toBe(200)
    expect((await send(request(`${server.url}/protected`), auth)).status).toBe(200)
    expect(server.issued.length - before).toBe(1)

    // A token about to expire (5 s, inside the 10 s margin) is not reused: each send gets a fresh one.
    server.ttl = 5
    const body = { ...auth, clientAuth: 'body' as const, scope: 'write' }
    const a = JSON.parse((await send(request(`${server.url}/protected`), body)).body) as { token: string }
    const b = JSON.parse((await send(request(`${server.url}/protected`), body)).body) as { token: string }
    expect(a.token).not.toBe(b.token)
    expect(server.issued.length - before).toBe(3)

    const refused = await service.invoke('request.send', {
      request: request(`${server.url}/protected`),
      auth: { ...auth, clientSecret: 'wrong', scope: 'x' },
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.message).toContain('invalid_client')
  })

  it('loads variables from hand-written files', async () => {
    mkdirSync(join(dir, 'environments'))
    writeFileSync(join(dir, 'collection.yaml'), `name: Hand\nvariables:\n  base: ${server.url}\n`)
    writeFileSync(join(dir, 'environments', 'dev.yaml'), 'name: Dev\nvariables:\n  path: echo\n  n: 5\n')
    await openCollection()
    const echo = JSON.parse(
      (
        await send(
          request('{{base}}/{{path}}?n={{n}}'),
          { type: 'none' },
          { dir, path: 'x.yaml', env: 'dev' },
        )
      ).body,
    ) as Echo
    expect(echo.url).toBe('/echo?n=5')
  })

  it('a number written bare keeps its text: leading zeros, long ids and 1.10 go out as written and survive a save', async () => {
    mkdirSync(join(dir, 'environments'))
    writeFileSync(join(dir, 'collection.yaml'), `name: Hand\nvariables:\n  base: ${server.url}\n`)
    const envText =
      'name: Dev\nvariables:\n  zip: 01234\n  account: 12345678901234567890\n  ratio: 1.10\n  n: 5\n'
    writeFileSync(join(dir, 'environments', 'dev.yaml'), envText)
    await openCollection()
    const echo = JSON.parse(
      (
        await send(
          request('{{base}}/echo?zip={{zip}}&account={{account}}&ratio={{ratio}}&n={{n}}'),
          { type: 'none' },
          { dir, path: 'x.yaml', env: 'dev' },
        )
      ).body,
    ) as Echo
    expect(echo.url).toBe('/echo?zip=01234&account=12345678901234567890&ratio=1.10&n=5')

    // The app saves the environment with one variable added: the hand-written lines stay exactly as they were.
    const saved = await service.invoke('environment.save', {
      dir,
      id: 'dev',
      name: 'Dev',
      variables: [
        { name: 'zip', value: '01234', secret: false },
        { name: 'account', value: '12345678901234567890', secret: false },
        { name: 'ratio', value: '1.10', secret: false },
        { name: 'n', value: '5', secret: false },
        { name: 'added', value: '007', secret: false },
      ],
    })
    expect(saved.ok).toBe(true)
    const after = readFileSync(join(dir, 'environments', 'dev.yaml'), 'utf8')
    expect(after.startsWith(envText)).toBe(true)
    // A new text that looks like a number is quoted, so it reads back as the same text.
    expect(after.slice(envText.length)).toMatch(/^ {2}added: ["']007["']\n$/)
  })
})

describe('secret stores', () => {
  it('a sealed store (as the desktop app uses with safeStorage) never writes the value in the clear', async () => {
    const { FileSecretStore } = await import('../../src/engine/secrets/secret-store')
    const dir = mkdtempSync(join(tmpdir(), 'fd-sealed-'))
    try {
      // A stand-in seal (the real one is the OS keychain through Electron): reversible, and not the plain text.
      const codec = {
        encode: (v: string) => Buffer.from([...v].reverse().join(''), 'utf8').toString('base64'),
        decode: (s: string) => [...Buffer.from(s, 'base64').toString('utf8')].reverse().join(''),
      }
      const path = join(dir, 'secrets.sealed.json')
      const store = new FileSecretStore(path, codec)
      await store.set('c|env:prod|token', 'plain-token-value')
      expect(readFileSync(path, 'utf8')).not.toContain('plain-token-value')
      expect(statSync(path).mode & 0o777).toBe(0o600)
      // A fresh store (a new launch) reads it back.
      expect(await new FileSecretStore(path, codec).get('c|env:prod|token')).toBe('plain-token-value')
      await store.set('c|env:prod|token', null)
      expect(await new FileSecretStore(path, codec).get('c|env:prod|token')).toBeUndefined()
      // A secrets file that cannot be read is never replaced: the store refuses instead.
      writeFileSync(path, '{ not json')
      await expect(new FileSecretStore(path, codec).set('x', 'y')).rejects.toThrow(
        /Cannot read the secrets file/,
      )
      expect(readFileSync(path, 'utf8')).toBe('{ not json')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
