import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until as untilFor } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { runPayload, tallyResults } from '../../src/renderer/runner/runner-slice'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The runner's results view state, driven by a real engine running a collection folder against a real server:
 * progress, pass/fail per request with the assertion's message, percentiles, cancel.
 */

const until = (cond: () => boolean, ms = 15000): Promise<void> => untilFor(cond, ms)

let server: RunnerServer
let engine: TestEngine
let store: AppStore
let dir: string

function file(rel: string, text: string): void {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-ui-'))
  file('collection.yaml', `flightdeck: 1\nname: Load\nvariables:\n  base: ${server.url}\n`)
  for (let i = 1; i <= 3; i++)
    file(
      `load/ok-${i}.yaml`,
      `name: OK ${i}\nmethod: GET\nurl: "{{base}}/echo?n=${i}"\nassertions:\n  - kind: status\n    equals: 200\n`,
    )
  file(
    'load/missing.yaml',
    'name: Missing\nmethod: GET\nurl: "{{base}}/status/404"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  file('slow/slow.yaml', 'name: Slow\nmethod: GET\nurl: "{{base}}/slow?ms=400"\n')
  engine = startEngine()
  store = engine.store()
  const opened = await engine.service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('runner results view', () => {
  it('runs a folder: progress, pass/fail per request with the failing assertion, percentiles', async () => {
    store.getState().openRunner(dir, 'load', 'load')
    expect(store.getState().runnerOpen).toBe(true)
    store.getState().setRunConfig({ concurrency: 4, iterations: 5 })
    await store.getState().startRun()
    expect(store.getState().runError).toBeNull()
    expect(store.getState().run?.total).toBe(20)
    await until(() => store.getState().run?.finished !== null)
    const run = store.getState().run!
    expect(run).toMatchObject({ done: 20, passed: 15, failed: 5 })
    expect(run.finished?.cancelled).toBe(false)
    expect(run.finished?.stats.total).toBe(20)
    expect(run.finished!.stats.p50).toBeLessThanOrEqual(run.finished!.stats.p99)
    expect(run.finished!.stats.histogram.reduce((n, b) => n + b.count, 0)).toBe(20)
    const missing = run.requests.find((r) => r.name === 'Missing')
    expect(missing).toMatchObject({ passed: 0, failed: 5 })
    expect(missing?.messages).toEqual(['status 404 is not 200'])
    expect(run.requests.filter((r) => r.failed === 0)).toHaveLength(3)
    // Per-request percentiles come from the engine once the run is over.
    await until(() => store.getState().run!.requests.every((r) => r.summary !== undefined))
    expect(server.hits('/echo')).toBe(15)
    // The run's requests are on the timeline like any others.
    await until(() => store.getState().timeline.order.length >= 20)
  })

  it('cancels a run in flight', async () => {
    store.getState().openRunner(dir, 'slow', 'slow')
    store.getState().setRunConfig({ concurrency: 1, iterations: 50 })
    await store.getState().startRun()
    await until(() => (store.getState().run?.done ?? 0) >= 1)
    await store.getState().cancelRun()
    await until(() => store.getState().run?.finished !== null)
    const run = store.getState().run!
    expect(run.finished?.cancelled).toBe(true)
    expect(run.done).toBeLessThan(50)
  })

  it('says plainly what is wrong with a run that cannot start', async () => {
    store.getState().openRunner(dir, 'load', 'load')
    store.getState().setRunConfig({ dataFile: 'nope.csv' })
    await store.getState().startRun()
    expect(store.getState().runError?.message).toMatch(/nope\.csv/)
    store.getState().setRunConfig({ dataFile: '' })
  })

  it('builds the run.start payload from the form', () => {
    expect(
      runPayload({
        dir: '/c',
        path: 'f',
        label: 'f',
        env: 'local',
        concurrency: 20,
        iterations: 2,
        pacing: 'rate',
        delayMs: 5,
        ratePerSecond: 40,
        dataFile: ' rows.csv ',
        bail: true,
      }),
    ).toEqual({
      dir: '/c',
      path: 'f',
      env: 'local',
      concurrency: 20,
      iterations: 2,
      ratePerSecond: 40,
      dataFile: 'rows.csv',
      bail: true,
    })
    const tally = tallyResults(
      [],
      [
        {
          stepId: 'a',
          name: 'A',
          path: 'a.yaml',
          iteration: 0,
          attempts: 1,
          timeMs: 1,
          passed: false,
          error: { code: 'refused', message: 'Connection refused' },
          assertions: [],
        },
        {
          stepId: 'a',
          name: 'A',
          path: 'a.yaml',
          iteration: 1,
          attempts: 1,
          timeMs: 1,
          passed: true,
          assertions: [],
        },
      ],
    )
    expect(tally).toEqual([
      { stepId: 'a', name: 'A', path: 'a.yaml', passed: 1, failed: 1, messages: ['Connection refused'] },
    ])
  })
})
