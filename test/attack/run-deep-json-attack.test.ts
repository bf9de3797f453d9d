import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import type { JsonRunReport } from '../../src/cli/run-report'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A server answers JSON nested 200,000 deep (JSON.parse reads it; comparing or extracting a value that deep
 * overflows the stack). A run with a JSON assertion or extraction on it ended as "The run was cancelled." with
 * no result at all, the other requests' lost with it. The check fails saying why; the others keep theirs.
 */

const DEPTH = 200_000

let server: RawServer
let root: string

beforeAll(async () => {
  const deep = `{"a":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)},"b":1}`
  server = await startRawServer((socket, head) => {
    const body = pathOf(head) === '/deep' ? deep : '{"ok":true}'
    socket.end(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-deep-json-'))
  const dir = join(root, 'api')
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Deep\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(dir, 'compare.yaml'),
    "name: Compare\nmethod: GET\nurl: '{{base}}/deep'\nassertions:\n  - kind: json\n    path: $.a\n    equals: x\n",
  )
  writeFileSync(
    join(dir, 'extract.yaml'),
    "name: Extract\nmethod: GET\nurl: '{{base}}/deep'\nassertions:\n  - kind: json\n    path: $.b\n    equals: 1\nextract:\n  - name: deep\n    from: json\n    path: $.a\n",
  )
  writeFileSync(
    join(dir, 'plain.yaml'),
    "name: Plain\nmethod: GET\nurl: '{{base}}/ok'\nassertions:\n  - kind: json\n    path: $.ok\n    equals: true\n",
  )
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root })
}

describe('checks on a response nested too deep to walk', () => {
  it('fail with the reason; the run is not cancelled and the other steps keep their results', async () => {
    const r = await flightdeck(['run', join(root, 'api'), '--reporter', 'json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as JsonRunReport
    expect(report.cancelled).toBe(false)
    const by = new Map(report.results.map((x) => [x.path, x]))
    expect(by.get('plain.yaml')?.passed).toBe(true)
    const compare = by.get('compare.yaml')
    expect(compare).toMatchObject({ passed: false, status: 200 })
    expect(compare?.assertions).toEqual([
      {
        name: '$.a equals "x"',
        passed: false,
        message: '$.a: the response is nested too deeply to check (thousands of levels)',
      },
    ])
    // The extraction finds no value a variable could hold: the step fails on it, its assertion still checked.
    const extract = by.get('extract.yaml')
    expect(extract).toMatchObject({ passed: false, status: 200 })
    expect(extract?.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['$.b equals 1', true],
      ['extract deep', false],
    ])
    // It says what happened, how deep, and where the limit is, not "nothing found for deep".
    expect(extract?.assertions[1]?.message).toBe(
      "$.a: the body is nested 200,001 levels deep, deeper than JSONPath can read (it stops where the engine's call stack runs out, after a few thousand levels): deep has no value",
    )
    expect(r.stderr).not.toContain('The run was cancelled.')
  })
})
