import { mkdtempSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { connect as connectTcp, createServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type {
  ErrorEvent,
  JobEvent,
  QueuedEvent,
  TimelineEvent,
  WebhookCallEvent,
} from '../../src/shared/timeline'
import { startCallbackServer, type CallbackServer } from '../fixtures/callback-server'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { makeService, spec } from './helpers'

let jobs: JobServer
let hooks: CallbackServer
let service: EngineService
const events: TimelineEvent[] = []

beforeAll(async () => {
  jobs = await startJobServer()
  hooks = await startCallbackServer()
  service = makeService({
    persistWorkspace: false,
    watchCollections: false,
    configDir: mkdtempSync(join(tmpdir(), 'fd-async-')),
  })
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await jobs.close()
  await hooks.close()
})

/** Wait (at most 8 s) until an event matching `pred` has been delivered. */
async function waitEvent<T extends TimelineEvent>(pred: (e: TimelineEvent) => e is T): Promise<T> {
  const until = Date.now() + 8000
  while (Date.now() < until) {
    service.flush()
    const found = events.find(pred)
    if (found) return found
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('event did not arrive in 8 s')
}

const finalJob =
  (sid: string) =>
  (e: TimelineEvent): e is JobEvent =>
    e.type === 'job' && e.sid === sid && e.state !== 'running'

const follow = {
  statusUrl: { from: 'location' as const },
  until: { jsonPath: '$.status', equals: 'succeeded' },
  failWhen: { jsonPath: '$.status', equals: 'failed' },
  intervalMs: 30,
  backoff: 'fixed' as const,
  deadlineMs: 10_000,
  maxPolls: 20,
}

describe('job.follow', () => {
  it('answers with the first sid at once, polls on its lane and reports completion', async () => {
    const r = await service.invoke('job.follow', {
      request: spec(`${jobs.url}/jobs?polls=3`, { method: 'POST' }),
      follow,
    })
    expect(r.ok).toBe(true)
    const sid = r.ok ? r.value.sid : ''
    const end = await waitEvent(finalJob(sid))
    expect(end).toMatchObject({ mode: 'follow', state: 'completed', polls: 3, lastValue: '"succeeded"' })
    expect(end.statusUrl).toMatch(/\/jobs\/j\d+$/)
    const polls = events.filter((e): e is QueuedEvent => e.type === 'queued' && e.lane === sid)
    expect(polls).toHaveLength(3)
    // Running reports in between say how many polls went out.
    const running = events.filter(
      (e): e is JobEvent => e.type === 'job' && e.sid === sid && e.state === 'running',
    )
    expect(running.map((e) => e.polls)).toContain(2)
  })

  it('reports a failed job and a deadline', async () => {
    const failed = await service.invoke('job.follow', {
      request: spec(`${jobs.url}/jobs?polls=2&fail=1`, { method: 'POST' }),
      follow,
    })
    const fsid = failed.ok ? failed.value.sid : ''
    expect((await waitEvent(finalJob(fsid))).state).toBe('failed')

    const slow = await service.invoke('job.follow', {
      request: spec(`${jobs.url}/jobs?polls=1000`, { method: 'POST' }),
      follow: { ...follow, intervalMs: 50, deadlineMs: 300 },
    })
    const ssid = slow.ok ? slow.value.sid : ''
    const end = await waitEvent(finalJob(ssid))
    expect(end.state).toBe('deadline')
    expect(end.message).toMatch(/did not finish within 300 ms/)
  })

  it('stops when the first sid is cancelled', async () => {
    const r = await service.invoke('job.follow', {
      request: spec(`${jobs.url}/jobs?polls=1000`, { method: 'POST' }),
      follow: { ...follow, intervalMs: 40, deadlineMs: 60_000, maxPolls: 10_000 },
    })
    const sid = r.ok ? r.value.sid : ''
    await waitEvent((e): e is QueuedEvent => e.type === 'queued' && e.lane === sid)
    const c = await service.invoke('session.cancel', { sid })
    expect(c.ok && c.value.cancelled).toBe(true)
    const end = await waitEvent(finalJob(sid))
    expect(end.state).toBe('cancelled')
    const count = events.filter((e) => e.type === 'queued' && e.lane === sid).length
    await new Promise((res) => setTimeout(res, 150))
    service.flush()
    expect(events.filter((e) => e.type === 'queued' && e.lane === sid).length).toBe(count)
  })

  it('refuses a first request that has no Location to follow, and bad payloads', async () => {
    const r = await service.invoke('job.follow', {
      request: spec(`${jobs.url}/jobs/nothing`),
      follow,
    })
    // The first request is sent (its sid comes back); the job ends in error on the timeline.
    const sid = r.ok ? r.value.sid : ''
    const end = await waitEvent(finalJob(sid))
    expect(end.state).toBe('error')
    expect(end.message).toMatch(/no Location header/)

    const bad = await service.call('job.follow', {
      request: spec(jobs.url),
      follow: { ...follow, until: {} },
    })
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.error.message).toMatch(/Say when the job is done/)
    const badPath = await service.call('job.follow', {
      request: spec(jobs.url),
      follow: { ...follow, statusUrl: { from: 'json', path: 'links.status' } },
    })
    expect(!badPath.ok && badPath.error.message).toMatch(/JSONPath starts with \$/)
  })
})

describe('request.longPoll', () => {
  it('repeats the request on the first one’s lane until the JSONPath matches', async () => {
    const started = await service.invoke('request.send', {
      request: spec(`${jobs.url}/jobs?polls=4`, { method: 'POST' }),
      auth: { type: 'none' },
    })
    const first = started.ok ? (started.value.sids[0] ?? '') : ''
    // The job id is in the 202's body; reading it through the engine keeps this test honest.
    const done = await service.http.waitFor(first)
    const body =
      done.final.type === 'done'
        ? await service.invoke('body.read', {
            bodyId: done.final.body.id,
            offset: 0,
            length: 1000,
            encoding: 'utf8',
          })
        : null
    const jobId = body?.ok ? (JSON.parse(body.value.data) as { id: string }).id : ''
    const r = await service.invoke('request.longPoll', {
      request: spec(`${jobs.url}/jobs/${jobId}`),
      poll: { maxRepeats: 50, until: { jsonPath: '$.status', equals: 'succeeded' } },
    })
    const sid = r.ok ? r.value.sid : ''
    const end = await waitEvent(finalJob(sid))
    expect(end).toMatchObject({ mode: 'long-poll', state: 'matched', polls: 3, lastValue: '"succeeded"' })
    const repeats = events.filter((e): e is QueuedEvent => e.type === 'queued' && e.lane === sid)
    expect(repeats).toHaveLength(3)
    expect(jobs.polls(jobId)).toHaveLength(4)
  })
})

describe('request.longPoll cancel', () => {
  it('stops repeating when the first sid is cancelled', async () => {
    const r = await service.invoke('request.longPoll', {
      request: spec(`${jobs.url}/jobs/none`),
      poll: { maxRepeats: 500 },
    })
    const sid = r.ok ? r.value.sid : ''
    await waitEvent((e): e is QueuedEvent => e.type === 'queued' && e.lane === sid)
    const c = await service.invoke('session.cancel', { sid })
    expect(c.ok && c.value.cancelled).toBe(true)
    const end = await waitEvent(finalJob(sid))
    expect(end.state).toBe('cancelled')
    expect(end.polls).toBeLessThan(499)
  })
})

describe('webhook inbox', () => {
  it('refuses {{$webhook}} plainly while no inbox runs', async () => {
    const r = await service.invoke('request.send', {
      request: spec(`${hooks.url}/subscribe`, {
        method: 'POST',
        body: { kind: 'json', text: '{"callback":"{{$webhook}}"}' },
      }),
      auth: { type: 'none' },
    })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error.message).toBe('Start the webhook inbox to use {{$webhook}}')
    const status = await service.invoke('webhook.status', {})
    expect(status.ok && status.value.running).toBe(false)
  })

  it('puts a callback on the timeline linked to the request that carried the token', async () => {
    const started = await service.invoke('webhook.start', { port: 0 })
    expect(started.ok).toBe(true)
    const base = started.ok ? started.value.url : ''
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const send = (): Promise<string> =>
      service
        .invoke('request.send', {
          request: spec(`${hooks.url}/subscribe`, {
            method: 'POST',
            body: { kind: 'json', text: '{"callback":"{{$webhook}}","event":"ready"}' },
          }),
          auth: { type: 'none' },
        })
        .then((r) => (r.ok ? (r.value.sids[0] ?? '') : `refused: ${r.ok ? '' : r.error.message}`))
    const a = await send()
    const b = await send()
    expect(a).toMatch(/^s\d+$/)
    const callA = await waitEvent((e): e is WebhookCallEvent => e.type === 'webhook-call' && e.owner === a)
    const callB = await waitEvent((e): e is WebhookCallEvent => e.type === 'webhook-call' && e.owner === b)
    // A fresh token per send: the two calls came to different URLs.
    const qa = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === callA.sid)
    const qb = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === callB.sid)
    expect(qa).toMatchObject({ kind: 'webhook', method: 'POST', initiator: a })
    expect(qa?.url.startsWith(`${base}/hooks/`)).toBe(true)
    expect(qa?.url).not.toBe(qb?.url)
    expect(callA.path).toBe('/done')
    expect(callA.query).toBe('attempt=1')
    expect(callA.headers).toContainEqual(['x-signature', 'sig-123'])
    const body = await service.invoke('body.read', {
      bodyId: callA.body.id,
      offset: 0,
      length: 1000,
      encoding: 'utf8',
    })
    expect(body.ok && JSON.parse(body.value.data)).toEqual({ event: 'ready', ok: true })
    const status = await service.invoke('webhook.status', {})
    expect(status.ok && status.value).toMatchObject({ running: true, url: base })
    expect(status.ok && status.value.calls).toBeGreaterThanOrEqual(2)
    // HAR export of the request and its callback: the callback is skipped, the export still works.
    await service.http.waitFor(a)
    const har = await service.invoke('har.export', { sids: [a, callA.sid] })
    expect(har.ok).toBe(true)
    expect(har.ok && har.value.entries).toBe(1)
    expect(har.ok && (JSON.parse(har.value.har) as { log: { entries: unknown[] } }).log.entries).toHaveLength(
      1,
    )
    await service.invoke('webhook.stop', {})
    const after = await service.invoke('webhook.status', {})
    expect(after.ok && after.value.running).toBe(false)
  })

  it("shows a cut call on the timeline: on its request's lane, with the reason and the caller's address", async () => {
    const started = await service.invoke('webhook.start', { port: 0 })
    expect(started.ok).toBe(true)
    // A server that keeps the callback URL it is given, and never calls it: the test calls it, badly.
    const urls: string[] = []
    const keeper = createHttpServer((req, res) => {
      let text = ''
      req.setEncoding('utf8').on('data', (c: string) => (text += c))
      req.on('end', () => {
        urls.push((JSON.parse(text) as { callback: string }).callback)
        res.writeHead(202).end()
      })
    })
    await new Promise<void>((r) => keeper.listen(0, '127.0.0.1', r))
    try {
      const sent = await service.invoke('request.send', {
        request: spec(`http://127.0.0.1:${(keeper.address() as AddressInfo).port}/subscribe`, {
          method: 'POST',
          body: { kind: 'json', text: '{"callback":"{{$webhook}}"}' },
        }),
        auth: { type: 'none' },
      })
      const owner = sent.ok ? (sent.value.sids[0] ?? '') : ''
      await service.http.waitFor(owner)
      const target = new URL(urls[0] ?? '')
      // One declares a body past the inbox's 16 MB; one sends 10 of its 1,000 bytes and hangs up.
      const raw = (head: string, then: (s: Socket) => void): Promise<string> =>
        new Promise((resolve) => {
          let got = ''
          const s = connectTcp(Number(target.port), target.hostname, () => {
            s.write(`POST ${target.pathname}/done HTTP/1.1\r\nHost: x\r\n${head}\r\n\r\n`)
            then(s)
          })
          s.setEncoding('latin1').on('data', (c: string) => {
            got += c
            // The inbox's JSON answer is whole: done (it keeps the connection open for the body it refused).
            if (got.endsWith('}')) s.destroy()
          })
          s.on('error', () => undefined)
          s.on('close', () => resolve(got))
        })
      expect(await raw('Content-Length: 20000000', () => undefined)).toMatch(/^HTTP\/1\.1 413 /)
      const cutOf =
        (code: string) =>
        (e: TimelineEvent): e is ErrorEvent =>
          e.type === 'error' && e.code === code && e.sid.startsWith('hcut')
      const large = await waitEvent(cutOf('body_too_large'))
      await raw('Content-Length: 1000', (s) => s.end('0123456789', () => s.destroy()))
      const hungUp = await waitEvent(cutOf('reset'))
      for (const cut of [large, hungUp]) {
        const queued = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === cut.sid)
        expect(queued).toMatchObject({ kind: 'webhook', method: 'POST', initiator: owner })
        expect(queued?.url).toBe(`${target.origin}${target.pathname}/done`)
        expect(cut.detail).toBe('127.0.0.1')
      }
      expect(large.message).toBe(
        "Call from 127.0.0.1 cut (answered 413): its body of 19.1 MB is over the inbox's 16.0 MB limit",
      )
      expect(hungUp.message).toBe('Call from 127.0.0.1 cut: it hung up after 10 B of its body of 1000 B')
      // The refused caller's hang-up after its 413 is not a second cut.
      const cuts = events.filter(
        (e) => e.type === 'queued' && e.kind === 'webhook' && e.sid.startsWith('hcut'),
      )
      expect(cuts.map((e) => e.sid)).toEqual([large.sid, hungUp.sid])
      // A call to a URL the inbox never gave out (a service posting to an old run's URL) is shown on a row of its own.
      const staleUrl = `${target.origin}/hooks/staleToken12345/done`
      expect((await fetch(staleUrl, { method: 'POST', body: '{}' })).status).toBe(404)
      const stale = await waitEvent(cutOf('not_found'))
      const staleQueued = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === stale.sid)
      expect(staleQueued).toMatchObject({ kind: 'webhook', method: 'POST', url: staleUrl })
      expect(staleQueued?.initiator).toBeUndefined()
      expect(stale.detail).toBe('127.0.0.1')
      expect(stale.message).toBe(
        'Call from 127.0.0.1 refused (answered 404): it called a URL this inbox did not give out or has forgotten (an old or mistyped token)',
      )
    } finally {
      await new Promise((r) => keeper.close(r))
      await service.invoke('webhook.stop', {})
    }
  })

  it('refuses a port already in use, by name', async () => {
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const port = (squatter.address() as AddressInfo).port
    try {
      const r = await service.invoke('webhook.start', { port })
      expect(r.ok).toBe(false)
      expect(!r.ok && r.error.message).toBe(`Port ${port} is already in use`)
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()))
    }
    const bad = await service.call('webhook.start', { port: 70_000 })
    expect(bad.ok).toBe(false)
    const badHost = await service.call('webhook.start', { host: '0.0.0.0' })
    expect(badHost.ok).toBe(false)
  })
})
