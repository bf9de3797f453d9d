import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'

/**
 * A GraphQL request's schema file that is not a file: a named pipe (a shared folder can hold one; nothing ever
 * writes to it) or a device that never ends (`/dev/zero`). The read waited forever on the pipe and read the
 * device until Node's 2 GB limit; it is refused at once, in words, and the engine goes on.
 */

let service: EngineService
let dir: string

beforeAll(() => {
  service = makeService({ persistWorkspace: false, watchCollections: false })
  dir = mkdtempSync(join(tmpdir(), 'fd-attack-sdl-'))
})

afterAll(async () => {
  await service.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('a schema file that is not a file', () => {
  it('a named pipe is refused at once, not waited on', async () => {
    const fifo = join(dir, 'schema.graphql')
    execFileSync('mkfifo', [fifo])
    const r = await service.invoke('graphql.schemaFile', { path: fifo })
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'file',
        message: `The schema file ${fifo} is not a file (a pipe, a device or a folder)`,
      },
    })
  })

  it('/dev/zero is refused at once, not read', async () => {
    const r = await service.invoke('graphql.schemaFile', { path: '/dev/zero' })
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'file',
        message: 'The schema file /dev/zero is not a file (a pipe, a device or a folder)',
      },
    })
  })
})
