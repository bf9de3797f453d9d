import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
import type { EngineService } from '../../src/engine/service'
import { headerOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { startJobServer } from '../fixtures/job-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { isolatedService } from './helpers'

/**
 * An SSE or WebSocket session opened in the app with `Authorization: {{auth}}` (= `Bearer {{token}}`) where the
 * secret `token` has no value on this machine: it opens with the header empty, and its `queued` event names the
 * secret and where it is declared, as a send's does; so do a GraphQL query sent over HTTP and a followed job's
 * requests (rows with a request's details). What went out is checked at real servers.
 */

let sse: RawServer
let ws: WsFixture
let root: string
let dir: string
let service: EngineService
let events: TimelineEvent[] = []

const context = (): { dir: string; path: string; env: string } => ({ dir, path: 'a.yaml', env: 'ci' })
const authHeader = [{ name: 'Authorization', value: '{{auth}}', enabled: true }]

/** The session's `queued` event as subscribers got it (the sink's pending batch flushed first, not waited for). */
function queuedOf(sid: string): QueuedEvent | undefined {
  service.flush()
  return events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === sid)
}

beforeAll(async () => {
  // One event, then the stream ends (no reconnect is asked for); a POST (a GraphQL query) gets a JSON answer.
  sse = await startRawServer((socket, head) =>
    socket.end(
      head.startsWith('POST ')
        ? 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"data":{}}'
        : 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: hi\n\n',
    ),
  )
  ws = await startWsServer()
  root = mkdtempSync(join(tmpdir(), 'fd-empty-secret-streams-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    "flightdeck: 1\nname: Streams\nid: streams\nvariables:\n  auth: 'Bearer {{token}}'\n",
  )
  writeFileSync(join(dir, 'environments', 'ci.yaml'), 'name: ci\nvariables:\n  token:\n    secret: true\n')
  writeFileSync(join(dir, 'a.yaml'), 'name: A\nmethod: GET\nurl: http://127.0.0.1/\n')
})

beforeEach(async () => {
  sse.heads.length = 0
  service = isolatedService(root)
  events = []
  service.subscribe((b) => events.push(...b.events))
  expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
})

afterEach(async () => {
  await service.dispose()
})

afterAll(async () => {
  await sse.close()
  await ws.close()
  rmSync(root, { recursive: true, force: true })
})

describe("the app's other sends with an empty secret say so", () => {
  it('SSE: opened with the header empty, its queued event names the secret', async () => {
    const opened = await service.invoke('sse.open', {
      request: {
        method: 'GET',
        url: `${sse.url}/events`,
        headers: authHeader,
        body: { kind: 'none' },
        options: {},
      },
      stream: { reconnect: false },
      context: context(),
    })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.waitForStream(opened.value.sid)
    expect(sse.heads.map((h) => headerOf(h, 'authorization'))).toEqual(['Bearer '])
    expect(queuedOf(opened.value.sid)?.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
  })

  it('WebSocket: upgraded with the header empty, its queued event names the secret', async () => {
    const opened = await service.invoke('ws.open', {
      url: `${ws.url}/close?code=1000&reason=bye&after=0`,
      headers: authHeader,
      protocols: [],
      context: context(),
    })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.waitForStream(opened.value.sid)
    expect(ws.upgrades.map((u) => u.headers.authorization)).toEqual(['Bearer'])
    expect(queuedOf(opened.value.sid)?.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
  })

  it('GraphQL over HTTP: sent with the header empty, its queued event names the secret', async () => {
    const sent = await service.invoke('graphql.send', {
      url: `${sse.url}/graphql`,
      query: '{ hello }',
      transport: 'http',
      headers: authHeader,
      context: context(),
    })
    if (!sent.ok) throw new Error(sent.error.message)
    await service.waitForExchange(sent.value.sid)
    expect(sse.heads.map((h) => headerOf(h, 'authorization'))).toEqual(['Bearer '])
    expect(queuedOf(sent.value.sid)?.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
  })

  it('a followed job: its first request and each poll go out with the header empty, each names the secret', async () => {
    const jobs = await startJobServer()
    try {
      const followed = await service.invoke('job.follow', {
        request: {
          method: 'POST',
          url: `${jobs.url}/jobs?polls=1`,
          headers: authHeader,
          body: { kind: 'none' },
          options: {},
        },
        context: context(),
        follow: {
          statusUrl: { from: 'location' },
          until: { jsonPath: '$.status', equals: 'succeeded' },
          intervalMs: 20,
          backoff: 'fixed',
          deadlineMs: 5000,
          maxPolls: 10,
        },
      })
      if (!followed.ok) throw new Error(followed.error.message)
      // Bounded: the job ends within its 5 s deadline.
      for (let i = 0; i < 300 && !events.some((e) => e.type === 'job' && e.state !== 'running'); i++) {
        service.flush()
        await new Promise((r) => setTimeout(r, 25))
      }
      expect(jobs.requests.map((r) => `${r.method} ${r.headers.authorization ?? ''}`)).toEqual([
        'POST Bearer',
        'GET Bearer',
      ])
      const queued = events.filter((e): e is QueuedEvent => e.type === 'queued')
      expect(queued.map((q) => q.emptySecrets?.map((u) => u.name))).toEqual([['token'], ['token']])
    } finally {
      await jobs.close()
    }
  })
})
