import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { startServerTimingServer, type ServerTimingFixture } from '../fixtures/server-timing-server'
import { makeService, spec } from './helpers'

let server: ServerTimingFixture
let service: EngineService
beforeAll(async () => {
  server = await startServerTimingServer()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

const step = (url: string): RunStep => ({
  id: 'timed',
  name: 'timed',
  request: spec(url),
  assertions: [],
  extract: [],
})

describe('runner and Server-Timing', () => {
  it('gives percentiles per Server-Timing name beside the client latency', async () => {
    // db goes 10, 20, .. 100 ms over the ten requests; render is 5 each time; the trailer's total is 0.
    const report = await runSteps(service.http, [step(`${server.url}/timed?dbStep=10&render=5`)], {
      concurrency: 1,
      iterations: 10,
    })
    expect(report.stats.total).toBe(10)
    expect(report.stats.serverTiming).toEqual([
      { name: 'db', count: 10, p50: 50, p90: 90, p99: 100, max: 100 },
      { name: 'render', count: 10, p50: 5, p90: 5, p99: 5, max: 5 },
      { name: 'total', count: 10, p50: 0, p90: 0, p99: 0, max: 0 },
    ])
    // An entry without a duration (cache;desc=miss) times nothing and gets no row.
    expect(report.stats.serverTiming?.some((s) => s.name === 'cache')).toBe(false)
    expect(report.results[0]?.serverTiming?.map((e) => e.name)).toEqual(['db', 'cache', 'render', 'total'])
  })
})
