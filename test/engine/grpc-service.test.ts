import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startOAuthServer } from '../fixtures/oauth-server'
import { readLog, record, settle } from './stream-helpers'

/** The gRPC commands through the engine service, as the app and the browser host call them. */
describe('gRPC commands', () => {
  let server: GrpcTestServer | null = null
  let service: EngineService | null = null
  afterEach(async () => {
    await service?.dispose()
    await server?.close()
    server = service = null
  })

  it('describes a server, gives a method its template, and runs a bidi call sent message by message', async () => {
    server = await startGrpcServer()
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    const rec = record(service)
    const described = await service.invoke('grpc.describe', {
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'reflection' },
      method: 'flightdeck.test.Echo/Say',
    })
    if (!described.ok) throw new Error(described.error.message)
    expect(described.value.source).toBe('reflection (grpc.reflection.v1)')
    expect(JSON.parse(described.value.template ?? '')).toEqual({
      text: '',
      mood: 'MOOD_UNSPECIFIED',
      meta: { tag: '', id: '0' },
      tags: [],
      delay_ms: 0,
    })
    const opened = await service.invoke('grpc.open', {
      target: server.target,
      method: 'flightdeck.test.Echo/Chat',
      messages: ['{"text": "{{$randomInt}}"}'],
      metadata: [],
      schema: { kind: 'reflection' },
      tls: { plaintext: true },
      halfClose: false,
    })
    if (!opened.ok) throw new Error(opened.error.message)
    expect(opened.value.method.kind).toBe('bidi_streaming')
    const sid = opened.value.sid
    expect((await service.invoke('grpc.send', { sid, message: '{"text":"second"}' })).ok).toBe(true)
    await rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', 2)
    expect((await service.invoke('grpc.end', { sid })).ok).toBe(true)
    await settle(service, sid)
    const log = await readLog(service, sid)
    const first = JSON.parse(log[0]?.data ?? '{}') as { text: string }
    // The variable was filled in before the message was sent.
    expect(first.text).toMatch(/^\d+$/)
    expect(log.filter((e) => e.dir === 'in' && e.kind === 'text')).toHaveLength(2)
    // `session.cancel` of an ended call says nothing was cancelled.
    expect(await service.invoke('session.cancel', { sid })).toEqual({ ok: true, value: { cancelled: false } })
    rec.stop()
  })

  it('refuses an unknown variable in a message, naming it', async () => {
    server = await startGrpcServer()
    service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
    const r = await service.invoke('grpc.open', {
      target: server.target,
      method: 'flightdeck.test.Echo/Say',
      messages: ['{"text": "{{nobody}}"}'],
      metadata: [],
      schema: { kind: 'reflection' },
      tls: { plaintext: true },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toContain('nobody')
  })

  it("sends the request's auth as metadata, its folder's when it inherits, as a run does; refuses a kind a call cannot carry", async () => {
    server = await startGrpcServer()
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-auth-'))
    try {
      writeFileSync(
        join(dir, 'collection.yaml'),
        'flightdeck: 1\nname: Auth\nvariables:\n  tok: s3cret\nauth:\n  type: bearer\n  token: "{{tok}}"\n',
      )
      mkdirSync(join(dir, 'g'))
      const file = `name: Say\nkind: grpc\nurl: grpc://${server.target}\ngrpc:\n  method: flightdeck.test.Echo/Say\n`
      writeFileSync(join(dir, 'g', 'say.yaml'), file)
      service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const call = {
        target: server.target,
        method: 'flightdeck.test.Echo/Say',
        messages: ['{"text": "hi"}'],
        metadata: [{ name: 'x-user', value: 'ada', enabled: true }],
        schema: { kind: 'reflection' as const },
        tls: { plaintext: true },
        context: { dir, path: 'g/say.yaml' },
      }
      const seen = async (
        auth: { type: 'inherit' } | { type: 'basic'; username: string; password: string },
      ) => {
        const r = await service?.invoke('grpc.open', { ...call, auth })
        if (!r?.ok || !service) throw new Error(r?.ok === false ? r.error.message : 'no service')
        await settle(service, r.value.sid)
        const log = await readLog(service, r.value.sid)
        const reply = log.find((e) => e.dir === 'in' && e.kind === 'text')?.data ?? '{}'
        return (JSON.parse(reply) as { seen_metadata: Record<string, string> }).seen_metadata
      }
      // Without the auth, the app's Invoke sent x-user alone where `flightdeck run` sent the bearer too.
      expect(await seen({ type: 'inherit' })).toMatchObject({
        authorization: 'Bearer s3cret',
        'x-user': 'ada',
      })
      expect((await seen({ type: 'basic', username: 'ada', password: 'pw' }))['authorization']).toBe(
        `Basic ${Buffer.from('ada:pw').toString('base64')}`,
      )
      const refused = await service.invoke('grpc.open', {
        ...call,
        auth: { type: 'apikey', key: 'api_key', value: 'k', in: 'query' },
      })
      expect(refused.ok ? '' : refused.error.message).toMatch(
        /^A gRPC call cannot send an API key in the query auth .*Nothing was sent$/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('OAuth 2.0: fetches the token and sends it as authorization: Bearer, for reflection and the call; a refused one is dropped; a token failure sends nothing', async () => {
    // The server's reflection takes only at-2: the first token (at-1) is refused, dropped, and the next
    // describe gets at-2 (refreshed), as after an HTTP 401.
    server = await startGrpcServer({ reflectionToken: 'at-2' })
    const oauth = await startOAuthServer()
    const dir = mkdtempSync(join(tmpdir(), 'fd-grpc-oauth-'))
    try {
      const grant = (more: string): string =>
        `auth:\n  type: oauth2\n  tokenUrl: "${oauth.url}/token"\n  clientId: app\n  clientSecret: "{{secret}}"\n  scope: ""\n  clientAuth: basic\n${more}`
      writeFileSync(
        join(dir, 'collection.yaml'),
        `flightdeck: 1\nname: OAuth\nvariables:\n  secret: app-secret\n${grant('  grant: client_credentials\n')}`,
      )
      mkdirSync(join(dir, 'g'))
      writeFileSync(
        join(dir, 'g', 'say.yaml'),
        `name: Say\nkind: grpc\nurl: grpc://${server.target}\ngrpc:\n  method: flightdeck.test.Echo/Say\n`,
      )
      service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const where = {
        target: server.target,
        metadata: [],
        schema: { kind: 'reflection' as const },
        tls: { plaintext: true },
        context: { dir, path: 'g/say.yaml' },
      }
      const describe = (auth: { type: 'inherit' }) =>
        service!.invoke('grpc.describe', { ...where, auth, method: 'flightdeck.test.Echo/Say' })
      const first = await describe({ type: 'inherit' })
      expect(first.ok ? 'described' : first.error.message).toMatch(
        /UNAUTHENTICATED.*reflection needs a token/,
      )
      expect((await describe({ type: 'inherit' })).ok).toBe(true)
      expect(server.calls.map((c) => c.metadata['authorization'])).toEqual(['Bearer at-1', 'Bearer at-2'])
      const said = async (auth: Parameters<typeof describe>[0] | Record<string, unknown>) => {
        const r = await service!.invoke('grpc.open', {
          ...where,
          auth: auth as { type: 'inherit' },
          method: 'flightdeck.test.Echo/Say',
          messages: ['{"text": "hi"}'],
        })
        if (!r.ok) return r.error.message
        await settle(service!, r.value.sid)
        const log = await readLog(service!, r.value.sid)
        const reply = log.find((e) => e.dir === 'in' && e.kind === 'text')?.data ?? '{}'
        return (JSON.parse(reply) as { seen_metadata: Record<string, string> }).seen_metadata['authorization']
      }
      // The cached token goes with the call (reflection's schema is kept; no token request more).
      expect(await said({ type: 'inherit' })).toBe('Bearer at-2')
      expect(oauth.forms.map((f) => f['grant_type'])).toEqual(['client_credentials', 'refresh_token'])
      // The request's own password grant: a token of its own; reflection refuses it (at-3), the call is not made.
      const password = {
        type: 'oauth2',
        grant: 'password',
        tokenUrl: `${oauth.url}/token`,
        clientId: 'app',
        clientSecret: '{{secret}}',
        scope: 'pw',
        clientAuth: 'body',
        username: 'alice',
        password: 'wonderland',
      }
      expect(await said(password)).toMatch(/UNAUTHENTICATED/)
      expect(oauth.forms.at(-1)).toMatchObject({ grant_type: 'password', username: 'alice' })
      // A token endpoint that refuses: said in its words, nothing reaches the gRPC server.
      const before = server.calls.length
      const refused = await said({ ...password, scope: 'other', password: 'wrong' })
      expect(refused).toBe(
        'OAuth 2.0 token request was refused (invalid_grant: Wrong username or password). Nothing was sent',
      )
      expect(server.calls.length).toBe(before)
      // A token for the query (tokenIn: query) has nowhere to go in a call: refused, nothing fetched or sent.
      const forms = oauth.forms.length
      expect(await said({ ...password, tokenIn: 'query' })).toMatch(
        /^A gRPC call cannot send an OAuth 2\.0 token in the query auth .*Nothing was sent$/,
      )
      expect([oauth.forms.length, server.calls.length]).toEqual([forms, before])
    } finally {
      await oauth.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
