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
 * `--cacert FILE` (curl's name: trust the certificate authorities in a PEM file) on `flightdeck send`, and with
 * `-k` on `flightdeck run`, where they are the run's own TLS settings for every step (two HTTP requests and an
 * SSE stream here). The server's certificate and the CA that signed it are made at test time. Without the flag
 * the command fails in words (the issuer is not trusted); with it, 200, or every step passes. The path is the
 * person's own: relative to the folder they ran the command in, as typed, not confined to the collection, and
 * it takes the place of a request's own caFile (which here leads outside the collection and is refused when
 * read). A file that cannot be a CA bundle fails with the caFile's words.
 */

let server: Server
let base: string
let root: string
let collection: string
let fifo: string

/** The CA file sits in the working folder, outside the collection. */
const CA = 'trust/ca.pem'

beforeAll(async () => {
  const pki = await makeTestPki()
  server = createServer({ cert: pki.localhost.cert, key: pki.localhost.key }, (req, res) => {
    if (req.url === '/ticks') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\ndata: 2\n\n')
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('trusted')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-cli-cacert-'))
  mkdirSync(join(root, 'trust'))
  writeFileSync(join(root, CA), pki.ca.cert)
  fifo = join(root, 'trust', 'pipe.pem')
  execFileSync('mkfifo', [fifo])
  collection = join(root, 'shop')
  mkdirSync(collection)
  const status200 = 'assertions:\n  - kind: status\n    equals: 200\n'
  writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(
    join(collection, 'a-plain.yaml'),
    `name: Plain\nmethod: GET\nurl: '${base}/plain'\n${status200}`,
  )
  // Its own caFile leads out of the collection: refused if read, so a pass shows --cacert took its place.
  writeFileSync(
    join(collection, 'b-secure.yaml'),
    `name: Secure\nmethod: GET\nurl: '${base}/secure'\noptions:\n  caFile: ../trust/ca.pem\n${status200}`,
  )
  writeFileSync(
    join(collection, 'c-ticks.yaml'),
    `name: Ticks\nkind: sse\nurl: '${base}/ticks'\nstop:\n  count: 2\nassertions:\n  - kind: message-count\n    equals: 2\n`,
  )
}, 60_000)

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck send --cacert', () => {
  const send = (args: string[]) => runFlightdeckProcess(['send', ...args], { root, timeoutMs: 60_000 })

  it('fails in words without it and answers 200 with the CA file named relative to the working folder', async () => {
    const without = await send([`${base}/`])
    expect(without.code).toBe(1)
    expect(without.stderr).toContain('is not signed by a trusted authority')

    const trusted = await send([`${base}/`, '--cacert', CA])
    expect(trusted.stderr).toBe('')
    expect(trusted.code).toBe(0)
    expect(trusted.stdout).toMatch(/^HTTP\/1\.1 200/m)
  }, 150_000)

  it('with --collection: the person’s CA file is read as typed, not confined, in place of the request’s caFile', async () => {
    const own = await send(['--collection', collection, '--request', 'b-secure'])
    expect(own.code).toBe(2)
    expect(own.stderr).toContain('The CA file ../trust/ca.pem')
    expect(own.stderr).toContain('is outside the collection folder')

    const plain = await send(['--collection', collection, '--request', 'a-plain', '--cacert', CA])
    expect(plain.stderr).toBe('')
    expect(plain.code).toBe(0)
    const secure = await send(['--collection', collection, '--request', 'b-secure', '--cacert', CA])
    expect(secure.stderr).toBe('')
    expect(secure.code).toBe(0)
  }, 200_000)

  it('a missing file, a device or a pipe ends the send at once with the caFile words', async () => {
    const missing = await send([`${base}/`, '--cacert', 'trust/missing.pem'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Cannot read the CA file trust/missing.pem')
    const device = await send([`${base}/`, '--cacert', '/dev/zero'])
    expect(device.signal).toBeNull()
    expect(device.code).toBe(1)
    expect(device.stderr).toContain('Cannot read the CA file /dev/zero')
    const pipe = await send(['--collection', collection, '--request', 'a-plain', '--cacert', fifo])
    expect(pipe.signal).toBeNull()
    expect(pipe.code).toBe(1)
    expect(pipe.stderr).toContain(`Cannot read the CA file ${fifo}`)
    const empty = await send([`${base}/`, '--cacert', ''])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('--cacert needs a PEM file')
  }, 250_000)
})

interface StepOutcome {
  name: string
  passed: boolean
  error?: { message: string }
}

describe('flightdeck run --cacert / -k', () => {
  const run = (args: string[]) =>
    runFlightdeckProcess(['run', collection, '--reporter', 'json', ...args], { root, timeoutMs: 90_000 })
  const stepsOf = (stdout: string): StepOutcome[] =>
    (JSON.parse(stdout) as { results: StepOutcome[] }).results

  it('fails in words without them; every step passes with the CA file named from the working folder, or with -k', async () => {
    const without = await run([])
    expect(without.code).toBe(1)
    const failed = stepsOf(without.stdout)
    expect(failed.find((s) => s.name === 'Plain')?.error?.message).toContain(
      'is not signed by a trusted authority',
    )
    expect(failed.find((s) => s.name === 'Secure')?.error?.message).toContain(
      'is outside the collection folder',
    )
    expect(failed.find((s) => s.name === 'Ticks')?.passed).toBe(false)

    const trusted = await run(['--cacert', CA])
    expect(trusted.code, trusted.stderr).toBe(0)
    const names = (stdout: string) => stepsOf(stdout).map((s) => [s.name, s.passed])
    expect(names(trusted.stdout).sort()).toEqual([
      ['Plain', true],
      ['Secure', true],
      ['Ticks', true],
    ])

    const insecure = await run(['-k'])
    expect(stepsOf(insecure.stdout).find((s) => s.name === 'Plain')?.passed).toBe(true)
    // -k does not lift the collection's confinement: the request's own caFile is still refused.
    expect(stepsOf(insecure.stdout).find((s) => s.name === 'Secure')?.error?.message).toContain(
      'is outside the collection folder',
    )
    expect(stepsOf(insecure.stdout).find((s) => s.name === 'Ticks')?.passed).toBe(true)
  }, 300_000)

  it('a missing file, a device or a pipe stops the run before any request, in the caFile words', async () => {
    for (const path of ['trust/missing.pem', '/dev/zero', fifo]) {
      const r = await run(['--cacert', path])
      expect(r.signal).toBeNull()
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`Cannot read the CA file ${path}`)
    }
  }, 300_000)
})
