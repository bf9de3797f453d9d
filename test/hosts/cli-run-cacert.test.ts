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
 * `flightdeck run --cacert FILE` and `-k`: the run's own TLS settings, for every step (two HTTP requests and an
 * SSE stream here). The server's certificate and the CA that signed it are made at test time. Without either
 * flag the run fails in words (the issuer is not trusted); with --cacert, or with -k, every step passes. The CA
 * path is the person's own, relative to the folder they ran the command in, and takes the place of a request's
 * own caFile (which here leads outside the collection and is refused when read).
 */

let server: Server
let base: string
let root: string
let collection: string
let fifo: string

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
  root = mkdtempSync(join(tmpdir(), 'fd-cli-run-cacert-'))
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

const run = (args: string[]) =>
  runFlightdeckProcess(['run', collection, '--reporter', 'json', ...args], { root, timeoutMs: 90_000 })

interface StepOutcome {
  name: string
  passed: boolean
  error?: { message: string }
}

function stepsOf(stdout: string): StepOutcome[] {
  const report = JSON.parse(stdout) as { results: StepOutcome[] }
  return report.results
}

describe('flightdeck run --cacert / -k', () => {
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
