import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
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
})
