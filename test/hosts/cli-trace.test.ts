import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRunArgs } from '../../src/cli/run-args'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startTraceServer, type TraceServer } from '../fixtures/trace-server'

/** `flightdeck run` and trace context: the collection's setting, the --trace override, run.json's trace ids. */

let server: TraceServer
let dir: string
let configDir: string
let saved: string | undefined

beforeAll(async () => {
  server = await startTraceServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-trace-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-trace-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Traced\ntrace: per-run\n')
  writeFileSync(join(dir, 'a.yaml'), `name: a\nmethod: GET\nurl: ${server.url}/echo?step=a\n`)
  writeFileSync(join(dir, 'b.yaml'), `name: b\nmethod: GET\nurl: ${server.url}/echo?step=b\n`)
  saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
})
afterAll(async () => {
  if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
  else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  await server.close()
  for (const d of [dir, configDir]) rmSync(d, { recursive: true, force: true })
})

async function run(...extra: string[]): Promise<JsonRunReport> {
  const out = mkdtempSync(join(tmpdir(), 'fd-cli-trace-out-'))
  let err = ''
  const code = await runRunCli([dir, '--reporter', 'json', '--out', out, ...extra], {
    out: () => undefined,
    err: (t) => void (err += t),
  })
  expect(err).not.toContain('flightdeck:')
  expect(code).toBe(0)
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
}

describe('flightdeck run and trace context', { timeout: 30_000 }, () => {
  it("honours the collection's per-run setting: run.json names one trace id for every step", async () => {
    const report = await run('--iterations', '2')
    const ids = report.results.map((r) => r.traceId)
    expect(ids).toHaveLength(4)
    expect(new Set(ids).size).toBe(1)
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/)
  })

  it('--trace per-send gives every request its own trace; --trace off sends none', async () => {
    const perSend = await run('--trace', 'per-send')
    expect(new Set(perSend.results.map((r) => r.traceId)).size).toBe(2)
    const off = await run('--trace', 'off')
    expect(off.results.map((r) => r.traceId)).toEqual([undefined, undefined])
  })

  it("the table names the run's one trace, and a failed step its own", async () => {
    let out = ''
    const code = await runRunCli([dir, '--reporter', 'cli'], {
      out: (t) => void (out += t),
      err: () => undefined,
    })
    expect(code).toBe(0)
    expect(out).toMatch(/^trace [0-9a-f]{32} \(the whole run\)$/m)
    writeFileSync(
      join(dir, 'c.yaml'),
      `name: c\nmethod: GET\nurl: ${server.url}/echo?step=c\nassertions:\n  - kind: status\n    equals: 201\n`,
    )
    let failed = ''
    await runRunCli([dir, '--reporter', 'cli', '--trace', 'per-send'], {
      out: (t) => void (failed += t),
      err: () => undefined,
    })
    rmSync(join(dir, 'c.yaml'))
    expect(failed).toMatch(/✗ c\.yaml #1: .* \(trace [0-9a-f]{32}\)$/m)
    expect(failed).not.toContain('the whole run')
  })

  it('refuses an unknown --trace mode, saying which there are', () => {
    expect(parseRunArgs([dir, '--trace', 'always'])).toEqual({
      kind: 'error',
      message: "--trace must be one of per-run, per-send, off, got 'always'",
    })
  })
})
