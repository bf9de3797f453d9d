import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { makeService } from './helpers'

/**
 * A run planned after the collection loaded reuses what the load parsed only while the file is unchanged: a
 * request file edited since (another size, or the same size written later) runs as it is now, even where
 * nothing watches the folder (the CLI, a host with watching off).
 */

let server: RunnerServer
let service: EngineService
let dir: string
let configDir: string

const request = (path: string): string =>
  `name: Hit\nmethod: GET\nurl: "{{base}}/${path}"\nassertions:\n  - kind: status\n    equals: 200\n`

async function runOnce(path: string): Promise<{ passed: boolean; status: number | undefined }> {
  const started = await service.invoke('run.start', { dir, path, concurrency: 1, iterations: 1 })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  const r = report?.results[0]
  if (!r) throw new Error('no result')
  return { passed: r.passed, status: r.status }
}

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-plan-fresh-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-plan-fresh-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Fresh\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(dir, 'a.yaml'), request('echo?v=a-first'))
  writeFileSync(join(dir, 'b.yaml'), request('echo?v=b-first'))
  service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service.dispose()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

describe('a run planned after the collection loaded', () => {
  it('runs the files as loaded when they have not changed', async () => {
    expect(await runOnce('')).toEqual({ passed: true, status: 200 })
    expect(server.urls('/echo')).toEqual(['/echo?v=a-first', '/echo?v=b-first'])
  })

  it('runs a request file edited since the load as it is now (a different size)', async () => {
    writeFileSync(join(dir, 'a.yaml'), request('status/503'))
    expect(await runOnce('a.yaml')).toEqual({ passed: false, status: 503 })
    expect(server.hits('/status/503')).toBe(1)
  })

  it('runs a request file rewritten to the same size later as it is now', async () => {
    const abs = join(dir, 'b.yaml')
    const before = statSync(abs)
    writeFileSync(abs, request('echo?v=b-later'))
    expect(statSync(abs).size).toBe(before.size)
    // A later modification time, as any later write has (set here so a coarse clock cannot hide it).
    const later = new Date(before.mtimeMs + 5000)
    utimesSync(abs, later, later)
    expect(await runOnce('b.yaml')).toEqual({ passed: true, status: 200 })
    expect(server.urls('/echo').slice(2)).toEqual(['/echo?v=b-later'])
  })
})
