import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A shared collection whose request names a CA file that is not a certificate file: `caFile: /dev/zero`, or
 * a named pipe. The CA file was read synchronously on the engine's thread for as long as it gave bytes:
 * `flightdeck send` on the /dev/zero request held 6.6 GB after 30 s, and the pipe waited for a writer for
 * good. Now only a regular file (up to 16 MB) is read; the others end the send at once, 'Cannot read the CA
 * file …', and the rest of the run goes on. (WebSocket, MQTT, Socket.IO, SSE and gRPC read their CA files
 * through the same reader, src/engine/files/pem-file.ts.) Both lie outside the collection, so the person allows
 * their folders, as they must for any file a collection names outside itself (tls-file-paths-attack).
 */

/** The flags that allow /dev and the pipe's folder. */
function allow(): string[] {
  return ['--allow-files', '/dev', '--allow-files', root]
}

let server: RawServer
let root: string
let dir: string
let fifo: string

beforeAll(async () => {
  server = await startRawServer((socket) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-ca-file-'))
  dir = join(root, 'shared')
  mkdirSync(dir)
  fifo = join(root, 'ca.pem')
  execFileSync('mkfifo', [fifo])
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Shared\nvariables:\n  base: ${server.url}\n`,
  )
  const request = (name: string, caFile: string): string =>
    `name: ${name}\nmethod: GET\nurl: 'https://127.0.0.1:9/'\noptions:\n  caFile: ${caFile}\n`
  writeFileSync(join(dir, 'a-zero.yaml'), request('Zero', '/dev/zero'))
  writeFileSync(join(dir, 'b-pipe.yaml'), request('Pipe', fifo))
  writeFileSync(join(dir, 'c-ok.yaml'), "name: Ok\nmethod: GET\nurl: '{{base}}/ok'\n")
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('a CA file that is a device or a pipe', () => {
  it('flightdeck send on caFile: /dev/zero ends at once, naming the file', async () => {
    const r = await runFlightdeckProcess(['send', '--collection', dir, '--request', 'a-zero', ...allow()], {
      root,
      timeoutMs: 30_000,
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Cannot read the CA file /dev/zero')
  }, 40_000)

  it('flightdeck run fails the device and pipe requests in words and still sends the third', async () => {
    const r = await runFlightdeckProcess(['run', dir, ...allow()], { root, timeoutMs: 30_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Cannot read the CA file /dev/zero')
    expect(r.stdout).toContain(`Cannot read the CA file ${fifo}`)
    expect(r.stdout).toContain('1 passed, 2 failed')
  }, 40_000)
})
