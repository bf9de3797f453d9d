import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleScript } from '../hosts/module-script'
import { FOLLOW_JOB, startJobServer, type JobServer } from '../fixtures/job-server'
import { guardOnlyAgainstHangs, HANG_GUARD_MS } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A run times what it times with the engine's clock (process.hrtime), not node:perf_hooks: that module and its
 * ten internal ones, which this Node compiles from source on every start, cost every `flightdeck run` ~3M
 * instructions for a clock it already had. Counted by a module-load trace of a process of its own (the engine
 * source through tsx, which loads none of them itself) that opens a collection and runs a plain request and a
 * job-following one, whose duration is timed. The server is this process's.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
let jobs: JobServer
let dir: string

beforeAll(async () => {
  jobs = await startJobServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-runner-clock-'))
  const collection = join(dir, 'collection')
  mkdirSync(collection)
  writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: Clock\n')
  writeFileSync(join(collection, 'hit.yaml'), `name: Hit\nurl: ${jobs.url}/jobs/none\n`)
})
afterAll(async () => {
  await jobs.close()
  rmSync(dir, { recursive: true, force: true })
})

const script = (source: string, collection: string, jobsUrl: string, follow: unknown): string => `
const before = new Set(process.moduleLoadList)
const { createEngineService } = await import(${JSON.stringify(join(source, 'src/engine/service.ts'))})
const { runSteps } = await import(${JSON.stringify(join(source, 'src/engine/runner/runner.ts'))})
const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
const opened = await service.invoke('collection.open', { dir: ${JSON.stringify(collection)} })
const request = (method, url) => ({ method, url, headers: [], body: { kind: 'none' }, options: {} })
const report = await runSteps(service.http, [
  { id: 'plain', name: 'plain', request: request('GET', ${JSON.stringify(`${jobsUrl}/jobs/none`)}), assertions: [], extract: [] },
  { id: 'job', name: 'job', request: request('POST', ${JSON.stringify(`${jobsUrl}/jobs?polls=2`)}), followJob: ${JSON.stringify(follow)}, assertions: [], extract: [] },
], { concurrency: 2, iterations: 1 })
await service.dispose()
const perf = process.moduleLoadList.filter((m) => !before.has(m) && /perf/.test(m))
const job = report.results.find((r) => r.stepId === 'job')?.job
process.stdout.write(JSON.stringify({ opened: opened.ok, results: report.results.length, job: job && { done: job.done, polls: job.polls, durationMs: job.durationMs }, perf }) + '\\n')
`

describe('the clock a run reads', () => {
  it('a run with a timed job step loads none of node:perf_hooks, and the job still has its duration', async () => {
    const { code, out, err } = await runModuleScript(
      script(root, join(dir, 'collection'), jobs.url, FOLLOW_JOB),
      { nodeArgs: ['--import', 'tsx'], cwd: root },
    )
    expect(err).toBe('')
    expect(code).toBe(0)
    const seen = JSON.parse(out.trim()) as {
      opened: boolean
      results: number
      job?: { done: boolean; polls: number; durationMs: number }
      perf: string[]
    }
    expect(seen.opened).toBe(true)
    expect(seen.results).toBe(2)
    expect(seen.job).toMatchObject({ done: true, polls: 2 })
    // Two polls 10 ms apart: a duration on a wrong clock (or an origin mixed up) reads 0 or years.
    expect(seen.job?.durationMs).toBeGreaterThan(5)
    expect(seen.job?.durationMs).toBeLessThan(HANG_GUARD_MS)
    expect(seen.perf).toEqual([])
  })
})
