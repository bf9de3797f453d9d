import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followJob, type FollowJobOptions } from '../../src/engine/jobs/follow-job'
import type { EngineService } from '../../src/engine/service'
import type { QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { makeService, spec } from './helpers'

let jobs: JobServer
let service: EngineService
const events: TimelineEvent[] = []

beforeAll(async () => {
  jobs = await startJobServer()
  service = makeService()
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await jobs.close()
})

const base: FollowJobOptions = {
  statusUrl: { from: 'location' },
  until: { jsonPath: '$.status', equals: 'succeeded' },
  failWhen: { jsonPath: '$.status', equals: 'failed' },
  intervalMs: 50,
  backoff: 'fixed',
  maxIntervalMs: 2000,
  honourRetryAfter: true,
  deadlineMs: 10_000,
  maxPolls: 20,
}

describe('following a 202 job', () => {
  it('polls the Location until the JSON condition holds; every poll sits on the starting lane', async () => {
    const r = await followJob(service.http, spec(`${jobs.url}/jobs?polls=3`, { method: 'POST' }), base)
    expect(r.outcome).toBe('completed')
    expect(r.pollSids).toHaveLength(3)
    expect(r.lastValue).toBe('succeeded')
    service.flush()
    const pollQueued = events.filter(
      (e): e is QueuedEvent => e.type === 'queued' && r.pollSids.includes(e.sid),
    )
    expect(pollQueued).toHaveLength(3)
    for (const q of pollQueued) {
      expect(q.lane).toBe(r.startSid)
      expect(q.initiator).toBe(r.startSid)
      expect(q.method).toBe('GET')
      expect(q.url).toMatch(/\/jobs\/j\d+$/)
    }
  })

  it('reads the status URL from Operation-Location or from the body', async () => {
    const op = await followJob(
      service.http,
      spec(`${jobs.url}/jobs?polls=2&style=operation`, { method: 'POST' }),
      {
        ...base,
        statusUrl: { from: 'operation-location' },
      },
    )
    expect(op.outcome).toBe('completed')
    const json = await followJob(
      service.http,
      spec(`${jobs.url}/jobs?polls=2&style=json`, { method: 'POST' }),
      {
        ...base,
        statusUrl: { from: 'json', path: '$.links.status' },
      },
    )
    expect(json.outcome).toBe('completed')
    expect(json.pollSids).toHaveLength(2)
  })

  it('reports a failed job, and a missing status URL plainly', async () => {
    const failed = await followJob(
      service.http,
      spec(`${jobs.url}/jobs?polls=2&fail=1`, { method: 'POST' }),
      base,
    )
    expect(failed.outcome).toBe('failed')
    expect(failed.message).toContain('failed')
    const noUrl = await followJob(
      service.http,
      spec(`${jobs.url}/jobs?polls=2&style=json`, { method: 'POST' }),
      base,
    )
    expect(noUrl.outcome).toBe('error')
    expect(noUrl.message).toMatch(/no Location header/i)
  })

  it('backs off exponentially and honours Retry-After', async () => {
    const exp = await followJob(service.http, spec(`${jobs.url}/jobs?polls=4`, { method: 'POST' }), {
      ...base,
      intervalMs: 60,
      backoff: 'exponential',
    })
    expect(exp.outcome).toBe('completed')
    const expTimes = jobs.polls(await jobIdOf(exp.startSid))
    expect(expTimes).toHaveLength(4)
    const gaps = expTimes.slice(1).map((t, i) => t - (expTimes[i] ?? 0))
    // 60 ms, then 120, 240: each gap at least roughly double the one before.
    expect(gaps[0]).toBeGreaterThanOrEqual(100)
    expect(gaps[1]).toBeGreaterThanOrEqual(200)
    const withRetryAfter = await followJob(
      service.http,
      spec(`${jobs.url}/jobs?polls=2&retryAfter=1`, { method: 'POST' }),
      {
        ...base,
        intervalMs: 10,
      },
    )
    expect(withRetryAfter.outcome).toBe('completed')
    // Find the job's poll times on the server: the gap must follow Retry-After (1 s), not the 10 ms interval.
    const times = jobs.polls(await jobIdOf(withRetryAfter.startSid))
    expect(times).toHaveLength(2)
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(900)
  })

  it('gives up at the deadline', async () => {
    const r = await followJob(service.http, spec(`${jobs.url}/jobs?polls=1000`, { method: 'POST' }), {
      ...base,
      intervalMs: 50,
      deadlineMs: 400,
    })
    expect(r.outcome).toBe('deadline')
    expect(r.pollSids.length).toBeGreaterThan(2)
    expect(r.pollSids.length).toBeLessThan(10)
  })
})

/** The job id the server gave in the 202 body of the request `sid`. */
async function jobIdOf(sid: string): Promise<string> {
  const res = await service.http.waitFor(sid)
  if (res.final.type !== 'done') throw new Error('start failed')
  const body = await service.http.bodies.read(res.final.body.id, 0, 10_000, 'utf8')
  if (!body.ok) throw new Error(body.error.message)
  return (JSON.parse(body.value.data) as { id: string }).id
}

describe('long polling', () => {
  it('repeats as soon as each answer lands, on one lane, until the JSON matches', async () => {
    const { longPoll } = await import('../../src/engine/jobs/long-poll')
    // A job needing 3 polls: long-poll its status URL directly until it says succeeded.
    const started = await followJob(service.http, spec(`${jobs.url}/jobs?polls=3`, { method: 'POST' }), {
      ...base,
      maxPolls: 0,
    })
    expect(started.outcome).toBe('max_polls')
    const statusUrl = `${jobs.url}/jobs/${await jobIdOf(started.startSid)}`
    const r = await longPoll(service.http, spec(statusUrl), {
      maxRepeats: 10,
      deadlineMs: 5000,
      until: { jsonPath: '$.status', equals: 'succeeded' },
      stopOnError: true,
    })
    expect(r.outcome).toBe('matched')
    expect(r.sids).toHaveLength(3)
    service.flush()
    const lanes = events
      .filter((e): e is QueuedEvent => e.type === 'queued' && r.sids.includes(e.sid))
      .map((q) => q.lane)
    expect(lanes).toEqual([undefined, r.sids[0], r.sids[0]])
  })
})
