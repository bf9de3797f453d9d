import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import { percentile } from '../../src/engine/runner/stats'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, spec } from './helpers'

/** Counts concurrent requests, and fails `/flaky/<key>?fails=N` N times before answering 200. */
interface CountingServer {
  url: string
  maxConcurrent: number
  close(): Promise<void>
}
async function startCountingServer(): Promise<CountingServer> {
  let current = 0
  const state: CountingServer = { url: '', maxConcurrent: 0, close: async () => undefined }
  const attempts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    req.resume()
    current++
    state.maxConcurrent = Math.max(state.maxConcurrent, current)
    const finish = (status: number, body: string): void => {
      current--
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(body)
    }
    const m = /^\/flaky\/(\w+)$/.exec(url.pathname)
    if (m?.[1]) {
      const n = (attempts.get(m[1]) ?? 0) + 1
      attempts.set(m[1], n)
      finish(n <= Number(url.searchParams.get('fails') ?? 0) ? 503 : 200, JSON.stringify({ attempt: n }))
      return
    }
    setTimeout(() => finish(200, JSON.stringify({ ok: true })), Number(url.searchParams.get('ms') ?? 20))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return state
}

let fixture: Fixture
let counting: CountingServer
let service: EngineService
beforeAll(async () => {
  fixture = await startHttpServer()
  counting = await startCountingServer()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await fixture.close()
  await counting.close()
})

const step = (id: string, url: string, extra: Partial<RunStep> = {}): RunStep => ({
  id,
  name: id,
  request: spec(url),
  assertions: [],
  extract: [],
  ...extra,
})

describe('runner', () => {
  it('asserts status, header, JSONPath, body text and duration, with plain messages', async () => {
    const report = await runSteps(
      service.http,
      [
        step('good', `${fixture.url}/json`, {
          assertions: [
            { kind: 'status', equals: 200 },
            { kind: 'header', name: 'content-type', contains: 'json' },
            { kind: 'json', path: '$.items[1]', equals: 2 },
            { kind: 'body-contains', text: '"ok":true' },
            { kind: 'duration-under', ms: 5000 },
          ],
        }),
        step('bad', `${fixture.url}/status/404`, { assertions: [{ kind: 'status', oneOf: [200, 201] }] }),
      ],
      { concurrency: 2, iterations: 1 },
    )
    const good = report.results.find((r) => r.stepId === 'good')
    const bad = report.results.find((r) => r.stepId === 'bad')
    expect(good?.passed).toBe(true)
    expect(good?.assertions.every((a) => a.passed)).toBe(true)
    expect(bad?.passed).toBe(false)
    expect(bad?.assertions[0]?.message).toBe('status 404 is not one of 200, 201')
    expect(report.stats.passed).toBe(1)
    expect(report.stats.failed).toBe(1)
  })

  it('chains: a value extracted from one response feeds the next request', async () => {
    const report = await runSteps(
      service.http,
      [
        step('login', `${fixture.url}/json`, {
          extract: [{ name: 'second', from: 'json', path: '$.items[1]' }],
        }),
        step('use', `${fixture.url}/echo?item={{second}}&who={{user}}`, {
          dependsOn: ['login'],
          assertions: [{ kind: 'json', path: '$.url', equals: '/echo?item=2&who=ada' }],
        }),
      ],
      { concurrency: 4, iterations: 1, variables: new Map([['user', 'ada']]) },
    )
    expect(report.results.map((r) => [r.stepId, r.passed])).toEqual([
      ['login', true],
      ['use', true],
    ])
  })

  it('data rows feed variables, one iteration per row', async () => {
    const report = await runSteps(
      service.http,
      [
        step('row', `${fixture.url}/echo?name={{name}}`, {
          extract: [{ name: 'url', from: 'json', path: '$.url' }],
        }),
      ],
      { concurrency: 3, iterations: 3, data: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
    )
    expect(report.results).toHaveLength(3)
    expect(report.results.every((r) => r.passed)).toBe(true)
  })

  it('never has more than `concurrency` requests in flight', async () => {
    counting.maxConcurrent = 0
    const report = await runSteps(service.http, [step('slow', `${counting.url}/slow?ms=40`)], {
      concurrency: 5,
      iterations: 30,
    })
    expect(report.results).toHaveLength(30)
    expect(counting.maxConcurrent).toBe(5)
  })

  it('retries chosen statuses with backoff, each attempt on the first attempt’s lane', async () => {
    const events: { type: string; sid: string; lane?: string }[] = []
    const off = service.subscribe((b) => events.push(...b.events))
    const report = await runSteps(
      service.http,
      [
        step('flaky', `${counting.url}/flaky/k1?fails=2`, {
          retry: {
            retries: 3,
            onNetworkError: true,
            onStatus: [503],
            backoffMs: 20,
            factor: 2,
            maxBackoffMs: 200,
          },
          assertions: [{ kind: 'status', equals: 200 }],
        }),
        step('gives-up', `${counting.url}/flaky/k2?fails=9`, {
          retry: {
            retries: 1,
            onNetworkError: true,
            onStatus: [503],
            backoffMs: 10,
            factor: 2,
            maxBackoffMs: 100,
          },
          assertions: [{ kind: 'status', equals: 200 }],
        }),
      ],
      { concurrency: 2, iterations: 1 },
    )
    service.flush()
    off()
    const flaky = report.results.find((r) => r.stepId === 'flaky')
    expect(flaky?.attempts).toBe(3)
    expect(flaky?.passed).toBe(true)
    const gaveUp = report.results.find((r) => r.stepId === 'gives-up')
    expect(gaveUp?.attempts).toBe(2)
    expect(gaveUp?.passed).toBe(false)
    const lanes = events.filter((e) => e.type === 'queued' && e.lane !== undefined)
    expect(lanes.length).toBe(3) // two retries of flaky, one of gives-up
  })

  it('bails after the first failure', async () => {
    const report = await runSteps(
      service.http,
      [step('fail', `${fixture.url}/status/500`, { assertions: [{ kind: 'status', equals: 200 }] })],
      {
        concurrency: 1,
        iterations: 20,
        bail: true,
      },
    )
    expect(report.bailed).toBe(true)
    expect(report.results.length).toBeLessThan(20)
  })

  it('refuses unknown dependencies and cycles', async () => {
    await expect(
      runSteps(service.http, [step('a', fixture.url, { dependsOn: ['zzz'] })], {
        concurrency: 1,
        iterations: 1,
      }),
    ).rejects.toThrow(/unknown step zzz/)
    await expect(
      runSteps(
        service.http,
        [step('a', fixture.url, { dependsOn: ['b'] }), step('b', fixture.url, { dependsOn: ['a'] })],
        {
          concurrency: 1,
          iterations: 1,
        },
      ),
    ).rejects.toThrow(/cycle/)
  })

  it('reports latency percentiles and throughput', async () => {
    const report = await runSteps(service.http, [step('p', `${counting.url}/p?ms=10`)], {
      concurrency: 10,
      iterations: 50,
    })
    const { latency, histogram, throughput } = report.stats
    expect(latency.p50).toBeGreaterThanOrEqual(10)
    expect(latency.p50).toBeLessThanOrEqual(latency.p90)
    expect(latency.p90).toBeLessThanOrEqual(latency.p99)
    expect(latency.p99).toBeLessThanOrEqual(latency.max)
    expect(histogram.reduce((a, b) => a + b.count, 0)).toBe(50)
    expect(throughput.reduce((a, b) => a + b.count, 0)).toBe(50)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9)
  })
})
