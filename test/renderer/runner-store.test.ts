import { describe, expect, it } from 'vitest'
import { until as untilFor } from './engine-client'
import { runPayload, tallyResults } from '../../src/renderer/runner/runner-slice'
import { startRunnerServer } from '../fixtures/runner-server'
import { STATUS_200, useRunnerCollection } from './runner-collection'

/**
 * The runner's results view state, driven by a real engine running a collection folder against a real server:
 * progress, pass/fail per request with the assertion's message, percentiles, cancel.
 */

const until = (cond: () => boolean, ms = 15000): Promise<void> => untilFor(cond, ms)

const collection = useRunnerCollection('fd-runner-ui', startRunnerServer, (base) => {
  const files: Record<string, string> = {
    'collection.yaml': `flightdeck: 1\nname: Load\nvariables:\n  base: ${base}\n`,
    'load/missing.yaml': `name: Missing\nmethod: GET\nurl: "{{base}}/status/404"\n${STATUS_200}`,
    'slow/slow.yaml': 'name: Slow\nmethod: GET\nurl: "{{base}}/slow?ms=400"\n',
  }
  for (let i = 1; i <= 3; i++)
    files[`load/ok-${i}.yaml`] = `name: OK ${i}\nmethod: GET\nurl: "{{base}}/echo?n=${i}"\n${STATUS_200}`
  return files
})

const s = () => collection.store.getState()

describe('runner results view', () => {
  it('runs a folder: progress, pass/fail per request with the failing assertion, percentiles', async () => {
    s().openRunner(collection.dir, 'load', 'load')
    expect(s().runnerOpen).toBe(true)
    s().setRunConfig({ concurrency: 4, iterations: 5 })
    await s().startRun()
    expect(s().runError).toBeNull()
    expect(s().run?.total).toBe(20)
    await until(() => s().run?.finished !== null)
    const run = s().run!
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
    await until(() => s().run!.requests.every((r) => r.summary !== undefined))
    expect(collection.server.hits('/echo')).toBe(15)
    // The run's requests are on the timeline like any others.
    await until(() => s().timeline.order.length >= 20)
  })

  it('cancels a run in flight', async () => {
    s().openRunner(collection.dir, 'slow', 'slow')
    s().setRunConfig({ concurrency: 1, iterations: 50 })
    await s().startRun()
    await until(() => (s().run?.done ?? 0) >= 1)
    await s().cancelRun()
    await until(() => s().run?.finished !== null)
    const run = s().run!
    expect(run.finished?.cancelled).toBe(true)
    expect(run.done).toBeLessThan(50)
  })

  it('says plainly what is wrong with a run that cannot start', async () => {
    s().openRunner(collection.dir, 'load', 'load')
    s().setRunConfig({ dataFile: 'nope.csv' })
    await s().startRun()
    expect(s().runError?.message).toMatch(/nope\.csv/)
    s().setRunConfig({ dataFile: '' })
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
