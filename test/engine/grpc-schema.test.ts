import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { grpcRig, PROTOS, type GrpcRig } from './grpc-helpers'

/** Schemas from server reflection (v1, and v1alpha when v1 is not there) and from .proto files. */
describe('gRPC schemas', () => {
  let server: GrpcTestServer | null = null
  let rig: GrpcRig | null = null
  afterEach(async () => {
    rig?.close()
    rig = null
    await server?.close()
    server = null
  })

  const reflection = { kind: 'reflection' as const }

  it('lists services and methods through reflection v1, with every call kind', async () => {
    server = await startGrpcServer({ reflection: 'both' })
    rig = grpcRig()
    const r = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: reflection,
      base: '.',
    })
    if (!r.ok) throw new Error(r.error.message)
    const info = r.value.info()
    expect(info.source).toBe('reflection (grpc.reflection.v1)')
    expect(info.services.map((s) => s.name)).toEqual(['flightdeck.test.Echo'])
    const kinds = Object.fromEntries((info.services[0]?.methods ?? []).map((m) => [m.name, m.kind]))
    expect(kinds).toEqual({
      Say: 'unary',
      Count: 'server_streaming',
      Sum: 'client_streaming',
      Chat: 'bidi_streaming',
      Fail: 'unary',
      Big: 'unary',
    })
    // The imported file's message came through reflection too (a dependency sent by file name).
    expect(
      r.value.describe('flightdeck.test.SayRequest').ok && r.value.describe('flightdeck.common.Meta'),
    ).toMatchObject({
      ok: true,
    })
    expect(server.calls.filter((c) => c.path.includes('v1alpha'))).toEqual([])
  })

  it('falls back to v1alpha when the server has only that', async () => {
    server = await startGrpcServer({ reflection: 'v1alpha' })
    rig = grpcRig()
    const r = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: reflection,
      base: '.',
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.source).toBe('reflection (grpc.reflection.v1alpha)')
    expect(r.value.info().services[0]?.methods).toHaveLength(6)
    // v1 was asked first (grpc-js answers an unknown service before any handler sees it), then v1alpha.
    expect(new Set(server.calls.map((c) => c.path))).toEqual(
      new Set(['/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo']),
    )
  })

  it('sends the request metadata on the reflection call', async () => {
    server = await startGrpcServer({ reflection: 'both', reflectionToken: 's3cret' })
    rig = grpcRig()
    const without = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: reflection,
      base: '.',
    })
    expect(without.ok).toBe(false)
    if (!without.ok) expect(without.error.message).toContain('UNAUTHENTICATED (16): reflection needs a token')
    const withToken = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [{ name: 'authorization', value: 'Bearer s3cret', enabled: true }],
      schema: reflection,
      base: '.',
    })
    expect(withToken.ok).toBe(true)
    expect(server.calls.at(-1)?.metadata.authorization).toBe('Bearer s3cret')
  })

  it('says plainly that a server without reflection needs its protos, and works from them', async () => {
    server = await startGrpcServer({ reflection: 'none' })
    rig = grpcRig()
    const r = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: reflection,
      base: '.',
    })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('unsupported')
      expect(r.error.message).toContain(
        'does not offer server reflection (neither grpc.reflection.v1 nor v1alpha)',
      )
      expect(r.error.message).toContain('.proto files')
    }
    const fromProtos = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: PROTOS,
      base: '.',
    })
    if (!fromProtos.ok) throw new Error(fromProtos.error.message)
    expect(fromProtos.value.info().services[0]?.methods.map((m) => m.full)).toContain(
      'flightdeck.test.Echo/Chat',
    )
  })

  it('names the file and the line of a proto that does not parse, and a missing import', async () => {
    rig = grpcRig()
    const bad = await rig.grpc.schema({
      target: 'localhost:1',
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'proto', files: ['broken.proto'], importPaths: [] },
      base: PROTO_DIR,
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error.code).toBe('parse')
      expect(bad.error.message).toMatch(/^broken\.proto, line 10: illegal token 'b'/)
    }
    const noImport = await rig.grpc.schema({
      target: 'localhost:1',
      tls: { plaintext: true },
      metadata: [],
      schema: {
        kind: 'proto',
        files: [join(PROTO_DIR, 'echo.proto')],
        importPaths: [join(PROTO_DIR, 'nowhere')],
      },
      base: PROTO_DIR,
    })
    expect(noImport.ok).toBe(false)
    if (!noImport.ok)
      expect(noImport.error.message).toMatch(/echo\.proto: import "common\/meta\.proto" was not found/)
  })
})
