import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonRunReport } from '../../src/cli/run-report'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { startJobServer, type JobServer } from '../fixtures/job-server'

/** `flightdeck run` on requests that follow a job: a real process, a collection folder, the job server. */

/** The run's CLI bundle, started as bin/flightdeck.js starts it (test/fixtures/cli-process.ts). */
const bin = FLIGHTDECK_BIN

let jobs: JobServer
let dir: string
let configDir: string
let out: string

function flightdeck(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: out,
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => child.kill(), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function file(rel: string, text: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true })
  writeFileSync(join(dir, rel), text)
}

/** A request that starts a job needing `polls` polls and follows it; `fail=1` makes the job fail. */
const exportRequest = (query: string): string => `name: Export
method: POST
url: "{{base}}/jobs?${query}"
assertions:
  - kind: json
    path: $.result.answer
    equals: 42
followJob:
  statusUrl:
    from: location
  until:
    jsonPath: $.status
    equals: succeeded
  failWhen:
    jsonPath: $.status
    equals: failed
  intervalMs: 20
  maxPolls: 10
`

beforeAll(async () => {
  jobs = await startJobServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-job-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-job-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-cli-job-out-'))
  file('collection.yaml', `flightdeck: 1\nname: Jobs\nvariables:\n  base: ${jobs.url}\n`)
  file('done/export.yaml', exportRequest('polls=3'))
  file('failing/export.yaml', exportRequest('polls=2&fail=1'))
})
afterAll(async () => {
  await jobs.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('flightdeck run: followJob', { timeout: 30_000 }, () => {
  it('exit 0 when the job ends done: the table, run.json and junit.xml say how many polls and how long', async () => {
    const reports = join(out, 'done')
    const r = await flightdeck('run', dir, 'done', '--reporter', 'cli,json,junit,har', '--out', reports)
    expect(r.stderr).not.toContain('flightdeck:')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('1 passed, 0 failed')
    expect(r.stdout).toMatch(/Jobs:\n✓ done\/export\.yaml +completed · 3 polls · \d/)
    const json = JSON.parse(readFileSync(join(reports, 'run.json'), 'utf8')) as JsonRunReport
    const [result] = json.results
    expect(result).toMatchObject({ passed: true, status: 200 })
    expect(result?.job).toMatchObject({ mode: 'follow', outcome: 'completed', polls: 3 })
    expect(result?.job?.durationMs).toBeGreaterThanOrEqual(60)
    expect(result?.job?.statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jobs\/j\d+$/)
    expect(result?.assertions.map((a) => [a.name, a.passed])).toEqual([
      ['job done within 10 polls and 60000 ms', true],
      ['$.result.answer equals 42', true],
    ])
    // run.har holds the request and its polls.
    const har = JSON.parse(readFileSync(join(reports, 'run.har'), 'utf8')) as {
      log: { entries: { request: { method: string; url: string } }[] }
    }
    expect(har.log.entries.map((e) => e.request.method)).toEqual(['POST', 'GET', 'GET', 'GET'])
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8')
    expect(junit).toMatch(
      /<testcase name="Export"[^>]*>\n {6}<system-out>The job completed \(status 200\) after 3 polls in [^<]+<\/system-out>\n {4}<\/testcase>/,
    )
  })

  it('exit 1 when the job fails: the reason (with the failWhen value) in the table and in junit.xml', async () => {
    const reports = join(out, 'failing')
    const r = await flightdeck('run', dir, 'failing', '--reporter', 'cli,junit', '--out', reports)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('0 passed, 1 failed')
    expect(r.stdout).toMatch(/✗ failing\/export\.yaml +failed · 2 polls · /)
    expect(r.stdout).toMatch(
      /✗ failing\/export\.yaml #1: The job failed: \$\.status is "failed" \(2 polls, [^)]+\)\n/,
    )
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8')
    expect(junit).toContain('<failure message="The job failed: $.status is &quot;failed&quot; (2 polls, ')
    expect(junit).toContain('job failed · 2 polls · ')
  })
})
