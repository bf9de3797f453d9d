import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
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
