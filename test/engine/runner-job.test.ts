import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { summarize } from '../../src/engine/runner/run-summary'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import type { QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
import { digestChecker } from '../fixtures/auth-server'
import { FOLLOW_JOB, startJobServer, type JobServer } from '../fixtures/job-server'
import { makeService, spec } from './helpers'

/**
 * Run steps whose request follows a job (`followJob`) or long-polls (`longPoll`), against the real job server:
 * the step passes only when the job ends done, its checks and extractions apply to the last answer, and the
 * polls sit on the step's lane.
 */

let jobs: JobServer
let service: EngineService
const events: TimelineEvent[] = []

beforeAll(async () => {
  jobs = await startJobServer()
  service = makeService({ watchCollections: false, persistWorkspace: false })
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await jobs.close()
})
beforeEach(() => {
  jobs.guard = null
})

const follow = FOLLOW_JOB

function jobStep(id: string, query: string, extra: Partial<RunStep> = {}): RunStep {
  return {
    id,
    name: id,
    request: spec(`${jobs.url}/jobs?${query}`, { method: 'POST' }),
    followJob: follow,
    assertions: [],
    extract: [],
    ...extra,
  }
}

/** A port that was just free on 127.0.0.1 (a connection to it is refused). */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

const run = (steps: RunStep[]) =>
  runSteps(service.http, steps, { concurrency: 4, iterations: 1, auth: service.auth })

describe('runner: followJob', () => {
  it('follows the job to done; the checks and extractions apply to the last poll; polls on the step’s lane', async () => {
    const report = await run([
      jobStep('export', 'polls=3', {
        assertions: [
          { kind: 'status', equals: 200 },
          { kind: 'json', path: '$.result.answer', equals: 42 },
        ],
        extract: [{ name: 'answer', from: 'json', path: '$.result.answer' }],
      }),
      // The value taken from the final poll feeds the next step (its URL asks for that many polls).
      jobStep('next', 'polls={{answer}}', {
        dependsOn: ['export'],
        followJob: { ...follow, maxPolls: 2 },
      }),
    ])
    const first = report.results.find((r) => r.stepId === 'export')
    expect(first).toMatchObject({ passed: true, status: 200, attempts: 1 })
    expect(first?.job).toMatchObject({ mode: 'follow', outcome: 'completed', polls: 3, done: true })
    expect(first?.job?.message).toMatch(/^The job completed \(status 200\) after 3 polls in \d/)
    expect(first?.job?.statusUrl).toMatch(/\/jobs\/j\d+$/)
    // The step's time is the job's: the request and three polls 10 ms apart.
    expect(first?.timeMs).toBeGreaterThanOrEqual(30)
    service.flush()
    const lane = events.filter(
      (e): e is QueuedEvent => e.type === 'queued' && e.lane !== undefined && e.lane === first?.sid,
    )
    expect(lane.map((q) => q.sid)).toEqual(first?.job?.pollSids)
    expect(summarize(first ?? report.results[0]!).assertions).toEqual([
      {
        name: 'job done within 20 polls and 5000 ms',
        passed: true,
        message: first?.job?.message,
      },
      { name: 'status equals 200', passed: true, message: expect.any(String) },
      { name: '$.result.answer equals 42', passed: true, message: expect.any(String) },
    ])
    // `polls=42`, at most 2 polls: the extracted value arrived, and the limit failed the second step.
    const next = report.results.find((r) => r.stepId === 'next')
    expect(jobs.requests.some((q) => q.url === '/jobs?polls=42')).toBe(true)
    expect(next).toMatchObject({ passed: false, error: undefined })
    expect(next?.job).toMatchObject({ outcome: 'max_polls', polls: 2 })
    expect(summarize(next!).assertions[0]).toMatchObject({
      passed: false,
      message: expect.stringMatching(/^The job did not finish within 2 polls \(2 polls, \d/),
    })
  })

  it('fails with the reason: a failed job (with the failWhen value), a deadline, a poll that got no answer', async () => {
    const report = await run([
      jobStep('failed', 'polls=2&fail=1', { assertions: [{ kind: 'status', equals: 200 }] }),
      jobStep('slow', 'polls=1000', { followJob: { ...follow, intervalMs: 50, deadlineMs: 300 } }),
      // A status URL nobody listens on: the poll's network error is the step's error.
      jobStep(
        'gone',
        `polls=1&statusAt=${encodeURIComponent(`http://127.0.0.1:${await closedPort()}/status`)}`,
      ),
    ])
    const by = (id: string) => report.results.find((r) => r.stepId === id)
    const failed = by('failed')
    expect(failed).toMatchObject({ passed: false, status: 200, error: undefined, assertions: [] })
    expect(summarize(failed!).assertions).toEqual([
      {
        name: 'job done within 20 polls and 5000 ms',
        passed: false,
        message: expect.stringMatching(/^The job failed: \$\.status is "failed" \(2 polls, \d/),
      },
    ])
    expect(by('slow')?.job).toMatchObject({ outcome: 'deadline', done: false })
    expect(by('slow')?.job?.message).toMatch(/^The job did not finish within 300 ms \(\d+ polls, /)
    expect(by('slow')?.timeMs).toBeGreaterThanOrEqual(300)
    expect(by('gone')).toMatchObject({ passed: false, error: { code: 'refused' } })
    expect(by('gone')?.job).toMatchObject({ outcome: 'error', polls: 1 })
  })

  it('retries the request that starts the job, and authorizes each poll as it did (digest)', async () => {
    const digest = digestChecker()
    let posts = 0
    jobs.guard = (req) => {
      // The first POST that gets past the credentials check is refused with a 503, once.
      const refused = digest.check(req)
      if (refused) return refused
      if (req.method === 'POST' && ++posts === 1) return { status: 503, headers: {} }
      return null
    }
    const report = await run([
      jobStep('guarded', 'polls=2', {
        auth: { type: 'digest', username: 'alice', password: 's3cret' },
        retry: {
          retries: 2,
          onNetworkError: true,
          onStatus: [503],
          backoffMs: 0,
          factor: 1,
          maxBackoffMs: 0,
        },
      }),
    ])
    const [r] = report.results
    expect(r).toMatchObject({ passed: true, attempts: 2 })
    expect(r?.job).toMatchObject({ outcome: 'completed', polls: 2 })
    // One challenge, then each request of the step counted on: two POSTs and two polls.
    expect(digest.seen.map((x) => x.nc)).toEqual([1, 2, 3, 4])
    // Every retry and poll is on the step's lane (its first attempt).
    service.flush()
    const first = r?.sids[0]
    const onLane = events.filter((e) => e.type === 'queued' && e.lane === first).map((e) => e.sid)
    expect(onLane).toEqual([r?.sids[1], ...(r?.job?.pollSids ?? [])])
  })
})

describe('runner: longPoll', () => {
  /** A job's status path (made without auth), to long-poll. */
  async function statusPath(polls: number): Promise<string> {
    const res = await fetch(`${jobs.url}/jobs?polls=${polls}`, { method: 'POST' })
    return res.headers.get('location') ?? ''
  }

  it('repeats until `until` matches; checks the last answer; without a match within its count it fails', async () => {
    const matched = await statusPath(3)
    const never = await statusPath(100)
    const plain = await statusPath(100)
    const step = (id: string, path: string, extra: Partial<RunStep>): RunStep => ({
      id,
      name: id,
      request: spec(`${jobs.url}${path}`),
      assertions: [{ kind: 'json', path: '$.status', equals: 'succeeded' }],
      extract: [],
      ...extra,
    })
    const report = await run([
      step('matched', matched, {
        longPoll: { maxRepeats: 10, until: { jsonPath: '$.status', equals: 'succeeded' } },
      }),
      step('never', never, {
        longPoll: { maxRepeats: 3, until: { jsonPath: '$.status', equals: 'succeeded' } },
      }),
      // No condition: it runs its count, and the checks decide.
      step('plain', plain, { longPoll: { maxRepeats: 2 }, assertions: [{ kind: 'status', equals: 200 }] }),
    ])
    const by = (id: string) => report.results.find((r) => r.stepId === id)
    expect(by('matched')).toMatchObject({ passed: true, status: 200 })
    expect(by('matched')?.job).toMatchObject({ mode: 'long-poll', outcome: 'matched', polls: 2 })
    expect(by('matched')?.assertions.map((a) => a.passed)).toEqual([true])
    expect(by('never')).toMatchObject({ passed: false, error: undefined })
    expect(summarize(by('never')!).assertions[0]).toMatchObject({
      name: 'long poll until $.status equals "succeeded" within 3 requests',
      passed: false,
      message: expect.stringMatching(/^No match within 3 requests \(3 requests, /),
    })
    expect(by('plain')).toMatchObject({ passed: true })
    expect(by('plain')?.job).toMatchObject({ outcome: 'max_repeats', polls: 1, done: true })
    expect(jobs.polls(plain.replace('/jobs/', ''))).toHaveLength(2)
  })
})
