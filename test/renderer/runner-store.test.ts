import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { RunnerPanel, RunProgress } from '../../src/renderer/runner/RunnerPanel'
import { RunRequestTable } from '../../src/renderer/runner/RunRequestTable'
import { renderOverStore } from './render-over-store'
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
    // Postman's chained requests, as imported: a login that fails (404), so the token it would extract is never
    // set, and a request depending on it.
    'vars/login.yaml': `name: Login\nmethod: GET\nurl: "{{base}}/status/404"\n${STATUS_200}extract:\n  - name: link_token\n    from: json\n    path: $.token\n`,
    'vars/token.yaml': `name: Use token\nmethod: GET\nurl: "{{base}}/echo?t={{link_token}}"\n${STATUS_200}dependsOn:\n  - vars/login.yaml\n`,
  }
  // No checks: it passes on any answer, as in Postman's runner; its row says the 500 it got.
  files['nocheck/broken.yaml'] = 'name: Broken\nmethod: GET\nurl: "{{base}}/status/500"\n'
  // Port 1 on loopback refuses: the request fails with no response, so it has no latency to show.
  files['refused/refused.yaml'] = 'name: Refused\nmethod: GET\nurl: "http://127.0.0.1:1/"\n'
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

  it('a request whose dependency failed is shown as not run, with why, not as a pass', async () => {
    s().openRunner(collection.dir, 'vars', 'vars')
    s().setRunConfig({ concurrency: 10, iterations: 1 })
    await s().startRun()
    await until(() => s().run?.finished !== null)
    // The engine's per-request list names the request that never ran (no result of its own).
    await until(() => s().run!.requests.length === 2)
    const run = s().run!
    expect(run).toMatchObject({ total: 2, done: 1, passed: 0, failed: 1 })
    const text = (el: ReturnType<typeof createElement>): string =>
      renderOverStore(collection.store, el)
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
    const table = text(createElement(RunRequestTable, { requests: run.requests }))
    // Imported Postman chains look like this: the token request after a failed login sent nothing.
    expect(table).toContain('– Use token Not run: a request it depends on (dependsOn) failed')
    expect(table).not.toContain('✓ Use token')
    expect(text(createElement(RunProgress, { settingsOpen: false, onSettings: () => undefined }))).toContain(
      '1 not run',
    )
  })

  it('a request without checks passes on a 500, and its row says the 500 beside its name', async () => {
    s().openRunner(collection.dir, 'nocheck', 'nocheck')
    s().setRunConfig({ concurrency: 1, iterations: 1 })
    await s().startRun()
    await until(() => s().run?.finished !== null && s().run!.requests.every((r) => r.exchange !== undefined))
    const sid = s().run!.requests[0]?.exchange?.sid ?? ''
    await until(() => s().timeline.rows[sid]?.status === 500)
    const html = renderOverStore(
      collection.store,
      createElement(RunRequestTable, { requests: s().run!.requests }),
    )
    expect(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toContain('✓ Broken 500')
    expect(html).toContain('run-status st-5xx')
  })

  it('a request that never got a response shows — for its percentiles, not 0.0 ms', async () => {
    s().openRunner(collection.dir, 'refused', 'refused')
    s().setRunConfig({ concurrency: 1, iterations: 1 })
    await s().startRun()
    await until(() => s().run?.finished !== null && s().run!.requests.every((r) => r.summary !== undefined))
    expect(s().run!.requests[0]).toMatchObject({ failed: 1, summary: { responses: 0 } })
    const html = renderOverStore(
      collection.store,
      createElement(RunRequestTable, { requests: s().run!.requests }),
    )
    const cells = [...html.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])
    expect(cells.slice(-4)).toEqual(['—', '—', '—', '—'])
    // The run's tiles too, and its rate counts responses (none), as the CLI's summary does.
    const panel = renderOverStore(collection.store, createElement(RunnerPanel))
    // A facts list as the details pane's (FactList, `.fact dd`): each figure beside its label, not a tile's
    // right-aligned number.
    const list =
      /<dl class="facts run-facts" aria-label="Latency percentiles">(.*?)<\/dl>/.exec(panel)?.[1] ?? ''
    const tiles = Object.fromEntries(
      [...list.matchAll(/<div class="fact"><dt>([^<]+)<\/dt><dd[^>]*>([^<]*)<\/dd><\/div>/g)].map((m) => [
        m[1],
        m[2],
      ]),
    )
    expect(tiles).toEqual({ p50: '—', p90: '—', p99: '—', max: '—', mean: '—', 'req/s': '0.0' })
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
