import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki, type TestPki } from '../fixtures/certs'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke, type GrpcRig } from './grpc-helpers'

/** gRPC over TLS: a CA file trusted, an untrusted certificate refused in plain words unless told to skip it. */
describe('gRPC over TLS', () => {
  let pki: TestPki
  let server: GrpcTestServer
  let dir: string
  let rig: GrpcRig

  beforeAll(async () => {
    pki = await makeTestPki()
    dir = mkdtempSync(join(tmpdir(), 'fd-grpc-tls-'))
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert)
    server = await startGrpcServer({
      credentials: grpc.ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(pki.localhost.cert), private_key: Buffer.from(pki.localhost.key) },
      ]),
    })
    rig = grpcRig()
  })

  afterAll(async () => {
    rig.close()
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('trusts a CA file: reflection and a call over TLS', async () => {
    const { outcome } = await invoke(
      rig,
      call(`localhost:${server.port}`, 'flightdeck.test.Echo/Say', [{ text: 'tls' }], {
        tls: { plaintext: false, caFile: join(dir, 'ca.pem') },
      }),
    )
    expect(outcome.final.type).toBe('done')
  })

  it('trusts a CA bundle as HTTP does: files joined by cat with no newline between, a note after END', async () => {
    // The same reading of the file as an HTTP send's (pem-file.ts): OpenSSL alone skipped the joined block.
    const joined = `${pki.localhost.cert.trimEnd()}${pki.ca.cert.trimEnd()} # our CA\n`
    writeFileSync(join(dir, 'joined.pem'), joined)
    const { outcome } = await invoke(
      rig,
      call(`localhost:${server.port}`, 'flightdeck.test.Echo/Say', [{ text: 'tls' }], {
        tls: { plaintext: false, caFile: join(dir, 'joined.pem') },
      }),
    )
    expect(outcome.final.type).toBe('done')
  })

  it('refuses a certificate it cannot verify, and skips the check when told', async () => {
    const refused = await rig.grpc.schema({
      target: `grpcs://localhost:${server.port}`,
      tls: { plaintext: false },
      metadata: [],
      schema: { kind: 'reflection' },
      base: '.',
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.message).toMatch(/UNAVAILABLE \(14\): .*unable to verify the first certificate$/)
    }
    const { outcome } = await invoke(
      rig,
      call(`localhost:${server.port}`, 'flightdeck.test.Echo/Say', [{ text: 'tls' }], {
        tls: { plaintext: false, insecure: true },
      }),
    )
    expect(outcome.final.type).toBe('done')
  })

  it('says plainly when a CA file cannot be read', async () => {
    const r = await rig.grpc.open(
      call(`localhost:${server.port}`, 'flightdeck.test.Echo/Say', [{}], {
        tls: { plaintext: false, caFile: join(dir, 'nope.pem') },
      }),
      { base: '.' },
    )
    expect(r.ok || r.error.message).toMatch(/Cannot read the CA file .*nope\.pem/)
  })
})
