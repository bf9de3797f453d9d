import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { summaryText, type JsonRunReport } from '../../src/cli/run-report'
import type { RunTallied } from '../../src/engine/runner/result-tally'
import type { RequestSummary } from '../../src/shared/run-schemas'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * Following a job whose status answer is JSON nested 200,000 deep (JSONPath's recursive descent cannot walk
 * it) ended the whole run: first as "The run was cancelled." with every result dropped, then as an internal
 * error. The job's step now fails in words and the run goes on. A run that does stop on an error the runner did
 * not expect says so (docs/runs.md); its table then counts the steps that ran, as its rows do.
 */

const DEPTH = 200_000

let server: RawServer
let root: string

beforeAll(async () => {
  const deep = `{"a":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)},"state":"running"}`
  server = await startRawServer((socket, head) => {
    const body = pathOf(head) === '/job' ? deep : '{"ok":true}'
    socket.end(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-internal-'))
  const dir = join(root, 'api')
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Jobs\nvariables:\n  base: ${server.url}\norder:\n  - first\n  - job\n`,
  )
  writeFileSync(
    join(dir, 'first.yaml'),
    "name: First\nmethod: GET\nurl: '{{base}}/ok'\nassertions:\n  - kind: status\n    equals: 200\n",
  )
  writeFileSync(
    join(dir, 'job.yaml'),
    `name: Job
method: GET
url: '{{base}}/job'
dependsOn:
  - first
followJob:
  statusUrl:
    from: request
  until:
    jsonPath: $..state
    equals: done
  maxPolls: 2
  intervalMs: 100
`,
  )
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root })
}

describe('a job whose status answer is nested too deep to walk', () => {
  it('fails that step in words; the run is neither stopped nor "cancelled", and the step before keeps its pass', async () => {
    const out = join(root, 'out')
    const r = await flightdeck(['run', join(root, 'api'), '--reporter', 'cli,json', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stdout).not.toContain('The run was cancelled.')
    expect(r.stdout).not.toContain('internal error')
    expect(r.stdout).toContain(
      "job.yaml #1: The job's status answer is nested too deeply to read $..state (thousands of levels)",
    )
    expect(r.stdout).toContain('1 passed, 1 failed')
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(report.cancelled).toBe(false)
    expect(report.internalError).toBeUndefined()
    expect(report.results.map((x) => [x.path, x.passed])).toEqual([
      ['first.yaml', true],
      ['job.yaml', false],
    ])
  })
})

describe('the table of a run that stopped on an internal error', () => {
  it('ends with the steps that ran, as its rows count them, not zeros', () => {
    const row = (path: string, passed: number, failed: number): RequestSummary => ({
      stepId: path,
      name: path,
      path,
      passed,
      failed,
      p50: passed + failed > 0 ? 8 : 0,
      p90: passed + failed > 0 ? 8 : 0,
      p99: passed + failed > 0 ? 8 : 0,
      max: passed + failed > 0 ? 8 : 0,
    })
    const text = summaryText({
      collection: 'Jobs',
      dir: '/c',
      path: '',
      startedAt: 0,
      total: 3,
      iterations: 1,
      steps: [],
      requests: [row('first.yaml', 1, 0), row('second.yaml', 0, 1), row('job.yaml', 0, 0)],
      results: [],
      finished: {
        stats: {
          total: 0,
          passed: 0,
          failed: 0,
          errors: 0,
          p50: 0,
          p90: 0,
          p99: 0,
          max: 0,
          mean: 0,
          histogram: [],
        },
        throughput: [],
        bailed: false,
        cancelled: false,
        durationMs: 100,
        internalError: 'something the runner did not expect',
      },
      tallied: { done: 2, failed: 1, failures: [], jobs: [] } satisfies RunTallied,
    })
    expect(text).toContain('1 passed, 1 failed, 1 not run')
    expect(text).not.toContain('p50 0.0 ms')
    expect(text).toContain('The run stopped on an internal error: something the runner did not expect')
  })
})
