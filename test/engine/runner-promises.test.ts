import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'
import { countingPromises } from './promise-count'

// What a run costs per step run, counted rather than timed (a count does not move with the machine's load):
// each promise is an allocation and a turn of the microtask queue. A step run of one unchanging request made 22
// before the runner's fast path (its async wrappers, an empty Promise.all, an awaited synchronous send); now 6,
// of which the engine's exchange and undici's dispatch are most. A collection's steps are each resolved once
// (`flightdeck run <dir>`): 20 a step when its body and CA file checks were awaited for every request, though
// few requests name a file (14), its resolution was awaited for the random-data values few requests name (12),
// an async frame around its resolution waited on its exchange's promise (10), and a step waiting for the gate
// made an async frame's promise as well as its own (8 now). A request run N times made 4.1 a step run (its step's
// async frame, the engine's waitFor and the worker's await) before its workers were told of each result by the
// engine (bare-run.ts): one now, the microtask each result is taken up in.

let server: AnsweringServer
let base = ''
let service: EngineService
beforeAll(async () => {
  server = await startAnsweringServer('{"ok":true}', 'application/json')
  base = server.base
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

describe('a run of one request, per step run', () => {
  it('makes one promise per step run once the request is resolved, and every iteration still passes', async () => {
    const step: RunStep = {
      id: 'hit',
      name: 'hit',
      request: spec('{{base}}/hit', {
        headers: [{ name: 'Accept', value: 'application/json', enabled: true }],
      }),
      variables: new Map([['base', base]]),
      assertions: [{ kind: 'status', equals: 200 }],
      extract: [],
    }
    // Warm: the first run resolves the request and opens the connections.
    await runSteps(service.http, [step], { concurrency: 10, iterations: 50 })
    const iterations = 500
    const { value: report, promises } = await countingPromises(() =>
      runSteps(service.http, [step], { concurrency: 10, iterations }),
    )
    expect(report.stats.passed).toBe(iterations)
    expect(report.results.every((r) => r.status === 200 && r.assertions[0]?.passed)).toBe(true)
    expect(promises / iterations).toBeLessThanOrEqual(1.1)
  })
})

describe('a run of a collection, per step', () => {
  it('makes at most 8.5 promises for a request resolved once, and every step still passes', async () => {
    // As `flightdeck run <dir>` plans a collection: each request its own step, its file scope the collection's.
    const files = { root: resolve('.'), allowed: [], howToAllow: () => '' }
    const steps = (n: number, from: number): RunStep[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `item-${from + i}`,
        name: `Item ${from + i}`,
        request: spec(`{{base}}/items/${from + i}`, {
          headers: [{ name: 'Accept', value: 'application/json', enabled: true }],
        }),
        variables: new Map([['base', base]]),
        assertions: [{ kind: 'status', equals: 200 }],
        extract: [],
      }))
    await runSteps(service.http, steps(50, 0), { concurrency: 10, iterations: 1, files })
    const count = 300
    const { value: report, promises } = await countingPromises(() =>
      runSteps(service.http, steps(count, 50), { concurrency: 10, iterations: 1, files }),
    )
    expect(report.stats.passed).toBe(count)
    expect(report.results.every((r) => r.status === 200 && r.assertions[0]?.passed)).toBe(true)
    expect(promises / count).toBeLessThanOrEqual(8.5)
  })
})
