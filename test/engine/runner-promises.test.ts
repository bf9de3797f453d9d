import { createHook } from 'node:async_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'

// What a run of one unchanging request costs per step run, counted rather than timed (a count does not move
// with the machine's load): each promise is an allocation and a turn of the microtask queue. A step run made 22
// before the runner's fast path (its async wrappers, an empty Promise.all, an awaited synchronous send); now 6,
// of which the engine's exchange and undici's dispatch are most.

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
  it('makes at most 8 promises, and every iteration still passes', async () => {
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
    let promises = 0
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++
      },
    })
    const iterations = 500
    hook.enable()
    let report
    try {
      report = await runSteps(service.http, [step], { concurrency: 10, iterations })
    } finally {
      hook.disable()
    }
    expect(report.stats.passed).toBe(iterations)
    expect(report.results.every((r) => r.status === 200 && r.assertions[0]?.passed)).toBe(true)
    expect(promises / iterations).toBeLessThanOrEqual(8)
  })
})
