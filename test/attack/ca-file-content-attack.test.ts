import { X509Certificate } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCaPemText } from '../../src/engine/files/pem-file'
import { channelCredentials, parseGrpcTarget } from '../../src/engine/grpc/grpc-channel'
import { makeTestPki } from '../fixtures/certs'
import { runFlightdeckProcess } from '../fixtures/cli-process'

/**
 * A CA file that holds no PEM certificate: the CA as DER (a `.crt` as many CAs hand it out), its private key,
 * an empty file. Node takes any text as `ca` without a word and then trusts nothing, and a CA file replaces the
 * system's list: `flightdeck send --cacert ca.der` said the server's certificate 'is not signed by a trusted
 * authority', blaming the server for the file. Now the file is refused in words naming it, what it lacks and
 * how a DER file converts; `run` stops before any request (exit 2), gRPC's channel says the same. And a
 * bundle whose blocks each read but do not start a line of their own (files joined with `cat` when one has no
 * last newline, a note after END) passed that check, while OpenSSL silently skipped those blocks and trusted
 * nothing: Node is now given the certificates as they were read, one per line.
 */

let server: Server
let url: string
let root: string

beforeAll(async () => {
  const pki = await makeTestPki()
  server = createServer({ cert: pki.localhost.cert, key: pki.localhost.key }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('trusted')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`
  root = mkdtempSync(join(tmpdir(), 'fd-attack-ca-content-'))
  writeFileSync(join(root, 'ca.der'), new X509Certificate(pki.ca.cert).raw)
  writeFileSync(join(root, 'ca-key.pem'), pki.ca.key)
  writeFileSync(join(root, 'empty.pem'), '')
  writeFileSync(join(root, 'ca.pem'), pki.ca.cert)
  const garbage = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`
  writeFileSync(join(root, 'garbage.pem'), garbage)
  writeFileSync(join(root, 'bundle.pem'), `${pki.ca.cert}\n${garbage}`)
  // `cat other.pem ca.pem > joined.pem`, neither ending in a newline, and a note after the last END line.
  // A bundle past the cap: the CA once and our other root 1,001 times (1,002 certificates, ~1 MB).
  writeFileSync(join(root, 'huge.pem'), `${pki.ca.cert}\n${`${pki.selfSigned.cert}\n`.repeat(1001)}`)
  writeFileSync(join(root, 'joined.pem'), `${pki.selfSigned.cert}${pki.ca.cert} # our CA\n`)
  mkdirSync(join(root, 'shop'))
  writeFileSync(join(root, 'shop', 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(root, 'shop', 'secure.yaml'), `name: Secure\nmethod: GET\nurl: '${url}'\n`)
}, 60_000)

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

const NO_CERTIFICATE = /holds no PEM certificate/

describe('a CA file with no certificate in it', () => {
  it('send --cacert with the CA as DER names the file and what it lacks, not the server', async () => {
    const r = await runFlightdeckProcess(['send', url, '--cacert', 'ca.der'], { root, timeoutMs: 60_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Cannot read the CA file ca.der')
    expect(r.stderr).toMatch(NO_CERTIFICATE)
    expect(r.stderr).toContain('openssl x509 -inform der')
    expect(r.stderr).not.toContain('not signed by a trusted authority')
  })

  it('run --cacert with a key file stops before any request, exit 2', async () => {
    const r = await runFlightdeckProcess(['run', 'shop', '--cacert', 'ca-key.pem'], {
      root,
      timeoutMs: 60_000,
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Cannot read the CA file ca-key.pem')
    expect(r.stderr).toMatch(NO_CERTIFICATE)
  })

  it("gRPC's channel refuses an empty CA file in the same words", async () => {
    const target = parseGrpcTarget('127.0.0.1:1', false)
    if (!target.ok) throw new Error(target.error.message)
    const made = await channelCredentials(target.value, {
      plaintext: false,
      caFile: join(root, 'empty.pem'),
    })
    expect(made.ok).toBe(false)
    if (made.ok) return
    expect(made.error.message).toContain('Cannot read the CA file')
    expect(made.error.detail).toMatch(NO_CERTIFICATE)
  })

  it('send --cacert with a bundle whose second CERTIFICATE block is garbage names the file and block 2', async () => {
    const r = await runFlightdeckProcess(['send', url, '--cacert', 'bundle.pem'], { root, timeoutMs: 60_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Cannot read the CA file bundle.pem')
    expect(r.stderr).toMatch(
      /certificate block 2 \(-----BEGIN CERTIFICATE-----\) is not a readable certificate/,
    )
    expect(r.stderr).not.toContain('not signed by a trusted authority')
  })

  it('send --cacert with two files joined by cat (no newline between) and a note after END trusts the CA', async () => {
    const r = await runFlightdeckProcess(['send', url, '--cacert', 'joined.pem'], { root, timeoutMs: 60_000 })
    expect(r.stderr).not.toContain('not signed by a trusted authority')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\b200\b/)
  })

  it('a bundle of more certificates than any real one is refused by count before any is parsed', async () => {
    const target = parseGrpcTarget('127.0.0.1:1', false)
    if (!target.ok) throw new Error(target.error.message)
    const made = await channelCredentials(target.value, { plaintext: false, caFile: join(root, 'huge.pem') })
    expect(made.ok).toBe(false)
    if (made.ok) return
    expect(made.error.message).toContain('Cannot read the CA file')
    expect(made.error.detail).toMatch(
      /huge\.pem holds 1,002 certificates, more than the 500 a CA file may hold/,
    )
  })

  it("gRPC's channel refuses a file whose only block is garbage, naming block 1; a whole CA file still reads", async () => {
    const target = parseGrpcTarget('127.0.0.1:1', false)
    if (!target.ok) throw new Error(target.error.message)
    const made = await channelCredentials(target.value, {
      plaintext: false,
      caFile: join(root, 'garbage.pem'),
    })
    expect(made.ok).toBe(false)
    if (made.ok) return
    expect(made.error.detail).toMatch(/certificate block 1 .* is not a readable certificate/)
    expect(readCaPemText(join(root, 'ca.pem'))).toContain('-----BEGIN CERTIFICATE-----')
  })
})
