import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import type {
  QueuedEvent,
  RequestSentEvent,
  TimelineEvent,
  WebhookCallEvent,
} from '../../src/shared/timeline'
import { startAuthServer } from '../fixtures/auth-server'
import { startJobServer } from '../fixtures/job-server'
import { startSseServer } from '../fixtures/sse-server'
import { startWsServer } from '../fixtures/ws-server'
import { startTraceServer, type TraceServer } from '../fixtures/trace-server'
import { bodyText, done, makeService, spec } from './helpers'

/**
 * Trace context against a real traced service (test/fixtures/trace-server.ts) that echoes the traceparent and
 * tracestate it received and calls the webhook inbox carrying the trace.
 */

const USER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
const WELL_FORMED = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/

let server: TraceServer
let service: EngineService
let dir: string
const events: TimelineEvent[] = []

function write(rel: string, text: string): void {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}

beforeAll(async () => {
  server = await startTraceServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-trace-'))
  write(
    'collection.yaml',
    'flightdeck: 1\nname: traced\ntrace:\n  mode: per-send\n  tracestate: vendor=abc\n',
  )
  write('echo.yaml', `name: echo\nmethod: GET\nurl: ${server.url}/echo\n`)
  write('quiet/folder.yaml', 'trace: off\n')
  write('quiet/echo.yaml', `name: quiet\nmethod: GET\nurl: ${server.url}/echo\n`)
  write('run/folder.yaml', 'trace: per-run\n')
  write('run/a.yaml', `name: a\nmethod: GET\nurl: ${server.url}/echo?step=a\n`)
  write('run/b.yaml', `name: b\nmethod: GET\nurl: ${server.url}/echo?step=b\n`)
  write('body/folder.yaml', 'trace:\n  mode: per-send\n  bodyField: $.trace_id\n')
  write('body/notify.yaml', `name: notify\nmethod: GET\nurl: ${server.url}/echo\n`)
  // The stream test opens its own servers; the files name the request kinds (the URL sent is the test's).
  write('streams/events.yaml', 'name: events\nkind: sse\nmethod: GET\nurl: http://127.0.0.1:1/events\n')
  write('streams/socket.yaml', 'name: socket\nkind: ws\nmethod: GET\nurl: ws://127.0.0.1:1/echo\n')
  service = makeService({
    persistWorkspace: false,
    watchCollections: false,
    configDir: mkdtempSync(join(tmpdir(), 'fd-trace-config-')),
  })
  service.subscribe((b) => events.push(...b.events))
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const hook = await service.invoke('webhook.start', {})
  if (!hook.ok) throw new Error(hook.error.message)
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

/** Send through request.send (variables, auth, trace settings) and read what the server echoed. */
async function sendEcho(
  request: RequestSpec,
  extra: { path?: string; trace?: boolean; count?: number } = {},
): Promise<
  { sid: string; echoed: { traceparent: string | null; tracestate: string | null }; sent: RequestSentEvent }[]
> {
  const r = await service.invoke('request.send', {
    request,
    auth: { type: 'inherit' },
    ...(extra.count ? { count: extra.count } : {}),
    ...(extra.path !== undefined ? { context: { dir, path: extra.path } } : {}),
    ...(extra.trace !== undefined ? { trace: extra.trace } : {}),
  })
  if (!r.ok) throw new Error(r.error.message)
  return Promise.all(
    r.value.sids.map(async (sid) => {
      const result = await service.waitForExchange(sid)
      const text = await bodyText(service, done(result))
      const sent = result.events.find((e): e is RequestSentEvent => e.type === 'request-sent')
      if (!sent) throw new Error('no request-sent')
      return {
        sid,
        echoed: JSON.parse(text) as { traceparent: string | null; tracestate: string | null },
        sent,
      }
    }),
  )
}

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

describe('trace context on sends', { timeout: 20_000 }, () => {
  it('per-send: every copy carries its own well-formed trace, the tracestate, and the timeline has its id', async () => {
    const sent = await sendEcho(spec(`${server.url}/echo`), { path: 'echo.yaml', count: 3 })
    const ids = sent.map(({ echoed, sent: ev }) => {
      const m = WELL_FORMED.exec(echoed.traceparent ?? '')
      expect(m).not.toBeNull()
      expect(echoed.tracestate).toBe('vendor=abc')
      expect(ev.traceId).toBe(m?.[1])
      expect(ev.spanId).toBe(m?.[2])
      return m?.[1]
    })
    expect(new Set(ids).size).toBe(3)
  })

  it("a user's traceparent is kept as sent and its trace id used; a malformed one is kept, noted, no id", async () => {
    const [own] = await sendEcho(
      spec(`${server.url}/echo`, { headers: [{ name: 'traceparent', value: USER, enabled: true }] }),
      {
        path: 'echo.yaml',
      },
    )
    expect(own?.echoed.traceparent).toBe(USER)
    expect(own?.echoed.tracestate).toBeNull()
    expect(own?.sent.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    const [bad] = await sendEcho(
      spec(`${server.url}/echo`, { headers: [{ name: 'traceparent', value: 'garbage', enabled: true }] }),
      { path: 'echo.yaml' },
    )
    expect(bad?.echoed.traceparent).toBe('garbage')
    expect(bad?.sent.traceId).toBeUndefined()
    expect(bad?.sent.note).toContain('not W3C trace context')
  })

  it('a folder that says off sends none; an Untitled send follows the toolbar switch', async () => {
    const [quiet] = await sendEcho(spec(`${server.url}/echo`), { path: 'quiet/echo.yaml', trace: true })
    expect(quiet?.echoed.traceparent).toBeNull()
    const [adHocOn] = await sendEcho(spec(`${server.url}/echo`), { trace: true })
    expect(adHocOn?.echoed.traceparent).toMatch(WELL_FORMED)
    expect(adHocOn?.echoed.tracestate).toBeNull()
    const [adHocOff] = await sendEcho(spec(`${server.url}/echo`))
    expect(adHocOff?.echoed.traceparent).toBeNull()
    expect(adHocOff?.sent.traceId).toBeUndefined()
  })

  it('per-run: a run shares one trace id across its steps, each with its own span; the results name it', async () => {
    const started = await service.invoke('run.start', { dir, path: 'run', concurrency: 1, iterations: 2 })
    if (!started.ok) throw new Error(started.error.message)
    await service.waitForRun(started.value.runId)
    const got = await service.invoke('run.get', { runId: started.value.runId })
    if (!got.ok) throw new Error(got.error.message)
    const results = got.value.results
    expect(results).toHaveLength(4)
    const traceIds = new Set(results.map((r) => r.traceId))
    expect(traceIds.size).toBe(1)
    expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/)
    service.flush()
    const spans = results.map(
      (r) => events.find((e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === r.sid)?.spanId,
    )
    expect(new Set(spans).size).toBe(4)
    // An override: the same run with a fresh trace per request.
    const again = await service.invoke('run.start', {
      dir,
      path: 'run',
      concurrency: 1,
      iterations: 1,
      trace: 'per-send',
    })
    if (!again.ok) throw new Error(again.error.message)
    await service.waitForRun(again.value.runId)
    const second = await service.invoke('run.get', { runId: again.value.runId })
    const ids = second.ok ? second.value.results.map((r) => r.traceId) : []
    expect(new Set(ids).size).toBe(2)
  })
})

describe('streams follow their request file', { timeout: 20_000 }, () => {
  it("an SSE stream and a WebSocket handshake carry the collection's traceparent, and name its id", async () => {
    const sse = await startSseServer()
    const ws = await startWsServer()
    try {
      const opened = await service.invoke('sse.open', {
        request: spec(`${sse.url}/events?n=2`),
        context: { dir, path: 'streams/events.yaml' },
      })
      if (!opened.ok) throw new Error(opened.error.message)
      const sseSent = await waitEvent(
        (e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === opened.value.sid,
      )
      expect(sseSent.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(sseSent.headers.find(([k]) => k === 'traceparent')?.[1]).toContain(sseSent.traceId)
      const socket = await service.invoke('ws.open', {
        url: `${ws.url}/echo`,
        headers: [],
        protocols: [],
        context: { dir, path: 'streams/socket.yaml' },
      })
      if (!socket.ok) throw new Error(socket.error.message)
      const wsSent = await waitEvent(
        (e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === socket.value.sid,
      )
      expect(wsSent.traceId).toMatch(/^[0-9a-f]{32}$/)
      // The server records the upgrade once it has read it, which may be after the request-sent event.
      await expect.poll(() => ws.upgrades.at(-1)?.headers['traceparent'] ?? '').toContain(wsSent.traceId)
      await service.invoke('session.cancel', { sid: opened.value.sid })
      await service.invoke('session.cancel', { sid: socket.value.sid })
    } finally {
      await ws.close()
      await sse.close()
    }
  })
})

describe("the toolbar's Trace switch on streams", { timeout: 20_000 }, () => {
  it('an ad-hoc SSE stream and WebSocket carry a traceparent with it on, none with it off; trace: off still wins', async () => {
    const sse = await startSseServer()
    const ws = await startWsServer()
    const sids: string[] = []
    const openSse = async (query: string, extra: { trace?: boolean; path?: string }): Promise<string> => {
      const opened = await service.invoke('sse.open', {
        request: spec(`${sse.url}/events?n=1&${query}`),
        stream: { reconnect: false },
        ...(extra.trace !== undefined ? { trace: extra.trace } : {}),
        ...(extra.path !== undefined ? { context: { dir, path: extra.path } } : {}),
      })
      if (!opened.ok) throw new Error(opened.error.message)
      sids.push(opened.value.sid)
      await waitEvent((e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === opened.value.sid)
      return opened.value.sid
    }
    const received = async (query: string): Promise<string | undefined> => {
      await expect.poll(() => sse.requests.some((r) => r.path.includes(query))).toBe(true)
      const h = sse.requests.find((r) => r.path.includes(query))?.headers['traceparent']
      return typeof h === 'string' ? h : undefined
    }
    const sentOf = (sid: string): RequestSentEvent | undefined =>
      events.find((e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === sid)
    try {
      // An Untitled tab's stream with the switch on: a well-formed traceparent, whose id the timeline names.
      const on = await openSse('case=on', { trace: true })
      const onHeader = await received('case=on')
      expect(onHeader).toMatch(WELL_FORMED)
      expect(onHeader).toContain(sentOf(on)?.traceId ?? 'no trace id')
      // Off: nothing added.
      const off = await openSse('case=off', {})
      expect(await received('case=off')).toBeUndefined()
      expect(sentOf(off)?.traceId).toBeUndefined()
      // A request file whose folder says trace: off sends none, whatever the switch says.
      await openSse('case=quiet', { trace: true, path: 'quiet/echo.yaml' })
      expect(await received('case=quiet')).toBeUndefined()

      const socket = await service.invoke('ws.open', {
        url: `${ws.url}/echo?case=ws-on`,
        headers: [],
        protocols: [],
        trace: true,
      })
      if (!socket.ok) throw new Error(socket.error.message)
      sids.push(socket.value.sid)
      const wsSent = await waitEvent(
        (e): e is RequestSentEvent => e.type === 'request-sent' && e.sid === socket.value.sid,
      )
      expect(wsSent.traceId).toMatch(/^[0-9a-f]{32}$/)
      // The server records the upgrade once it has read it, which may be after the request-sent event.
      await expect
        .poll(() => ws.upgrades.find((u) => u.path.includes('ws-on'))?.headers['traceparent'] ?? '')
        .toContain(wsSent.traceId)
    } finally {
      for (const sid of sids) await service.invoke('session.cancel', { sid })
      await ws.close()
      await sse.close()
    }
  })
})

describe('a digest send', { timeout: 20_000 }, () => {
  it("is one trace: the challenge's probe and the authorized request, each with its own span", async () => {
    const auth = await startAuthServer()
    try {
      const r = await service.invoke('request.send', {
        request: spec(`${auth.url}/digest`),
        auth: { type: 'digest', username: 'alice', password: 's3cret' },
        trace: true,
      })
      if (!r.ok) throw new Error(r.error.message)
      const final = await service.waitForExchange(r.value.sids[0] ?? '')
      expect(done(final).status).toBe(200)
      service.flush()
      const sent = events.filter(
        (e): e is RequestSentEvent =>
          e.type === 'request-sent' && e.remotePort === Number(new URL(auth.url).port),
      )
      expect(sent).toHaveLength(2)
      expect(sent[0]?.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(sent[1]?.traceId).toBe(sent[0]?.traceId)
      expect(sent[1]?.spanId).not.toBe(sent[0]?.spanId)
    } finally {
      await auth.close()
    }
  })
})

describe('a job and its polls', { timeout: 20_000 }, () => {
  it('share the trace of the request that started it, each with a span of its own', async () => {
    const jobs = await startJobServer()
    try {
      const r = await service.invoke('job.follow', {
        request: spec(`${jobs.url}/jobs?polls=2`, { method: 'POST' }),
        trace: true,
        follow: {
          statusUrl: { from: 'location' },
          until: { jsonPath: '$.status', equals: 'succeeded' },
          intervalMs: 20,
          backoff: 'fixed',
          deadlineMs: 5000,
          maxPolls: 10,
        },
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sid
      await waitEvent((e): e is TimelineEvent => e.type === 'job' && e.sid === sid && e.state !== 'running')
      const lane = new Set([
        sid,
        ...events.filter((e): e is QueuedEvent => e.type === 'queued' && e.lane === sid).map((e) => e.sid),
      ])
      const sent = events.filter((e): e is RequestSentEvent => e.type === 'request-sent' && lane.has(e.sid))
      expect(sent).toHaveLength(3)
      expect(new Set(sent.map((e) => e.traceId)).size).toBe(1)
      expect(sent[0]?.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(new Set(sent.map((e) => e.spanId)).size).toBe(3)
      // What the job server received: the same trace on every request.
      const received = jobs.requests.map((q) => String(q.headers['traceparent']).split('-')[1])
      expect(new Set(received)).toEqual(new Set([sent[0]?.traceId]))
    } finally {
      await jobs.close()
    }
  })
})

describe('webhook calls join the lane of the request whose trace they carry', { timeout: 20_000 }, () => {
  /** A token minted by one request (`owner`): the calls below hit its URL, as a webhook registered once would. */
  async function registeredHook(): Promise<{ owner: string; url: string }> {
    const r = await service.invoke('request.send', {
      request: spec(`${server.url}/echo?register={{$webhook}}`),
      auth: { type: 'inherit' },
    })
    if (!r.ok) throw new Error(r.error.message)
    const owner = r.value.sids[0] ?? ''
    const queued = await waitEvent((e): e is QueuedEvent => e.type === 'queued' && e.sid === owner)
    const url = new URL(queued.url).searchParams.get('register') ?? ''
    expect(url).toMatch(/\/hooks\//)
    return { owner, url }
  }

  const callFor =
    (traceId: string | undefined) =>
    (e: TimelineEvent): e is WebhookCallEvent =>
      e.type === 'webhook-call' && e.traceId !== undefined && e.traceId === traceId

  it.each(['header', 'exact'])('by its traceparent (%s)', async (carry) => {
    const hook = await registeredHook()
    const [traced] = await sendEcho(
      spec(`${server.url}/echo?carry=${carry}&hook=${encodeURIComponent(hook.url)}`),
      {
        trace: true,
      },
    )
    const call = await waitEvent(callFor(traced?.sent.traceId))
    // Today's token alone would have drawn it on the registering request's lane.
    expect(call.owner).toBe(traced?.sid)
    expect(call.owner).not.toBe(hook.owner)
    const queued = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === call.sid)
    expect(queued?.initiator).toBe(traced?.sid)
  })

  it('by a JSON body field the request names', async () => {
    const hook = await registeredHook()
    const [traced] = await sendEcho(
      spec(`${server.url}/echo?carry=body&hook=${encodeURIComponent(hook.url)}`),
      {
        path: 'body/notify.yaml',
      },
    )
    const call = await waitEvent(callFor(traced?.sent.traceId))
    expect(call.owner).toBe(traced?.sid)
  })

  it('a call carrying a trace nobody here sent keeps the token owner', async () => {
    const hook = await registeredHook()
    const before = events.length
    const [plain] = await sendEcho(
      spec(`${server.url}/echo?carry=exact&hook=${encodeURIComponent(hook.url)}`),
      {},
    )
    expect(plain?.echoed.traceparent).toBeNull()
    // The server calls only when a traceparent came; send one of our own by hand, unknown to the index.
    const foreign = '00-11111111111111111111111111111111-2222222222222222-01'
    await fetch(hook.url, { method: 'POST', headers: { traceparent: foreign }, body: '{}' })
    const call = await waitEvent(
      (e): e is WebhookCallEvent => e.type === 'webhook-call' && events.indexOf(e) >= before,
    )
    expect(call.owner).toBe(hook.owner)
    expect(call.traceId).toBeUndefined()
  })
})
