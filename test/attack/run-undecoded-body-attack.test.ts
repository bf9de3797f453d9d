import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { StepResultSummary } from '../../src/shared/run-schemas'
import { makeService } from '../engine/helpers'
import { runToEnd } from '../engine/import-formats-helpers'
import { startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A server answers in a content coding the engine does not decode (zstd, which Node 20 cannot undo): the body
 * is kept as the bytes that came, and a JSON check on it said only "the body is not JSON", though the server
 * sent JSON. The check says why.
 */

let server: RawServer
let service: EngineService
let dir: string
let configDir: string
beforeAll(async () => {
  server = await startRawServer((socket) =>
    socket.end(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: zstd\r\nContent-Length: 8\r\n\r\n(\xb5/\xfd1234',
      'latin1',
    ),
  )
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-undecoded-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-undecoded-config-'))
  service = makeService({ configDir })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Z\nvariables:\n  base: ${server.url}\n`)
  writeFileSync(
    join(dir, 'items.yaml'),
    "name: Items\nmethod: GET\nurl: '{{base}}/items'\nassertions:\n  - kind: json\n    path: $.items\n    exists: true\n",
  )
})
afterEach(async () => {
  await service.dispose()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

describe('a JSON check on a body in a coding the engine does not decode', () => {
  it('fails saying which coding', async () => {
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    // Every result the run's progress events carried (the last event has only those since the one before).
    const seen: StepResultSummary[] = []
    const off = service.onEvent((e) => {
      if (e.name === 'run.progress') seen.push(...e.payload.results)
    })
    const run = await runToEnd(service, dir, '').finally(off)
    expect(run.finished?.stats).toMatchObject({ passed: 0, failed: 1 })
    expect(seen.flatMap((r) => r.assertions)).toEqual([
      {
        name: '$.items exists',
        passed: false,
        message: 'the body is not JSON: it is zstd-encoded, which Flightdeck does not decode',
      },
    ])
  })
})
