import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/index'
import type { JsonRunReport } from '../../../src/cli/run-report'

/**
 * `flightdeck run --reporter json` watches no timeline and keeps no records, so a step with nothing to read in the
 * body sends its request lean and keeps none of the body. A test script reads the body after the step: its step
 * keeps it, so `pm.response` is the answer that came, whichever iteration. A real server on 127.0.0.1.
 */

let server: Server
let dir: string
let out: string
let configDir: string
const previousConfig = process.env['FLIGHTDECK_CONFIG_DIR']
let served = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    served++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ user: 'ada', n: served }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  configDir = mkdtempSync(join(tmpdir(), 'fd-unwatched-script-config-'))
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  dir = mkdtempSync(join(tmpdir(), 'fd-unwatched-script-'))
  out = mkdtempSync(join(tmpdir(), 'fd-unwatched-script-out-'))
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Unwatched\nvariables:\n  base: ${base}\n`)
  writeFileSync(
    join(dir, 'me.yaml'),
    `name: Who am I
url: "{{base}}/me"
scripts:
  test: |-
    pm.test('is ada', () => pm.expect(pm.response.json().user).to.equal('ada'))
    pm.test('a numbered answer', () => pm.expect(pm.response.json().n).to.be.above(0))
`,
  )
})

afterAll(async () => {
  if (previousConfig === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
  else process.env['FLIGHTDECK_CONFIG_DIR'] = previousConfig
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  for (const d of [dir, out, configDir]) rmSync(d, { recursive: true, force: true })
})

describe('a run nobody watches', { timeout: 60_000 }, () => {
  it("still gives a request's test script the body that came, every iteration", async () => {
    const code = await runCli(
      ['run', dir, 'me.yaml', '--iterations', '12', '--concurrency', '4', '--reporter', 'json', '--out', out],
      { out: () => undefined, err: () => undefined },
    )
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const failures = report.results.flatMap((r) =>
      (r.scripts?.post?.tests ?? []).filter((t) => !t.passed).map((t) => `${t.name}: ${t.error ?? ''}`),
    )
    expect(failures).toEqual([])
    expect(report.results).toHaveLength(12)
    expect(report.results.every((r) => r.scripts?.post?.tests.length === 2)).toBe(true)
    expect(code).toBe(0)
    expect(served).toBe(12)
  })
})
