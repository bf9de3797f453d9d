import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byteCount, sizeLimit } from '../../src/cli/byte-words'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * The command line's messages write sizes one way: a count of bytes grouped as en-US writes it, a limit in MiB
 * first with its count beside it. Before, `--schema`'s refusal said `16777217 bytes, past the 16777216-byte
 * limit`, `--query @file`'s `1 MiB (1048576 bytes)`, while gRPC's said `64 MiB (67,108,864 bytes)`.
 */

let root: string
let server: Server
let url: string
let requests = 0

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-byte-words-'))
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

describe('sizes in the command line’s messages', () => {
  it('are counts grouped en-US, and limits in MiB or KiB with their count', () => {
    expect(byteCount(1)).toBe('1 byte')
    expect(byteCount(302)).toBe('302 bytes')
    expect(byteCount(67_108_865)).toBe('67,108,865 bytes')
    expect(sizeLimit(64 * 1024 * 1024)).toBe('64 MiB (67,108,864 bytes)')
    expect(sizeLimit(1024 * 1024)).toBe('1 MiB (1,048,576 bytes)')
    expect(sizeLimit(2 * 1024 * 1024 * 1024)).toBe('2 GiB (2,147,483,648 bytes)')
    expect(sizeLimit(512 * 1024)).toBe('512 KiB (524,288 bytes)')
    expect(sizeLimit(1000)).toBe('1,000 bytes')
  })

  it('flightdeck graphql --schema past its limit says the file’s size and the limit so, nothing sent', async () => {
    requests = 0
    const schema = join(root, 'big.graphql')
    // Sparse: the size is what is checked, before anything is read.
    const fd = openSync(schema, 'w')
    ftruncateSync(fd, 16 * 1024 * 1024 + 1)
    closeSync(fd)
    const r = await runCliChild(['graphql', url, '--query', '{ a }', '--schema', schema], { root })
    expect(r.stderr).toContain(
      `the schema file ${schema} is 16,777,217 bytes, past the 16 MiB (16,777,216 bytes) limit for --schema`,
    )
    expect(r.code).toBe(2)
    expect(requests).toBe(0)
  })

  it('flightdeck graphql --query @file past 1 MiB says the limit grouped', async () => {
    requests = 0
    const query = join(root, 'long.graphql')
    writeFileSync(query, `{ a }${' '.repeat(1024 * 1024)}`)
    const r = await runCliChild(['graphql', url, '--query', `@${query}`], { root })
    expect(r.stderr).toBe(
      `flightdeck: the --query file ${query} is longer than --query may be: at most 1 MiB (1,048,576 bytes); nothing was sent\n`,
    )
    expect(r.code).toBe(2)
    expect(requests).toBe(0)
  })
})
