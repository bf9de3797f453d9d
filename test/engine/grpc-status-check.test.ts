import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { emptySavedRequest } from '../../src/shared/collection'
import { assertionKindsFor, assertionOf, savedToRun } from '../../src/renderer/composer/run-draft'
import { firstRunError } from '../../src/renderer/composer/run-draft-errors'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'

/**
 * A run's `grpc-status` check against a real grpc-js server: a step that expects NOT_FOUND passes when the
 * server answers NOT_FOUND (a non-OK status failed every step before), fails naming both statuses when another
 * comes, and a step without the check still fails on a non-OK status.
 */

let server: GrpcTestServer
let dir: string
let configDir: string
let out: string

const fail = (name: string, code: number, check: string | null): string =>
  [
    `name: ${name}`,
    'kind: grpc',
    'url: "{{echo}}"',
    'messages:',
    '  - name: m',
    `    text: '{"code": ${code}, "message": "no such user"}'`,
    'grpc:',
    '  method: flightdeck.test.Echo/Fail',
    ...(check === null ? [] : ['assertions:', '  - kind: grpc-status', `    equals: ${check}`]),
    '',
  ].join('\n')

beforeAll(async () => {
  server = await startGrpcServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-grpc-status-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-grpc-status-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-grpc-status-out-'))
  mkdirSync(join(dir, 'g'))
  writeFileSync(join(dir, 'collection.yaml'), `name: status\nvariables:\n  echo: grpc://${server.target}\n`)
  writeFileSync(join(dir, 'g/1-expected.yaml'), fail('Expected', 5, 'NOT_FOUND'))
  writeFileSync(join(dir, 'g/2-by-code.yaml'), fail('By code', 7, '7'))
  writeFileSync(join(dir, 'g/3-other.yaml'), fail('Other', 7, 'NOT_FOUND'))
  writeFileSync(join(dir, 'g/4-unchecked.yaml'), fail('Unchecked', 5, null))
  // A stream the run ends at its stop condition has no status of its own to check.
  writeFileSync(
    join(dir, 'g/6-stopped.yaml'),
    [
      'name: Stopped',
      'kind: grpc',
      'url: "{{echo}}"',
      'messages:',
      '  - name: m',
      '    text: \'{"n": 1000, "gap_ms": 2}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Count',
      'stop:',
      '  count: 3',
      'assertions:',
      '  - kind: grpc-status',
      '    equals: OK',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'g/5-ok.yaml'),
    [
      'name: OK',
      'kind: grpc',
      'url: "{{echo}}"',
      'messages:',
      '  - name: m',
      '    text: \'{"text": "hi"}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      'assertions:',
      '  - kind: grpc-status',
      '    equals: OK',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await server.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('the grpc-status check', () => {
  it('reads and writes back; an unknown status name is refused at its line', () => {
    const parsed = parseRequestText(fail('x', 5, 'NOT_FOUND'), 'x')
    if (!parsed.ok) throw new Error(parsed.problem.message)
    expect(parsed.value.assertions).toEqual([{ kind: 'grpc-status', equals: 'NOT_FOUND' }])
    expect(requestPlain(parsed.value)['assertions']).toEqual([{ kind: 'grpc-status', equals: 'NOT_FOUND' }])
    const bad = parseRequestText(fail('x', 5, 'NOPE'), 'x')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problem.line).toBe(11)
  })

  it('passes a step whose expected status comes, fails one where another does', async () => {
    let stderr = ''
    const io = { out: (): void => undefined, err: (t: string): void => void (stderr += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'g', '--reporter', 'json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const rows = json.results
      .map((r) => [r.path, r.passed, r.error?.message ?? null, r.assertions.map((a) => a.message)] as const)
      .sort((a, b) => a[0].localeCompare(b[0]))
    expect(rows, stderr).toEqual([
      ['g/1-expected.yaml', true, null, ['status NOT_FOUND (5): no such user']],
      ['g/2-by-code.yaml', true, null, ['status PERMISSION_DENIED (7): no such user']],
      ['g/3-other.yaml', false, null, ['status PERMISSION_DENIED (7): no such user, expected NOT_FOUND (5)']],
      ['g/4-unchecked.yaml', false, 'NOT_FOUND (5): no such user', []],
      ['g/5-ok.yaml', true, null, ['status OK (0)']],
      [
        'g/6-stopped.yaml',
        false,
        null,
        ['the run ended the call at its stop condition before any status, expected OK (0)'],
      ],
    ])
    expect(code).toBe(1)
  })

  it("is offered in a gRPC request's Tests tab, and the tab reads and writes it", () => {
    expect(assertionKindsFor('grpc')).toContain('grpc-status')
    const req = {
      ...emptySavedRequest('x', 'grpc'),
      assertions: [{ kind: 'grpc-status' as const, equals: 5 }],
    }
    const run = savedToRun(req)
    const row = run.assertions[0]
    if (!row) throw new Error('no row')
    expect(row.value).toBe('5')
    expect(assertionOf({ ...row, value: 'not_found' })).toEqual({
      kind: 'grpc-status',
      equals: 'NOT_FOUND',
    })
    expect(firstRunError({ ...run, assertions: [{ ...row, value: 'NOPE' }] }, 'grpc')).toContain(
      'gRPC status',
    )
  })
})
