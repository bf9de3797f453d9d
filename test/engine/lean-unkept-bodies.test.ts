import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestOptions } from '../../src/shared/request'
import type { DoneEvent, TimelineEvent } from '../../src/shared/timeline'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import type { RunStep, StepResult } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import { spec } from './helpers'

// A run nobody watches (no timeline, no records: `flightdeck run` without a HAR report) sends its plain steps lean,
// and nothing reads a lean request's body: it is counted, limited and decoded as any body is, but not kept. A long
// run with a JSON report used to keep every body, spilling them to temp files past the store's memory limit.

const BIG = Buffer.alloc(64 * 1024, 'x')
const PLAIN = '{"ok":true,"items":[1,2,3]}'

let server: Server
let base = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BIG.length })
      res.end(BIG)
    } else if (req.url === '/gzip') {
      const zipped = gzipSync(PLAIN)
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end(zipped)
    } else if (req.url === '/bad-gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end('this is not gzip at all')
    } else if (req.url === '/silent') {
      // Headers never come: the headers timeout ends the request.
    } else {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(PLAIN)
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const step = (id: string, path: string, options: Partial<RequestOptions> = {}): RunStep => ({
  id,
  name: id,
  request: spec(`${base}${path}`, {}, options),
  variables: new Map(),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
})

/** Every file under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
}

interface Outcome {
  results: StepResult[]
  done: DoneEvent[]
  errors: { code: string; message: string }[]
  /** Files the body store wrote, counted before the engine is disposed (which removes them). */
  spilled: number
  /** What reading each done event's body back answers: its length, or the error's words. */
  reads: (number | string)[]
}

async function runOn(unwatched: boolean, steps: RunStep[], iterations: number): Promise<Outcome> {
  const events: TimelineEvent[] = []
  const tempDir = mkdtempSync(join(tmpdir(), 'fd-unkept-'))
  // Bodies past 1 KB go to disk in a store that keeps them.
  const http = new HttpEngine({
    clock: createClock(),
    emit: (e) => events.push(e),
    unwatched,
    tempDir,
    memoryBodyLimit: 1024,
  })
  try {
    const report = await runSteps(http, steps, { concurrency: 4, iterations })
    const done = events.filter((e): e is DoneEvent => e.type === 'done')
    const reads = await Promise.all(
      done.map(async (e) => {
        const r = await http.bodies.read(e.body.id, 0, e.body.size, 'utf8')
        return r.ok ? r.value.length : r.error.message
      }),
    )
    return {
      results: [...report.results],
      done,
      errors: events.flatMap((e) => (e.type === 'error' ? [{ code: e.code, message: e.message }] : [])),
      spilled: filesUnder(tempDir).length,
      reads,
    }
  } finally {
    await http.dispose()
    rmSync(tempDir, { recursive: true, force: true })
  }
}

describe('a lean request keeps no body', () => {
  it('a run nobody watches writes no body to memory or disk; its sizes and verdicts are those of a watched run', async () => {
    const steps = [step('big', '/big'), step('plain', '/plain')]
    const lean = await runOn(true, steps, 6)
    const watched = await runOn(false, steps, 6)
    expect(lean.results.every((r) => r.passed)).toBe(true)
    expect(watched.results.every((r) => r.passed)).toBe(true)
    const sizes = (o: Outcome): number[] => o.done.map((e) => e.body.size).sort((a, b) => a - b)
    expect(sizes(lean)).toEqual(sizes(watched))
    expect(sizes(lean)).toEqual([...Array(6).fill(PLAIN.length), ...Array(6).fill(BIG.length)])
    // The watched run's big bodies went past the memory limit onto disk; the lean run's went nowhere.
    expect(watched.spilled).toBe(6)
    expect(lean.spilled).toBe(0)
    expect(watched.reads.filter((r) => r === BIG.length)).toHaveLength(6)
    // Asked for, a lean body says why there is none.
    expect(new Set(lean.reads)).toEqual(
      new Set(['This response body was not kept: its run reads no bodies and keeps no records']),
    )
  })

  it('is decoded, checked against the body limit and timed as a kept one is', async () => {
    const steps = [
      step('gzip', '/gzip'),
      step('bad-gzip', '/bad-gzip'),
      step('limited', '/big', { maxBodyBytes: 1000 }),
      step('silent', '/silent', { headersTimeoutMs: 300 }),
    ]
    const lean = await runOn(true, steps, 1)
    const watched = await runOn(false, steps, 1)
    const verdicts = (o: Outcome) =>
      Object.fromEntries(o.results.map((r) => [r.stepId, { passed: r.passed, error: r.error }]))
    expect(verdicts(lean)).toEqual(verdicts(watched))
    expect(verdicts(lean).gzip?.passed).toBe(true)
    expect(lean.done.map((e) => e.body.size)).toEqual([PLAIN.length])
    expect(lean.done.map((e) => e.wireBytes)).toEqual(watched.done.map((e) => e.wireBytes))
    const codes = (o: Outcome): string[] => o.errors.map((e) => e.code).sort()
    expect(codes(lean)).toEqual(codes(watched))
    expect(codes(lean)).toEqual(['body_too_large', 'protocol', 'timeout_headers'])
    expect(lean.errors.map((e) => e.message).sort()).toEqual(watched.errors.map((e) => e.message).sort())
  })
})
