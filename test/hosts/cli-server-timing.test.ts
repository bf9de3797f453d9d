import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonReport } from '../../src/cli/report'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startServerTimingServer, type ServerTimingFixture } from '../fixtures/server-timing-server'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

const configDir = mkdtempSync(join(tmpdir(), 'fd-st-config-'))

function flightdeck(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('flightdeck send and Server-Timing', () => {
  let server: ServerTimingFixture
  beforeAll(async () => {
    server = await startServerTimingServer()
  })
  afterAll(() => server.close())

  it('--json carries serverTiming from the headers and the trailers', async () => {
    const run = await flightdeck('send', '--json', `${server.url}/timed?wait=20&db=12&render=3`)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(report.serverTiming).toEqual([
      { name: 'db', dur: 12, desc: 'Primary DB', source: 'header' },
      { name: 'cache', desc: 'miss', source: 'header' },
      { name: 'render', dur: 3, source: 'header' },
      { name: 'total', dur: 20, desc: 'Whole handler', source: 'trailer' },
    ])
  })

  it('lists the entries under the timings for people', async () => {
    const run = await flightdeck('send', `${server.url}/timed?db=12&render=3`)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^server timing \(as the server says\)$/m)
    expect(run.stdout).toMatch(/^ {2}db +12(\.0)? ms {2}Primary DB$/m)
    expect(run.stdout).toMatch(/^ {2}total +0\.0 ms {2}Whole handler {2}\(trailer\)$/m)
  })

  it('flightdeck run lists percentiles per Server-Timing name beside the client latency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-st-run-'))
    writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Timed\n`)
    writeFileSync(
      join(dir, 'timed.yaml'),
      `name: Timed\nmethod: GET\nurl: "${server.url}/timed?dbStep=10&render=5"\n`,
    )
    const run = await flightdeck('run', dir, '--iterations', '10', '--reporter', 'cli,json', '--out', dir)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Server-Timing \(as the servers say, beside the client's latency\):$/m)
    expect(run.stdout).toMatch(/^ {2}client +[\d.]+ m?s/m)
    expect(run.stdout).toMatch(/^ {2}db +50(\.0)? ms +90(\.0)? ms +100(\.0)? ms +100(\.0)? ms {2}10$/m)
    const report = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as JsonRunReport
    expect(report.stats.serverTiming?.find((s) => s.name === 'db')).toEqual({
      name: 'db',
      count: 10,
      p50: 50,
      p90: 90,
      p99: 100,
      max: 100,
    })
  })
})
