import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep, StepResult } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'

/**
 * A request run N times (bare-run.ts: each worker told of its request's end by the engine, no promise per
 * request) keeps what a run promises: every iteration reported once, a failed answer failing, cancel and bail
 * stopping it, a throwing listener ending it with its error, a refused connection failing every iteration.
 */

/** Answers 500 to every third request it gets (200 otherwise), after `?ms=` milliseconds; counts what it served. */
interface ThirdFailing {
  url: string
  served: { ok: number; failed: number }
  /** Answers served, by path: a test counts its own path, not a slow answer an earlier test cancelled. */
  servedAt: Map<string, number>
  close(): Promise<void>
}
async function startThirdFailing(): Promise<ThirdFailing> {
  let n = 0
  const served = { ok: 0, failed: 0 }
  const servedAt = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    req.resume()
    const url = new URL(req.url ?? '/', 'http://x')
    const fail = url.pathname === '/all-fail' || (url.pathname === '/third' && ++n % 3 === 0)
    const answer = (): void => {
      if (fail) served.failed++
      else served.ok++
      servedAt.set(url.pathname, (servedAt.get(url.pathname) ?? 0) + 1)
      res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    }
    const ms = Number(url.searchParams.get('ms') ?? 0)
    if (ms > 0) setTimeout(answer, ms)
    else answer()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    servedAt,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const step = (url: string): RunStep => ({
  id: 'hit',
  name: 'hit',
  request: spec(url),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

let server: ThirdFailing
let service: EngineService
beforeAll(async () => {
  server = await startThirdFailing()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

describe('a request run N times', () => {
  it('reports every iteration once, and an answer that fails its check fails the step', async () => {
    const before = { ...server.served }
    const report = await runSteps(service.http, [step(`${server.url}/third`)], {
      concurrency: 20,
      iterations: 300,
    })
    const ok = server.served.ok - before.ok
    const failed = server.served.failed - before.failed
    expect(ok + failed).toBe(300)
    expect(report.results.map((r) => r.iteration).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    )
    expect(report.results.filter((r) => r.status === 200).every((r) => r.passed)).toBe(true)
    expect(report.results.filter((r) => r.status === 500).some((r) => r.passed)).toBe(false)
    expect(report.stats.passed).toBe(ok)
    expect(report.stats.failed).toBe(failed)
    expect(report.results.filter((r) => !r.passed).map((r) => r.assertions[0]?.message)).toContain(
      'status 500 is not 200',
    )
  })

  it('stops when cancelled: the rest are not sent, those in flight end cancelled, none is left in flight', async () => {
    const controller = new AbortController()
    const seen: StepResult[] = []
    const report = await runSteps(service.http, [step(`${server.url}/slow?ms=20`)], {
      concurrency: 10,
      iterations: 2000,
      signal: controller.signal,
      onResult: (r) => {
        seen.push(r)
        if (seen.length === 25) controller.abort()
      },
    })
    expect(report.cancelled).toBe(true)
    expect(report.results.length).toBe(seen.length)
    expect(report.results.length).toBeLessThan(100)
    const cancelled = report.results.filter((r) => r.error?.code === 'cancelled')
    expect(cancelled.length).toBeGreaterThan(0)
    expect(cancelled.every((r) => !r.passed)).toBe(true)
    expect(report.results.every((r) => r.passed || r.error?.code === 'cancelled')).toBe(true)
    expect(service.http.inFlight).toBe(0)
  })

  it('bails on the first failure: the workers start nothing after it', async () => {
    const report = await runSteps(service.http, [step(`${server.url}/all-fail`)], {
      concurrency: 10,
      iterations: 1000,
      bail: true,
    })
    expect(report.bailed).toBe(true)
    expect(report.results.length).toBeGreaterThan(0)
    // Those already in flight when the first failed still report; no worker starts another.
    expect(report.results.length).toBeLessThanOrEqual(20)
    expect(report.results.every((r) => !r.passed)).toBe(true)
  })

  it('ends with the error of a result listener that throws, and sends nothing after it', async () => {
    let calls = 0
    const before = server.servedAt.get('/plain') ?? 0
    const run = runSteps(service.http, [step(`${server.url}/plain`)], {
      concurrency: 5,
      iterations: 200,
      onResult: () => {
        if (++calls === 30) throw new Error('listener broke')
      },
    })
    await expect(run).rejects.toThrow('listener broke')
    // Those in flight as it threw still end; then nothing more goes (the run has ended on that error).
    await expect.poll(() => service.http.inFlight, { timeout: 10_000 }).toBe(0)
    await new Promise((r) => setTimeout(r, 200))
    expect(service.http.inFlight).toBe(0)
    expect((server.servedAt.get('/plain') ?? 0) - before).toBeLessThanOrEqual(30 + 5)
    expect(calls).toBe(30)
  })

  it('fails every iteration on a refused connection, none passing', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const report = await runSteps(service.http, [step(`http://127.0.0.1:${port}/`)], {
      concurrency: 5,
      iterations: 40,
    })
    expect(report.results).toHaveLength(40)
    expect(report.results.every((r) => !r.passed && r.error !== undefined && r.status === undefined)).toBe(
      true,
    )
    expect(report.stats.failed).toBe(40)
  })
})
