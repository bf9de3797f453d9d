import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assertion } from '../../src/shared/run-spec'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'
import { makeService, spec } from './helpers'
import { countingPromises } from './promise-count'

/**
 * What a run repeats for an identical step, counted (a count does not move with the machine's load). A request
 * run N times is planned once per run: whether it goes the plain way (no body to read, no retries…) and the link
 * its sends share are worked out at its first send, not at every one; its iterations share one empty scope and run
 * in their worker's own frame, so a step run makes fewer promises (each an allocation and a turn of the queue).
 */

let server: AnsweringServer
let service: EngineService
beforeAll(async () => {
  server = await startAnsweringServer('{"ok":true}', 'application/json')
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

const hit = (assertions: Assertion[]): RunStep => ({
  id: 'hit',
  name: 'hit',
  request: spec('{{base}}/hit', { headers: [{ name: 'Accept', value: 'application/json', enabled: true }] }),
  variables: new Map([['base', server.base]]),
  assertions,
  extract: [],
})

/** The step's checks, counting each time the run looks through the whole list for a kind of check. */
function counted(list: Assertion[]): { list: Assertion[]; scans: () => number } {
  let scans = 0
  const proxy = new Proxy(list, {
    get(target, prop, receiver) {
      if (prop === 'some' || prop === 'find' || prop === 'every' || prop === 'filter') scans++
      return Reflect.get(target, prop, receiver) as unknown
    },
  })
  return { list: proxy, scans: () => scans }
}

describe('a request run 1,000 times', () => {
  it('is planned once: its checks are looked through a few times a run, not at every send', async () => {
    const checks = counted([
      { kind: 'status', equals: 200 },
      { kind: 'header', name: 'content-type', contains: 'json' },
    ])
    const iterations = 1000
    const report = await runSteps(service.http, [hit(checks.list)], { concurrency: 10, iterations })
    expect(report.stats.passed).toBe(iterations)
    expect(
      report.results.every((r) => r.assertions.length === 2 && r.assertions.every((a) => a.passed)),
    ).toBe(true)
    expect(checks.scans()).toBeLessThanOrEqual(5)
  })

  it('makes at most 5 promises a step run (6.1 before), and every iteration still passes', async () => {
    const step = hit([{ kind: 'status', equals: 200 }])
    await runSteps(service.http, [step], { concurrency: 10, iterations: 50 })
    const iterations = 500
    const { value: report, promises } = await countingPromises(() =>
      runSteps(service.http, [step], { concurrency: 10, iterations }),
    )
    expect(report.stats.passed).toBe(iterations)
    expect(promises / iterations).toBeLessThanOrEqual(5)
  })
})
