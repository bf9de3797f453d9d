import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'

/**
 * A gRPC schema from .proto files where a "file" is a named pipe or a device. The describe waited forever on
 * the pipe, and read /dev/zero until Node's limit before the 64 MB budget was checked; both are refused at
 * once, in words (an `import` is looked up only among files, so it never meets one).
 */

let service: EngineService
let dir: string

beforeAll(() => {
  service = makeService({ persistWorkspace: false, watchCollections: false })
  dir = mkdtempSync(join(tmpdir(), 'fd-attack-proto-'))
})

afterAll(async () => {
  await service.dispose()
  rmSync(dir, { recursive: true, force: true })
})

function describeWith(files: string[]): ReturnType<EngineService['invoke']> {
  return service.invoke('grpc.describe', {
    target: '127.0.0.1:1',
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'proto', files, importPaths: [] },
  })
}

describe('.proto files that are not files', () => {
  it('a named pipe is refused at once, not waited on', async () => {
    const fifo = join(dir, 'api.proto')
    execFileSync('mkfifo', [fifo])
    expect(await describeWith([fifo])).toMatchObject({
      ok: false,
      error: { code: 'file', message: `The proto file ${fifo} is not a file (a pipe, a device or a folder)` },
    })
  })

  it('/dev/zero is refused at once, not read', async () => {
    expect(await describeWith(['/dev/zero'])).toMatchObject({
      ok: false,
      error: {
        code: 'file',
        message: 'The proto file /dev/zero is not a file (a pipe, a device or a folder)',
      },
    })
  })
})

describe('a .proto file whose error quotes a long run of spaces', () => {
  // protobufjs quotes the string in its error ("illegal edition '     x' (line 1)"); the pattern that moved the
  // line number to the front rescanned the spaces from each of their positions: 100 KB held the engine's thread
  // ~28 s (20 KB: 1.3 s). Linear now: milliseconds. The 10 s bound fails the quadratic form.
  it('is refused at once, naming the file and the line', async () => {
    const file = join(dir, 'spaces.proto')
    writeFileSync(file, `edition = "${' '.repeat(100_000)}x";\n`)
    const out = await describeWith([file])
    expect(out).toMatchObject({ ok: false, error: { code: 'parse' } })
    const message = out.ok ? '' : out.error.message
    expect(message.startsWith(`${file}, line 1: illegal edition '`)).toBe(true)
    expect(message.endsWith(`x'`)).toBe(true)
  }, 10_000)
})
