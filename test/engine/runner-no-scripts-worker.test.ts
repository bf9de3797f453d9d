import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedPool } from '../../src/engine/workers/pool'
import { makeService } from './helpers'

/**
 * A run of a collection without scripts needs no worker: none is started for it (one started at the end of
 * every such run to forget a sandbox that was never made, and `flightdeck run` waited ~300 ms for it to start).
 */

let server: Server
let dir: string
let configDir: string

beforeAll(async () => {
  server = createServer((_req, res) => res.end('{"ok":true}'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  dir = mkdtempSync(join(tmpdir(), 'fd-run-noscripts-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-noscripts-config-'))
  writeFileSync(join(dir, 'collection.yaml'), `name: Plain\nvariables:\n  base: http://127.0.0.1:${port}\n`)
  writeFileSync(
    join(dir, 'hit.yaml'),
    'name: Hit\nmethod: GET\nurl: "{{base}}/hit"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
})

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

describe('a run without scripts', () => {
  it('passes without starting a worker', async () => {
    const before = sharedPool().workersStarted
    const service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
    try {
      const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 2 })
      if (!started.ok) throw new Error(`${started.error.code}: ${started.error.message}`)
      const report = await service.waitForRun(started.value.runId)
      expect(report?.stats.passed).toBe(2)
      expect(report?.stats.failed).toBe(0)
      // The run's end is when a stray worker used to be started: give it the turn it took.
      await new Promise((r) => setTimeout(r, 50))
      expect(sharedPool().workersStarted - before).toBe(0)
    } finally {
      await service.dispose()
    }
  })
})
