import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LATENCY_RELATIVE_ERROR } from '../../src/engine/runner/latency-histogram'
import type { RunStep, StepResult } from '../../src/engine/runner/run-step'
import { MAX_KEPT_FAILURES, runSteps } from '../../src/engine/runner/runner'
import { computeStats } from '../../src/engine/runner/stats'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from './helpers'

/**
 * A run that keeps only its failures (what a long `flightdeck run` with only the table asks for): the same
 * counts, histogram, mean and max as every result would give, percentiles within the stated error, and every
 * failure counted while only the first are kept in detail.
 */

let server: Server
let url: string
let service: EngineService
beforeAll(async () => {
  // `/wait?ms=N` answers after N ms (spread latencies); `/fail` answers 500.
  server = createServer((req, res) => {
    req.resume()
    const u = new URL(req.url ?? '/', 'http://x')
    const status = u.pathname === '/fail' ? 500 : 200
    setTimeout(
      () => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      },
      Number(u.searchParams.get('ms') ?? 0),
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const step = (id: string, target: string): RunStep => ({
  id,
  name: id,
  request: spec(target),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

describe('a run that keeps only its failures', () => {
  it('reports the figures every result gives: counts, histogram, mean and max exact, percentiles within 1 %', async () => {
    const all: StepResult[] = []
    // Latencies from 0 to 24 ms, a few slower: a spread the percentiles must find.
    const data = Array.from({ length: 25 }, (_, i) => ({ ms: String(i % 5 === 4 ? i * 2 : i) }))
    const started = Date.now()
    const report = await runSteps(service.http, [step('wait', `${url}/wait?ms={{ms}}`)], {
      concurrency: 20,
      iterations: 400,
      data,
      keep: 'failures',
      onResult: (r) => all.push(r),
    })
    expect(all).toHaveLength(400)
    // Nothing failed, so nothing is kept: the report holds no result, the statistics cover them all.
    expect(report.results).toHaveLength(0)
    const exact = computeStats(all, started, report.durationMs)
    const s = report.stats
    expect([s.total, s.passed, s.failed, s.errors]).toEqual([400, 400, 0, 0])
    expect(s.histogram).toEqual(exact.histogram)
    expect(s.latency.max).toBe(exact.latency.max)
    expect(s.latency.mean).toBeCloseTo(exact.latency.mean, 2)
    expect(s.requestsPerSecond).toBe(exact.requestsPerSecond)
    expect(s.throughput.reduce((n, x) => n + x.count, 0)).toBe(400)
    for (const p of ['p50', 'p90', 'p99'] as const) {
      const want = exact.latency[p]
      expect(Math.abs(s.latency[p] - want)).toBeLessThanOrEqual(want * LATENCY_RELATIVE_ERROR + 0.001)
    }
  })

  it('counts every failure and keeps the first in detail, saying how many were left out', async () => {
    const n = MAX_KEPT_FAILURES + 250
    const report = await runSteps(service.http, [step('fail', `${url}/fail`)], {
      concurrency: 25,
      iterations: n,
      keep: 'failures',
    })
    expect(report.stats.failed).toBe(n)
    expect(report.stats.total).toBe(n)
    expect(report.results).toHaveLength(MAX_KEPT_FAILURES)
    expect(report.results.every((r) => !r.passed && r.status === 500)).toBe(true)
    expect(report.failuresLeftOut).toBe(250)
  })

  it("gives each request's row (run.get) from buckets, and progress events with counts, not results", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-run-keep-'))
    const configDir = mkdtempSync(join(tmpdir(), 'fd-run-keep-config-'))
    const counting = makeService({
      configDir,
      persistWorkspace: false,
      watchCollections: false,
      runResults: 'failures',
    })
    try {
      writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Keep\nvariables:\n  base: ${url}\n`)
      writeFileSync(join(dir, 'ms.csv'), `ms\n${Array.from({ length: 20 }, (_, i) => i).join('\n')}\n`)
      writeFileSync(
        join(dir, 'wait.yaml'),
        'name: Wait\nurl: "{{base}}/wait?ms={{ms}}"\nassertions:\n  - kind: status\n    equals: 200\n',
      )
      let carried = 0
      let events = 0
      let lastDone = 0
      let finished = false
      const off = counting.onEvent((e) => {
        if (e.name !== 'run.progress') return
        events++
        carried += e.payload.results.length
        lastDone = e.payload.done
        if (e.payload.finished) finished = true
      })
      const started = await counting.invoke('run.start', {
        dir,
        path: 'wait.yaml',
        concurrency: 20,
        iterations: 10,
        dataFile: 'ms.csv',
      })
      if (!started.ok) throw new Error(started.error.message)
      const report = await counting.waitForRun(started.value.runId)
      for (let i = 0; i < 100 && !finished; i++) await new Promise((r) => setTimeout(r, 20))
      off()
      expect(report?.results).toHaveLength(0)
      // The events said how far the run got, and carried no result: nobody summarised 200 results to drop them.
      expect(events).toBeGreaterThan(0)
      expect([carried, lastDone]).toEqual([0, 200])
      expect(report?.counted).toEqual({ done: 200, failed: 0, failures: [], jobs: [] })
      const snap = counting.runSnapshot(started.value.runId)
      if (!snap.ok) throw new Error(snap.error.message)
      const [row] = snap.value.requests
      const stats = snap.value.finished?.stats
      expect([row?.passed, row?.failed]).toEqual([200, 0])
      // The row's buckets and the run's (the runner test above holds those within 1 % of the exact values) count
      // the same 200 durations: the same percentiles within their two errors, the same max.
      expect(row?.max).toBe(stats?.max)
      for (const p of ['p50', 'p90', 'p99'] as const) {
        const want = stats?.[p] ?? -1
        expect(Math.abs((row?.[p] ?? -1) - want)).toBeLessThanOrEqual(
          want * 2 * LATENCY_RELATIVE_ERROR + 0.002,
        )
      }
    } finally {
      await counting.dispose()
      for (const d of [dir, configDir]) rmSync(d, { recursive: true, force: true })
    }
  })

  it('keeps every result by default (the app reads each row)', async () => {
    const report = await runSteps(service.http, [step('fail', `${url}/fail`)], {
      concurrency: 10,
      iterations: 30,
    })
    expect(report.results).toHaveLength(30)
    expect(report.failuresLeftOut).toBeUndefined()
  })
})
