import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * `flightdeck graphql --query @file` reads the file whole before it sends: `@/dev/zero` (or a schema dump named
 * by mistake) was read without end, the process growing until it died. A query file is taken up to 1 MiB and
 * `--variables @file` up to 64 MiB; past that the command stops reading and says so, exit 2, nothing sent.
 */

let root: string
let server: Server
let url: string
let requests = 0

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-graphql-file-limit-'))
  server = createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"a":1}}'))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck graphql reads a file up to its limit', () => {
  it('refuses --query @/dev/zero past 1 MiB in words, exit 2, nothing sent', async () => {
    requests = 0
    const r = await runCliChild(['graphql', url, '--query', '@/dev/zero'], { root })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'flightdeck: the --query file /dev/zero is longer than --query may be: at most 1 MiB (1,048,576 bytes); nothing was sent\n',
    )
    expect(requests).toBe(0)
    expect(r.ownMs).toBeLessThan(30_000)
  })

  it('refuses --variables @/dev/zero past 64 MiB, exit 2, nothing sent', async () => {
    requests = 0
    const r = await runCliChild(['graphql', url, '--query', '{ a }', '--variables', '@/dev/zero'], { root })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'is longer than --variables may be: at most 64 MiB (67,108,864 bytes); nothing was sent',
    )
    expect(requests).toBe(0)
  })

  it('sends a query file of exactly 1 MiB', async () => {
    requests = 0
    const query = '{ a }'
    const file = join(root, 'big.graphql')
    writeFileSync(file, `${query}${' '.repeat(1024 * 1024 - query.length)}`)
    const r = await runCliChild(['graphql', url, '--query', `@${file}`], { root })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(requests).toBe(1)
  })
})
