import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import type { JsonRunReport } from '../../src/cli/run-report'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A run that ends on an error the runner did not expect (here: following a job whose status answer is JSON
 * nested 200,000 deep, which JSONPath's recursive descent cannot walk) said "The run was cancelled." (nobody
 * cancelled it) and dropped every result, the passed ones before it too. It says what stopped it, keeps the
 * results it had, and exits 1.
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

describe('a run that stops on an unexpected error', () => {
  it('says so instead of "cancelled", keeps the results it had, and exits 1', async () => {
    const out = join(root, 'out')
    const r = await flightdeck(['run', join(root, 'api'), '--reporter', 'cli,json', '--out', out])
    expect(r.code).toBe(1)
    expect(r.stdout).not.toContain('The run was cancelled.')
    expect(r.stdout).toContain(
      'The run stopped on an internal error: a response is nested too deeply to check (thousands of levels)',
    )
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(report.cancelled).toBe(false)
    expect(report.internalError).toBe('a response is nested too deeply to check (thousands of levels)')
    expect(report.results.map((x) => [x.path, x.passed])).toEqual([['first.yaml', true]])
  })
  it('with only the table, its last line counts the steps that ran, as the table above it does', async () => {
    const r = await flightdeck(['run', join(root, 'api')])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/✓ first\.yaml +1 +0 /)
    expect(r.stdout).toContain('1 passed, 0 failed, 1 not run')
    expect(r.stdout).not.toContain('0 passed, 0 failed')
  })
})
