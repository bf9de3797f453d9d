import { describe, expect, it } from 'vitest'
import { startRunnerServer } from '../fixtures/runner-server'
import { until } from './engine-client'
import { runToFinish, STATUS_200, useRunnerCollection } from './runner-collection'

/**
 * A runner's result row opens its exchange: the store over a real engine running a folder against a real server.
 * A failing request's row names its first failed iteration's session, a passing one's its latest; opening one
 * puts the runner aside and selects that row of the timeline; the runner comes back with its results.
 */

const collection = useRunnerCollection('fd-runner-row', startRunnerServer, (base) => ({
  'collection.yaml': `flightdeck: 1\nname: Rows\nvariables:\n  base: ${base}\n`,
  'load/ok.yaml': `name: OK\nmethod: GET\nurl: "{{base}}/echo?n=1"\n${STATUS_200}`,
  'load/missing.yaml': `name: Missing\nmethod: GET\nurl: "{{base}}/status/404"\n${STATUS_200}`,
}))

describe('a runner row’s exchange', () => {
  it('names the first failed iteration’s session, else the latest’s, and opens it on the timeline', async () => {
    const s = collection.store.getState
    const rows = (await runToFinish(collection, 'load', 'load', { concurrency: 1, iterations: 3 })).requests
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
