import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { AuthSpec } from '../../src/shared/collection'
import type { JobEvent, TimelineEvent } from '../../src/shared/timeline'
import { digestChecker, startAuthServer, type AuthServer, clientCredentials } from '../fixtures/auth-server'
import { FOLLOW_JOB, startJobServer, type JobServer } from '../fixtures/job-server'
import { makeService, spec } from './helpers'

/**
 * A job's polls and a long poll's repeats carry credentials as the first request did, each authorized anew:
 * basic, bearer and API keys on every one, an OAuth 2.0 token from the cache (fetched again near expiry or
 * after a 401), digest with the next nonce count (or a fresh challenge once the server refused the nonce).
 * A status URL on another origin gets none of them. Checked on what the real fixture servers received.
 */

let jobs: JobServer
/** Another origin, handed out as a status URL. */
let elsewhere: JobServer
let authServer: AuthServer
let service: EngineService
let configDir: string
let events: TimelineEvent[] = []

beforeAll(async () => {
  jobs = await startJobServer()
  elsewhere = await startJobServer()
  authServer = await startAuthServer()
})
afterAll(async () => {
  await jobs.close()
  await elsewhere.close()
  await authServer.close()
})
beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), 'fd-jobauth-'))
  service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  events = []
  service.subscribe((b) => events.push(...b.events))
  jobs.requests.length = 0
  elsewhere.requests.length = 0
  jobs.guard = null
})
afterEach(async () => {
  await service.dispose()
  rmSync(configDir, { recursive: true, force: true })
})

const follow = FOLLOW_JOB

async function finalJob(sid: string): Promise<JobEvent> {
  const until = Date.now() + 5000
  while (Date.now() < until) {
    service.flush()
    const e = events.find((x): x is JobEvent => x.type === 'job' && x.sid === sid && x.state !== 'running')
    if (e) return e
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('the job did not end in 5 s')
}

async function followWith(auth: AuthSpec, query = 'polls=3', options = follow): Promise<JobEvent> {
  const r = await service.invoke('job.follow', {
    request: spec(`${jobs.url}/jobs?${query}`, { method: 'POST' }),
    auth,
    follow: options,
  })
  if (!r.ok) throw new Error(r.error.message)
  return finalJob(r.value.sid)
}

/** The polls the job server answered (GETs of a job's status URL), with what they carried. */
const polls = (server: JobServer) => server.requests.filter((r) => r.method === 'GET')

describe('a job’s polls carry the first request’s credentials', () => {
  it('basic, bearer and API key (header) go with every poll', async () => {
    const cases: { auth: AuthSpec; header: string; value: string }[] = [
      {
        auth: { type: 'basic', username: 'alice', password: 's3cret' },
        header: 'authorization',
        value: `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
      },
      { auth: { type: 'bearer', token: 'job-t0k' }, header: 'authorization', value: 'Bearer job-t0k' },
      {
        auth: { type: 'apikey', key: 'X-Api-Key', value: 'k-123', in: 'header' },
        header: 'x-api-key',
        value: 'k-123',
      },
    ]
    for (const c of cases) {
      jobs.requests.length = 0
      jobs.guard = (req) =>
        req.headers[c.header] === c.value ? null : { status: 401, headers: { 'www-authenticate': 'Basic' } }
      const end = await followWith(c.auth)
      expect(end, c.auth.type).toMatchObject({ state: 'completed', polls: 3 })
      expect(polls(jobs).map((p) => p.headers[c.header])).toEqual([c.value, c.value, c.value])
    }
  })

  it('an API key in the query goes once with each poll of the request’s own URL', async () => {
    const created = await service.invoke('request.send', {
      request: spec(`${jobs.url}/jobs?polls=3`, { method: 'POST' }),
      auth: { type: 'none' },
    })
    const first = created.ok ? (created.value.sids[0] ?? '') : ''
    const done = await service.http.waitFor(first)
    const location =
      done.final.type === 'done'
        ? (done.events.find((e) => e.type === 'response-headers')?.headers ?? []).find(
            ([k]) => k === 'location',
          )?.[1]
        : undefined
    jobs.requests.length = 0
    const r = await service.invoke('job.follow', {
      request: spec(`${jobs.url}${location ?? ''}`),
      auth: { type: 'apikey', key: 'api_key', value: 'k 1', in: 'query' },
      follow: { ...follow, statusUrl: { from: 'request' } },
    })
    const end = await finalJob(r.ok ? r.value.sid : '')
    expect(end).toMatchObject({ state: 'completed', polls: 2 })
    expect(jobs.requests.map((q) => q.url)).toEqual([
      `${location ?? ''}?api_key=k%201`,
      `${location ?? ''}?api_key=k%201`,
      `${location ?? ''}?api_key=k%201`,
    ])
  })

  it('OAuth 2.0: each poll takes the token from the cache, fetched anew when it is about to expire', async () => {
    const oauth: AuthSpec = clientCredentials(authServer, 'jobs')
    // The API takes only the newest token the auth server issued, as one that rotates them does.
    jobs.guard = (req) =>
      req.headers.authorization === `Bearer ${authServer.issued.at(-1)}`
        ? null
        : { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }

    // Long-lived tokens: one token for the request and all its polls.
    authServer.ttl = 3600
    const before = authServer.issued.length
    expect(await followWith(oauth)).toMatchObject({ state: 'completed', polls: 3 })
    expect(authServer.issued.length - before).toBe(1)
    const token = `Bearer ${authServer.issued.at(-1)}`
    expect(jobs.requests.map((q) => q.headers.authorization)).toEqual([token, token, token, token])

    // Tokens living 5 s are inside the engine's expiry margin (10 s): every poll fetches a fresh one, and
    // the API (which takes only the newest) accepts each poll. (Another scope: a token of its own.)
    authServer.ttl = 5
    jobs.requests.length = 0
    const from = authServer.issued.length
    expect(await followWith({ ...oauth, scope: 'jobs:rotating' })).toMatchObject({
      state: 'completed',
      polls: 3,
    })
    const fresh = authServer.issued.slice(from).map((t) => `Bearer ${t}`)
    expect(fresh).toHaveLength(4)
    expect(jobs.requests.map((q) => q.headers.authorization)).toEqual(fresh)
    authServer.ttl = 3600
  })

  it('OAuth 2.0: a poll refused with 401 drops the token; the next poll fetches a new one', async () => {
    authServer.ttl = 3600
    const revoked = new Set<string>()
    let gets = 0
    jobs.guard = (req) => {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (req.method === 'GET' && ++gets === 2) revoked.add(token)
      return authServer.issued.includes(token) && !revoked.has(token)
        ? null
        : { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
    }
    const from = authServer.issued.length
    const end = await followWith(clientCredentials(authServer, '', 'body'))
    // Poll 2 was refused (it counts as a poll), then two more with the new token finished the job.
    expect(end).toMatchObject({ state: 'completed', polls: 4 })
    const [a, b] = authServer.issued.slice(from)
    expect(authServer.issued.length - from).toBe(2)
    expect(polls(jobs).map((p) => p.headers.authorization)).toEqual([
      `Bearer ${a}`,
      `Bearer ${a}`,
      `Bearer ${b}`,
      `Bearer ${b}`,
    ])
  })

  it('digest: each poll answers the cached challenge with the next nonce count, and a fresh one after a 401', async () => {
    // Nonces good for three requests (then refused as stale); a replayed nonce count is refused too.
    const digest = digestChecker(3)
    jobs.guard = (req) => digest.check(req)
    const end = await followWith({ type: 'digest', username: 'alice', password: 's3cret' }, 'polls=4')
    // The POST and two polls use the first nonce (nc 1, 2, 3); the third poll is refused as stale, so the
    // next asks for a new challenge and counts on from 1.
    expect(end).toMatchObject({ state: 'completed', polls: 5 })
    const [n1, n2] = [...new Set(digest.seen.map((s) => s.nonce))]
    expect(digest.seen).toEqual([
      { nonce: n1, nc: 1 },
      { nonce: n1, nc: 2 },
      { nonce: n1, nc: 3 },
      { nonce: n2, nc: 1 },
      { nonce: n2, nc: 2 },
    ])
    // Every request of the job, the challenges included, is on the first request's lane or is the first.
    service.flush()
    const queued = events.filter((e) => e.type === 'queued')
    const lanes = new Set(queued.map((q) => (q.type === 'queued' ? (q.lane ?? q.sid) : '')))
    expect(lanes.size).toBe(2) // the first request's challenge, and the first request with its polls
  })

  it('a status URL on another origin gets no Authorization header and no API key', async () => {
    const cases: AuthSpec[] = [
      { type: 'bearer', token: 'only-for-jobs' },
      { type: 'apikey', key: 'X-Api-Key', value: 'only-for-jobs', in: 'header' },
      { type: 'apikey', key: 'api_key', value: 'only-for-jobs', in: 'query' },
    ]
    for (const auth of cases) {
      elsewhere.requests.length = 0
      jobs.requests.length = 0
      const r = await service.invoke('job.follow', {
        request: spec(
          `${jobs.url}/jobs?polls=1&statusAt=${encodeURIComponent(`${elsewhere.url}/status/1`)}`,
          {
            method: 'POST',
            headers: [
              // Set by hand: a credential stays with its origin; other headers go along.
              { name: 'Cookie', value: 'session=jobs-only', enabled: true },
              { name: 'X-Trace', value: 't-1', enabled: true },
            ],
          },
        ),
        auth,
        follow: { ...follow, until: { status: [404] }, maxPolls: 2 },
      })
      const end = await finalJob(r.ok ? r.value.sid : '')
      expect(end, auth.type).toMatchObject({ state: 'completed', polls: 1 })
      // The first request carried the credentials to its own origin...
      expect(JSON.stringify(jobs.requests[0])).toContain('only-for-jobs')
      // ...the poll on the other origin carried none of them.
      const [poll] = elsewhere.requests
      expect(poll?.url).toBe('/status/1')
      expect(poll?.headers.authorization).toBeUndefined()
      expect(poll?.headers['x-api-key']).toBeUndefined()
      expect(poll?.headers.cookie).toBeUndefined()
      expect(poll?.headers['x-trace']).toBe('t-1')
    }
  })
})

describe('long polling authorizes every repeat', () => {
  /** A job's status path, made without credentials before the test puts the API behind them. */
  async function jobPath(polls: number): Promise<string> {
    const created = await service.invoke('request.send', {
      request: spec(`${jobs.url}/jobs?polls=${polls}`, { method: 'POST' }),
      auth: { type: 'none' },
    })
    const done = await service.http.waitFor(created.ok ? (created.value.sids[0] ?? '') : '')
    const head = done.events.find((e) => e.type === 'response-headers')
    return head?.headers.find(([k]) => k === 'location')?.[1] ?? ''
  }

  it('digest: each repeat takes the next nonce count; OAuth 2.0: a fresh token when it is about to expire', async () => {
    const first = await jobPath(3)
    const second = await jobPath(2)

    const digest = digestChecker()
    jobs.guard = (req) => digest.check(req)
    const r = await service.invoke('request.longPoll', {
      request: spec(`${jobs.url}${first}`),
      auth: { type: 'digest', username: 'alice', password: 's3cret' },
      poll: { maxRepeats: 10, until: { jsonPath: '$.status', equals: 'succeeded' } },
    })
    expect(await finalJob(r.ok ? r.value.sid : '')).toMatchObject({ state: 'matched', polls: 2 })
    expect(digest.seen.map((s) => s.nc)).toEqual([1, 2, 3])
    expect(new Set(digest.seen.map((s) => s.nonce)).size).toBe(1)

    // Long-polled with 5-second OAuth tokens (inside the expiry margin): a new one for each repeat, and the
    // API takes only the newest.
    authServer.ttl = 5
    jobs.guard = (req) =>
      req.headers.authorization === `Bearer ${authServer.issued.at(-1)}`
        ? null
        : { status: 401, headers: { 'www-authenticate': 'Bearer' } }
    jobs.requests.length = 0
    const from = authServer.issued.length
    const lp = await service.invoke('request.longPoll', {
      request: spec(`${jobs.url}${second}`),
      auth: clientCredentials(authServer, ''),
      poll: { maxRepeats: 10, until: { jsonPath: '$.status', equals: 'succeeded' } },
    })
    expect(await finalJob(lp.ok ? lp.value.sid : '')).toMatchObject({ state: 'matched', polls: 1 })
    const fresh = authServer.issued.slice(from).map((t) => `Bearer ${t}`)
    expect(fresh).toHaveLength(2)
    expect(polls(jobs).map((p) => p.headers.authorization)).toEqual(fresh)
    authServer.ttl = 3600
  })
})
