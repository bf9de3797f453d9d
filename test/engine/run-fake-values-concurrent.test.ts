import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'

// Its own file: the case needs a process where the random-data values are not loaded yet (the first send that
// names one loads them; every other test file that sends one has loaded them by then).

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

it('a run whose concurrent steps name a random-data variable sends every one once the values load', async () => {
  // Ten steps start together: the first starts the load, the other nine meet the name while it is under way.
  const steps: RunStep[] = Array.from({ length: 10 }, (_, i) => ({
    id: `s${i}`,
    name: `Signup ${i}`,
    request: spec(`${server.base}/signup/${i}?email={{$randomEmail}}`),
    variables: new Map(),
    assertions: [{ kind: 'status', equals: 200 }],
    extract: [],
  }))
  const report = await runSteps(service.http, steps, { concurrency: 10, iterations: 1 })
  expect(report.results.map((r) => r.error?.message ?? r.status)).toEqual(steps.map(() => 200))
  expect(report.results.every((r) => r.unknown.length === 0)).toBe(true)
})
