import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A shared collection (a git clone: git keeps symbolic links) whose environment file is a link to /dev/zero,
 * and one whose environment file is a named pipe. The collection's files are read synchronously on the
 * engine's thread, by what stat said the size was: /dev/zero (size 0) was read to 4.3 GB of memory in 30 s,
 * a pipe waited for a writer for good — `flightdeck run` never ended, and the app's engine would have frozen
 * opening the folder. Each is refused as not a file; choosing that environment says why it cannot be used;
 * the rest of the collection runs.
 */

let server: RawServer
let root: string
let dir: string

beforeAll(async () => {
  server = await startRawServer((socket) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-special-files-'))
  dir = join(root, 'shared')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Shared\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(dir, 'ok.yaml'),
    "name: Ok\nmethod: GET\nurl: '{{base}}/ok'\nassertions:\n  - kind: status\n    equals: 200\n",
  )
  symlinkSync('/dev/zero', join(dir, 'environments', 'local.yaml'))
  execFileSync('mkfifo', [join(dir, 'environments', 'pipe.yaml')])
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

const NOT_A_FILE = 'Not a file (a pipe, a device or a folder); not read'

describe('a collection whose environment files are a device and a pipe', () => {
  it('flightdeck run without an environment runs the collection', async () => {
    const r = await runFlightdeckProcess(['run', dir], { root, timeoutMs: 30_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('1 passed, 0 failed')
  }, 40_000)

  it('flightdeck send with the /dev/zero environment says why it cannot be used', async () => {
    const r = await runFlightdeckProcess(['send', '--collection', dir, '--request', 'ok', '--env', 'local'], {
      root,
      timeoutMs: 30_000,
    })
    expect(r.signal).toBeNull()
    expect(r.code).not.toBe(0)
    // A link, wherever it leads, is not read (collection-links-attack); the device behind it is never opened.
    expect(r.stderr).toContain(
      'The environment "local" in Shared could not be read: environments/local.yaml: A symbolic link to /dev/zero (outside the collection); not read',
    )
  }, 40_000)

  it('flightdeck run with the pipe environment says why it cannot be used', async () => {
    const r = await runFlightdeckProcess(['run', dir, '--env', 'pipe'], { root, timeoutMs: 30_000 })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `The environment "pipe" in Shared could not be read: environments/pipe.yaml: ${NOT_A_FILE}`,
    )
  }, 40_000)

  it('flightdeck send and grpc --request naming a pipe say it is not a file, and end', async () => {
    // A path named by hand is read without the folder walk's check: the pipe held send for good (SIGTERM did not
    // end it).
    const pipe = join(root, 'pipe-request')
    mkdirSync(pipe)
    writeFileSync(join(pipe, 'collection.yaml'), 'flightdeck: 1\nname: Pipe\n')
    execFileSync('mkfifo', [join(pipe, 'req.yaml')])
    const send = await runFlightdeckProcess(['send', '--collection', pipe, '--request', 'req'], {
      root,
      timeoutMs: 30_000,
    })
    expect(send.signal).toBeNull()
    expect(send.code).toBe(2)
    expect(send.stderr).toContain(`req.yaml line 0: ${NOT_A_FILE}`)
    const grpc = await runFlightdeckProcess(['grpc', '--collection', pipe, '--request', 'req'], {
      root,
      timeoutMs: 30_000,
    })
    expect(grpc.signal).toBeNull()
    expect(grpc.code).toBe(2)
    expect(grpc.stderr).toContain(`req.yaml line 0: ${NOT_A_FILE}`)
  }, 70_000)
})
