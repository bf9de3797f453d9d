import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * `flightdeck grpc` asks a server without --proto for its schema (reflection) before the method is known: a
 * server that takes the reflection stream and never answers holds it for up to 15 s. Ctrl+C or SIGTERM then
 * ends the command at once, in words, exit 130 / 143 (the process was killed by the signal without a word).
 * The server is plain HTTP/2 on 127.0.0.1:0 that opens every stream and never answers; the signal goes once the
 * reflection stream has reached it.
 */

let root: string
let server: Http2Server
let target: string
const paths: string[] = []
const held: ServerHttp2Stream[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-grpc-reflection-signal-'))
  server = createServer()
  server.on('stream', (stream, headers) => {
    paths.push(String(headers[':path']))
    held.push(stream)
    stream.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  target = `127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const s of held) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck grpc while the server holds its reflection', () => {
  it.each([
    ['SIGINT', ['flightdeck.test.Echo/Say', '-d', '{}'], 130, 'on Ctrl\\+C', 'the call was not made'],
    ['SIGTERM', [], 143, 'on SIGTERM', 'nothing was listed'],
  ] as const)('%s ends the wait in words', async (signal, rest, code, words, outcome) => {
    paths.length = 0
    const r = await runCliChild(['grpc', target, ...rest, '--plaintext'], {
      root,
      signal,
      whenReady: () => paths.some((p) => p.includes('ServerReflection')),
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(
      new RegExp(
        `^flightdeck: stopped ${words} while asking 127\\.0\\.0\\.1:\\d+ for its schema \\(reflection\\): ${outcome}\\n$`,
      ),
    )
    // Promptly: the signal ends the wait, not the reflection's 15 s deadline or a forced exit.
    expect(r.afterSignalMs).toBeLessThan(3_000)
    expect(paths.filter((p) => p.endsWith('/Say'))).toHaveLength(0)
  })
})
