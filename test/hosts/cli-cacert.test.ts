import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki } from '../fixtures/certs'
import { runFlightdeckProcess } from '../fixtures/cli-process'

/**
 * `flightdeck send --cacert FILE`, curl's name: trust the certificate authorities in a PEM file for this send.
 * The server's certificate and the CA that signed it are made at test time. Without the flag the send fails in
 * words (the issuer is not trusted); with it, 200. The path is the person's own: relative to the folder they
 * ran the command in, as typed, and with --collection not confined to the collection (the request's own caFile
 * is then not read). A file that cannot be a CA bundle fails with the caFile's words.
 */

let server: Server
let url: string
let root: string
let collection: string
let fifo: string

/** The CA file sits in the working folder, outside the collection. */
const CA = 'trust/ca.pem'

beforeAll(async () => {
  const pki = await makeTestPki()
  server = createServer({ cert: pki.localhost.cert, key: pki.localhost.key }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('trusted')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`
  root = mkdtempSync(join(tmpdir(), 'fd-cli-cacert-'))
  mkdirSync(join(root, 'trust'))
  writeFileSync(join(root, CA), pki.ca.cert)
  fifo = join(root, 'trust', 'pipe.pem')
  execFileSync('mkfifo', [fifo])
  collection = join(root, 'shop')
  mkdirSync(collection)
  writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  // Its own caFile leads out of the collection: refused if read, so a 200 shows --cacert took its place.
  writeFileSync(
    join(collection, 'secure.yaml'),
    `name: Secure\nmethod: GET\nurl: '${url}'\noptions:\n  caFile: ../trust/ca.pem\n`,
  )
  writeFileSync(join(collection, 'plain.yaml'), `name: Plain\nmethod: GET\nurl: '${url}'\n`)
}, 60_000)

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

const send = (args: string[]) => runFlightdeckProcess(['send', ...args], { root, timeoutMs: 60_000 })

describe('flightdeck send --cacert', () => {
  it('fails in words without it and answers 200 with the CA file named relative to the working folder', async () => {
    const without = await send([url])
    expect(without.code).toBe(1)
    expect(without.stderr).toContain('is not signed by a trusted authority')

    const trusted = await send([url, '--cacert', CA])
    expect(trusted.stderr).toBe('')
    expect(trusted.code).toBe(0)
    expect(trusted.stdout).toMatch(/^HTTP\/1\.1 200/m)
  }, 150_000)

  it('with --collection: the person’s CA file is read as typed, not confined, in place of the request’s caFile', async () => {
    const own = await send(['--collection', collection, '--request', 'secure'])
    expect(own.code).toBe(2)
    expect(own.stderr).toContain('The CA file ../trust/ca.pem')
    expect(own.stderr).toContain('is outside the collection folder')

    const plain = await send(['--collection', collection, '--request', 'plain', '--cacert', CA])
    expect(plain.stderr).toBe('')
    expect(plain.code).toBe(0)
    const secure = await send(['--collection', collection, '--request', 'secure', '--cacert', CA])
    expect(secure.stderr).toBe('')
    expect(secure.code).toBe(0)
  }, 200_000)

  it('a missing file, a device or a pipe ends the send at once with the caFile words', async () => {
    const missing = await send([url, '--cacert', 'trust/missing.pem'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Cannot read the CA file trust/missing.pem')
    const device = await send([url, '--cacert', '/dev/zero'])
    expect(device.signal).toBeNull()
    expect(device.code).toBe(1)
    expect(device.stderr).toContain('Cannot read the CA file /dev/zero')
    const pipe = await send(['--collection', collection, '--request', 'plain', '--cacert', fifo])
    expect(pipe.signal).toBeNull()
    expect(pipe.code).toBe(1)
    expect(pipe.stderr).toContain(`Cannot read the CA file ${fifo}`)
    const empty = await send([url, '--cacert', ''])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('--cacert needs a PEM file')
  }, 250_000)
})
