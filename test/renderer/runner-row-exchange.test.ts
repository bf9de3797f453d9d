import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A runner's result row opens its exchange: the store over a real engine running a folder against a real server.
 * A failing request's row names its first failed iteration's session, a passing one's its latest; opening one
 * puts the runner aside and selects that row of the timeline; the runner comes back with its results.
 */

let server: RunnerServer
let engine: TestEngine
let store: AppStore
let dir: string

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-row-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Rows\nvariables:\n  base: ${server.url}\n`)
  const check = 'assertions:\n  - kind: status\n    equals: 200\n'
  file('load/ok.yaml', `name: OK\nmethod: GET\nurl: "{{base}}/echo?n=1"\n${check}`)
  file('load/missing.yaml', `name: Missing\nmethod: GET\nurl: "{{base}}/status/404"\n${check}`)
  engine = startEngine()
  store = engine.store()
  const opened = await engine.service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('a runner row’s exchange', () => {
  it('names the first failed iteration’s session, else the latest’s, and opens it on the timeline', async () => {
    const s = store.getState
    s().openRunner(dir, 'load', 'load')
    s().setRunConfig({ concurrency: 1, iterations: 3 })
    await s().startRun()
    await until(() => s().run?.finished !== null, 15_000)
    const rows = s().run!.requests
    const missing = rows.find((r) => r.name === 'Missing')
    const ok = rows.find((r) => r.name === 'OK')
    expect(missing?.exchange).toMatchObject({ iteration: 0, failed: true })
    expect(ok?.exchange).toMatchObject({ iteration: 2, failed: false })
    const sid = missing!.exchange!.sid
    await until(() => s().timeline.rows[sid] !== undefined, 10_000)
    expect(s().timeline.rows[sid]?.queued.url).toContain('/status/404')

    expect(s().openRunExchange(sid)).toBe(true)
    expect(s().runnerOpen).toBe(false)
    expect(s().selectedSid).toBe(sid)
    // Back to the runner: the run and its rows as they were.
    s().reopenRunner()
    expect(s().runnerOpen).toBe(true)
    expect(
      s()
        .run?.requests.map((r) => r.name)
        .sort(),
    ).toEqual(['Missing', 'OK'])
    // A session the timeline no longer holds: said, and the runner stays.
    expect(s().openRunExchange('gone')).toBe(false)
    expect(s().runnerOpen).toBe(true)
  })
})
