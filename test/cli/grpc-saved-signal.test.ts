import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * `flightdeck grpc --collection DIR --request PATH` opens the saved request (its collection, its variables, its
 * schema) before the call: a saved request with no `.proto` files asks the server for its schema, and a server
 * that takes the reflection stream and never answers holds it. Ctrl+C or SIGTERM then ends the command at once,
 * in words naming the wait, exit 130 / 143, and nothing goes on after it: no call is made, no stream is left
 * open at the server. The server is plain HTTP/2 on 127.0.0.1:0 that opens every stream and never answers.
 */

let root: string
let dir: string
let server: Http2Server
const paths: string[] = []
const held: ServerHttp2Stream[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-grpc-saved-signal-'))
  server = createServer()
  server.on('stream', (stream, headers) => {
    paths.push(String(headers[':path']))
    held.push(stream)
    stream.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = join(root, 'shop')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(
    join(dir, 'say.yaml'),
    `name: Say\nkind: grpc\nurl: grpc://${target}\ngrpc:\n  method: flightdeck.test.Echo/Say\nmessages:\n  - name: hello\n    text: '{"text": "hi"}'\n`,
  )
})

afterAll(async () => {
  for (const s of held) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck grpc --collection while the server holds its reflection', () => {
  it.each([
    ['SIGINT', 130, 'on Ctrl\\+C'],
    ['SIGTERM', 143, 'on SIGTERM'],
  ] as const)('%s ends the wait in words, exit %d, nothing left running', async (signal, code, words) => {
    paths.length = 0
    const r = await runCliChild(['grpc', '--collection', dir, '--request', 'say'], {
      root,
      signal,
      whenReady: () => paths.some((p) => p.includes('ServerReflection')),
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(
      new RegExp(
        `^flightdeck: stopped ${words} while asking 127\\.0\\.0\\.1:\\d+ for its schema \\(reflection\\): the call was not made\\n$`,
      ),
    )
    // Promptly: the signal ends the wait, not the reflection's 15 s deadline or a forced exit.
    expect(r.afterSignalMs).toBeLessThan(3_000)
    expect(paths.filter((p) => p.endsWith('/Say'))).toHaveLength(0)
    // The process has gone, and with it every stream it had open: none is left at the server.
    expect(held.filter((s) => !s.closed && !s.destroyed)).toHaveLength(0)
  })
})
