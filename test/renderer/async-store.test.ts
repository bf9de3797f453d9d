import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until as untilFor } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { applyBatch, clearFinished, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { WebhookDetails } from '../../src/renderer/async/WebhookDetails'
import { HoverCard } from '../../src/renderer/timeline/HoverCard'
import { harSids } from '../../src/renderer/timeline/har-slice'
import {
  durationText,
  jobBadge,
  rowLabel,
  statusClass,
  statusText,
} from '../../src/renderer/timeline/row-labels'
import {
  DEFAULT_AFTER,
  followOptions,
  longPollOptions,
  scalarOf,
} from '../../src/renderer/async/after-response'
import { startCallbackServer, type CallbackServer } from '../fixtures/callback-server'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { queued } from './event-builders'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Jobs, long polls and webhooks in the store, driven by a real engine against the real job and callback
 * fixtures: the rows, badges, lanes and details data are what the person sees.
 */

const until = (cond: () => boolean, ms = 8000): Promise<void> => untilFor(cond, ms)

let jobs: JobServer
let hooks: CallbackServer
let engine: TestEngine
let store: AppStore

beforeAll(async () => {
  jobs = await startJobServer()
  hooks = await startCallbackServer()
  engine = startEngine()
  store = engine.store()
})
afterAll(async () => {
  await stopEngines()
  await jobs.close()
  await hooks.close()
})

describe('follow a job from the composer', () => {
  it('puts the polls on the starting row and shows the outcome there', async () => {
    const s = store.getState()
    s.setMethod('POST')
    s.setUrl(`${jobs.url}/jobs?polls=3`)
    s.setAfterResponse({ mode: 'follow', intervalMs: 20, source: 'location' })
    const before = store.getState().timeline.order.length
    await store.getState().send()
    const sid = store.getState().selectedSid ?? ''
    expect(sid).toMatch(/^s\d+$/)
    await until(() => {
      const job = store.getState().timeline.rows[sid]?.job
      return job !== undefined && job.state !== 'running'
    })
    const { timeline } = store.getState()
    const row = timeline.rows[sid]
    expect(row?.job).toMatchObject({ state: 'completed', polls: 3, lastValue: '"succeeded"' })
    // One row for the job: its polls are drawn on it, not listed as rows of their own.
    expect(timeline.order.length).toBe(before + 1)
    expect(row?.members).toHaveLength(3)
    for (const m of row?.members ?? []) expect(timeline.rows[m]?.laneOf).toBe(sid)
    expect(jobBadge(row!.job!)).toBe('job ✓ 3 polls')
    expect(rowLabel(row!)).toMatch(/job completed$/)
    // HAR takes the job's exchanges, polls included.
    expect(harSids(timeline.rows, [sid])).toEqual([sid, ...(row?.members ?? [])])
    await until(() => store.getState().timeline.inFlight === 0)
    // Clear drops the finished job with its polls.
    store.getState().clearFinished()
    expect(store.getState().timeline.rows[sid]).toBeUndefined()
    expect(store.getState().timeline.rows[row?.members?.[0] ?? '']).toBeUndefined()
  })

  it('keeps a running job through Clear, and Esc on its row stops it', async () => {
    store.getState().setUrl(`${jobs.url}/jobs?polls=1000`)
    store.getState().setAfterResponse({ mode: 'follow', intervalMs: 30, deadlineS: 60, maxPolls: 1000 })
    await store.getState().send()
    const sid = store.getState().selectedSid ?? ''
    expect(sid).toMatch(/^s\d+$/)
    // Bounded well past the work (two polls 30 ms apart) so a loaded machine cannot fail it; a timeout says what the
    // row held, so a failure is told from slowness.
    const job = (): string => JSON.stringify(store.getState().timeline.rows[sid]?.job ?? null)
    const untilJob = (cond: () => boolean, what: string): Promise<void> =>
      until(cond, 15_000).catch(() => {
        throw new Error(`no ${what} within 15 s; the row's job: ${job()}`)
      })
    await untilJob(() => (store.getState().timeline.rows[sid]?.members?.length ?? 0) >= 2, 'second poll')
    store.getState().clearFinished()
    expect(store.getState().timeline.rows[sid]?.job?.state).toBe('running')
    // The toolbar counts it as a job polling (its first request has long ended).
    expect(store.getState().timeline.jobsRunning).toBe(1)
    expect(store.getState().selectedSid).toBe(sid)
    await store.getState().cancelSelected()
    await untilJob(() => store.getState().timeline.rows[sid]?.job?.state === 'cancelled', 'cancel')
    expect(store.getState().timeline.jobsRunning).toBe(0)
  })

  it('refuses an unusable condition before anything is sent', async () => {
    store.getState().setAfterResponse({ mode: 'follow', untilStatus: '20x', untilPath: '' })
    const n = store.getState().timeline.order.length
    await store.getState().send()
    expect(store.getState().sendError?.message).toBe('"20x" is not an HTTP status')
    // Nothing was sent: a plain send made now is the next row (the engine reports sends in order), not the one after.
    store.getState().setAfterResponse({ ...DEFAULT_AFTER })
    store.getState().setMethod('GET')
    store.getState().setUrl(`${jobs.url}/jobs/none`)
    await store.getState().send()
    const probe = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.order.includes(probe))
    expect(store.getState().timeline.order.slice(n)).toEqual([probe])
  })

  it('long-polls on one lane until the value matches', async () => {
    const created = await engine.service.invoke('http.send', {
      request: {
        method: 'POST',
        url: `${jobs.url}/jobs?polls=3`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    const first = created.ok ? (created.value.sids[0] ?? '') : ''
    const res = await engine.service.http.waitFor(first)
    const bodyId = res.final.type === 'done' ? res.final.body.id : ''
    const read = await engine.service.invoke('body.read', {
      bodyId,
      offset: 0,
      length: 1000,
      encoding: 'utf8',
    })
    const id = read.ok ? (JSON.parse(read.value.data) as { id: string }).id : ''
    store.getState().setMethod('GET')
    store.getState().setUrl(`${jobs.url}/jobs/${id}`)
    store
      .getState()
      .setAfterResponse({ mode: 'long-poll', repeats: 20, untilPath: '$.status', untilEquals: 'succeeded' })
    await store.getState().send()
    const sid = store.getState().selectedSid ?? ''
    await until(() => {
      const job = store.getState().timeline.rows[sid]?.job
      return job !== undefined && job.state !== 'running'
    })
    const row = store.getState().timeline.rows[sid]
    expect(row?.job).toMatchObject({ mode: 'long-poll', state: 'matched', polls: 2 })
    expect(row?.members).toHaveLength(2)
    store.getState().setAfterResponse({ ...DEFAULT_AFTER })
  })
})

describe('webhooks on the timeline', () => {
  it('a callback is its own row, linked to and ticked on the request that carried {{$webhook}}', async () => {
    const s = store.getState()
    s.setMethod('POST')
    s.setUrl(`${hooks.url}/subscribe?delay=30`)
    s.setBodyKind('json')
    s.setJsonBody('{"callback":"{{$webhook}}","event":"built"}')
    await store.getState().send()
    expect(store.getState().sendError?.message).toBe('Start the webhook inbox to use {{$webhook}}')

    await store.getState().startWebhook()
    expect(store.getState().webhook).toMatchObject({ running: true, error: null })
    expect(store.getState().webhook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await store.getState().send()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    await until(() => (store.getState().timeline.rows[sid]?.hooks?.length ?? 0) === 1)
    const { timeline } = store.getState()
    const hookSid = timeline.rows[sid]?.hooks?.[0] ?? ''
    const hook = timeline.rows[hookSid]
    await until(() => store.getState().timeline.rows[hookSid]?.webhook !== undefined)
    const call = store.getState().timeline.rows[hookSid]
    expect(timeline.order).toContain(hookSid)
    expect(hook?.queued).toMatchObject({ kind: 'webhook', method: 'POST', initiator: sid })
    expect(call?.state).toBe('done')
    expect(call?.webhook?.path).toBe('/done')
    expect(call?.webhook?.headers).toContainEqual(['x-signature', 'sig-123'])
    expect(statusText(call!)).toBe('hook')
    expect(rowLabel(call!)).toMatch(
      new RegExp(`^webhook POST http://127\\.0\\.0\\.1:\\d+/hooks/.+/done\\?attempt=1 caused by ${sid}$`),
    )
    // Its body reads like a response body.
    await store.getState().loadBody(hookSid)
    await until(() => store.getState().body?.sid === hookSid && store.getState().body?.loading === false)
    expect(JSON.parse(store.getState().body?.text ?? '')).toEqual({ event: 'built', ok: true })
    // HAR leaves the incoming call out.
    expect(harSids(store.getState().timeline.rows, [sid, hookSid])).toEqual([sid])
    // Its hover card says what came in (not a request's DNS, connect, wait … as dashes).
    const card = (of: string): string =>
      renderOverStore(
        store,
        createElement(HoverCard, { sid: of, left: 0, top: 0, frameWidth: 800, frameHeight: 600 }),
      ).replace(/<[^>]+>/g, ' ')
    const size = call?.webhook?.body.size ?? 0
    expect(card(hookSid)).toMatch(
      new RegExp(`Received +\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +Body +${size} B +From +127\\.0\\.0\\.1`),
    )
    expect(card(hookSid)).not.toMatch(/DNS|Connect|Waiting/)
    // A call to a URL the inbox never gave out: its caller and why it was refused.
    const stale = `${store.getState().webhook.url}/hooks/staleToken12345/done`
    expect((await fetch(stale, { method: 'POST', body: '{}' })).status).toBe(404)
    const refusedSid = (): string =>
      Object.values(store.getState().timeline.rows).find((r) => r.queued.url === stale)?.queued.sid ?? ''
    await until(() => store.getState().timeline.rows[refusedSid()]?.terminal !== undefined)
    expect(card(refusedSid())).toMatch(
      /Received +\d\d:\d\d:\d\d\.\d{3} +From +127\.0\.0\.1 +Call from 127\.0\.0\.1 refused \(answered 404\): it called a URL/,
    )
    // Its title is the path that was called (the inbox's origin is every call's), on a line of its own that wraps:
    // the whole URL on one line was cut at the port.
    expect(card(refusedSid())).toMatch(/^ *webhook POST +\/hooks\/staleToken12345\/done +Received/)
    const refusedRow = store.getState().timeline.rows[refusedSid()]!
    // A call coming in has no request time: its Time cell says so (it read 0.0 ms).
    expect([durationText(refusedRow), durationText(call!)]).toEqual(['—', '—'])
    const details = renderOverStore(store, createElement(WebhookDetails, { row: refusedRow }))
    expect(details).toContain('Webhook 404')
    expect(details).toContain('Nothing of a refused call is kept')
    await store.getState().stopWebhook()
    expect(store.getState().webhook.running).toBe(false)
  })

  it('a port already taken is refused in the control, plainly', async () => {
    const started = await engine.service.invoke('webhook.start', { port: 0 })
    const port = Number(new URL(started.ok ? started.value.url : 'http://x:1').port)
    // The service's inbox holds the port; a second one through the store cannot have it.
    const other = startEngine()
    try {
      const second = other.store({ connect: false })
      second.getState().setWebhookPort(port)
      await second.getState().startWebhook()
      expect(second.getState().webhook.running).toBe(false)
      expect(second.getState().webhook.error?.message).toBe(`Port ${port} is already in use`)
    } finally {
      await other.dispose()
      await engine.service.invoke('webhook.stop', {})
    }
  })
})

describe('lanes in applyBatch', () => {
  it('a poll whose lane is not on the timeline gets a row of its own; a webhook from nobody is a plain row', () => {
    let t = applyBatch(EMPTY_TIMELINE, { events: [queued('s9', 5, { lane: 's1' })], dropped: 0 })
    expect(t.order).toEqual(['s9'])
    t = applyBatch(t, {
      events: [queued('h1', 6, { kind: 'webhook', method: 'PUT', url: 'http://127.0.0.1:1/hooks/abcdefgh' })],
      dropped: 0,
    })
    expect(t.order).toEqual(['s9', 'h1'])
    expect(t.rows['s9']?.hooks).toBeUndefined()
    // A job event for a finished row still lands (the job outlives its first exchange).
    t = applyBatch(t, {
      events: [
        {
          type: 'cancelled',
          sid: 's9',
          t: 7,
          timings: { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, time: 2 },
        },
        { type: 'job', sid: 's9', t: 9, mode: 'follow', state: 'cancelled', polls: 0, message: 'Stopped' },
      ],
      dropped: 0,
    })
    expect(t.rows['s9']?.job?.state).toBe('cancelled')
    expect(clearFinished(t).order).toEqual(['h1'])
  })

  it("a webhook call the inbox cut is a row on its request's lane that says cut, why and from where", () => {
    const url = 'http://127.0.0.1:1/hooks/abcdefgh/done'
    const message = "Call from 127.0.0.1 cut (answered 413): its body passed the inbox's 16.0 MB limit"
    const t = applyBatch(EMPTY_TIMELINE, {
      events: [
        queued('s1', 1),
        queued('hcut1', 5, { kind: 'webhook', method: 'POST', url, initiator: 's1' }),
        {
          type: 'error',
          sid: 'hcut1',
          t: 6,
          code: 'body_too_large',
          message,
          detail: '127.0.0.1',
          timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, time: 1 },
        },
      ],
      dropped: 0,
    })
    expect(t.rows['s1']?.hooks).toEqual(['hcut1'])
    const cut = t.rows['hcut1']
    expect(cut?.state).toBe('error')
    expect(rowLabel(cut!)).toBe(`webhook POST ${url} caused by s1 cut`)
    expect([statusText(cut!), statusClass(cut!)]).toEqual(['cut', 'st-error'])
    // A cut call's time is how long it ran before it was cut, as its card's Cut after.
    expect(durationText(cut!)).toBe('1.0 ms')
    expect(cut?.terminal?.type === 'error' && [cut.terminal.message, cut.terminal.detail]).toEqual([
      message,
      '127.0.0.1',
    ])
  })

  it('a call to an unknown webhook URL is a row of its own that says 404 and the path called', () => {
    const url = 'http://127.0.0.1:1/hooks/staleToken12345/done'
    const t = applyBatch(EMPTY_TIMELINE, {
      events: [
        queued('hcut2', 5, { kind: 'webhook', method: 'POST', url }),
        {
          type: 'error',
          sid: 'hcut2',
          t: 5,
          code: 'not_found',
          message: 'Call from 127.0.0.1 refused (answered 404): it called a URL this inbox did not give out',
          detail: '127.0.0.1',
          timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, time: 0 },
        },
      ],
      dropped: 0,
    })
    const row = t.rows['hcut2']!
    expect(rowLabel(row)).toBe(`webhook POST ${url} to an unknown URL`)
    expect([statusText(row), statusClass(row)]).toEqual(['404', 'st-error'])
    expect(durationText(row)).toBe('—')
  })

  it('turns typed values into what the condition compares', () => {
    expect(scalarOf('42')).toBe(42)
    expect(scalarOf('true')).toBe(true)
    expect(scalarOf('null')).toBeNull()
    expect(scalarOf('"42"')).toBe('42')
    expect(scalarOf('done')).toBe('done')
    expect(followOptions({ ...DEFAULT_AFTER, untilPath: 'status' })).toEqual({
      ok: false,
      message: 'The done condition must be a JSONPath starting with $',
    })
    const f = followOptions({ ...DEFAULT_AFTER, untilStatus: '200, 303', source: 'json' })
    expect(f.ok && f.value).toMatchObject({
      statusUrl: { from: 'json', path: '$.links.status' },
      until: { status: [200, 303], jsonPath: '$.status', equals: 'succeeded' },
    })
    expect(longPollOptions({ ...DEFAULT_AFTER, untilPath: '' })).toEqual({
      ok: true,
      value: { maxRepeats: 10, deadlineMs: 60_000, stopOnError: false },
    })
  })
})
