import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { StreamEntry } from '../../src/shared/streams'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGraphqlSseServer, type GraphqlSseFixture } from '../fixtures/graphql-sse-server'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

let sseServer: GraphqlSseFixture
let yoga: GraphqlFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  sseServer = await startGraphqlSseServer()
  yoga = await startGraphqlServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await sseServer.close()
  await yoga.close()
})

type Send = CommandRequest<'graphql.send'>

async function subscribe(extra: Partial<Send>): Promise<string> {
  const r = await service.invoke('graphql.send', {
    url: sseServer.url,
    query: 'subscription { count(to: 3) }',
    transport: 'sse-single',
    headers: [],
    ...extra,
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value.sid
}

async function allEntries(sid: string): Promise<StreamEntry[]> {
  const out: StreamEntry[] = []
  for (let from = 0; ;) {
    const page = await readLog(service, sid, from, 2000)
    out.push(...page)
    if (page.length < 2000) return out
    from += page.length
  }
}

/** The `field` of every `next` result, in order: single connection mode wraps each as `{id, payload}`. */
async function values(sid: string, field: string): Promise<unknown[]> {
  const out: unknown[] = []
  for (const e of await allEntries(sid)) {
    if (e.event !== 'next') continue
    const o = JSON.parse(e.data) as {
      payload?: { data?: Record<string, unknown> }
      data?: Record<string, unknown>
    }
    out.push((o.payload?.data ?? o.data)?.[field])
  }
  return out
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

describe('GraphQL over SSE, single connection mode (graphql-sse createHandler)', () => {
  it('reserves a stream (PUT 201 and a token), opens it, POSTs the operation: 1,000 results in order, complete ends it done', async () => {
    const before = sseServer.requests.length
    const sid = await subscribe({ query: 'subscription Count { count(to: 1000) }' })
    const outcome = await settle(service, sid)
    expect(outcome.final.type === 'error' ? outcome.final.message : outcome.final.type).toBe('done')
    const queued = rec.of(sid).find((e) => e.type === 'queued')
    expect(queued).toMatchObject({ name: 'subscription Count', kind: 'sse', method: 'POST' })
    // The operation is listed under its reserved stream, the GET with the token.
    const stream = queued?.type === 'queued' ? (queued.connection ?? '') : ''
    expect(rec.of(stream).find((e) => e.type === 'queued')).toMatchObject({
      name: 'GraphQL event stream',
      method: 'GET',
    })
    expect(await values(sid, 'count')).toEqual(range(1000))
    const entries = await allEntries(sid)
    expect(entries.filter((e) => e.event === 'complete')).toHaveLength(1)
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ reason: 'The server completed the subscription' })
    // The reservation is a row of its own; the operation's POST is drawn on the operation's lane.
    const put = rec.events.find((e) => e.type === 'queued' && e.method === 'PUT' && e.t >= 0)
    expect(put).toMatchObject({ name: 'reserve a GraphQL event stream' })
    const post = rec.events.find((e) => e.type === 'queued' && e.method === 'POST' && e.lane === sid)
    expect(post).toMatchObject({ name: 'POST subscription Count' })
    const seen = sseServer.requests.slice(before)
    expect(seen).toContain('PUT 201')
    expect(seen).toContain('POST 202')
    await expect.poll(() => sseServer.active()).toBe(0)
    // Its last operation ended: the stream is closed.
    expect((await settle(service, stream)).final.type).toBe('done')
    expect(rec.of(stream).find((e) => e.type === 'stream-closed')).toMatchObject({
      reason: 'Its last operation ended',
    })
  })

  it('two subscriptions share one reserved stream: one PUT; Stop on one DELETEs it, the other goes on', async () => {
    const before = sseServer.requests.length
    const [a, b] = await Promise.all([
      subscribe({ query: 'subscription A { count(to: 100000, delayMs: 5) }' }),
      subscribe({ query: 'subscription B { count(to: 100000, delayMs: 5) }' }),
    ])
    await rec.until(a, (e) => e.type === 'sse-event' && e.event === 'next', 3)
    await rec.until(b, (e) => e.type === 'sse-event' && e.event === 'next', 3)
    const stream = (sid: string): string => {
      const q = rec.of(sid).find((e) => e.type === 'queued')
      return q?.type === 'queued' ? (q.connection ?? '') : ''
    }
    expect(stream(a)).not.toBe('')
    expect(stream(b)).toBe(stream(a))
    expect(sseServer.requests.slice(before).filter((r) => r.startsWith('PUT'))).toHaveLength(1)
    expect(sseServer.active()).toBe(2)
    await service.invoke('session.cancel', { sid: a })
    expect((await settle(service, a)).final.type).toBe('done')
    await expect.poll(() => sseServer.active()).toBe(1)
    expect(sseServer.requests).toContain('DELETE 200')
    const seen = rec
      .of(b)
      .filter((e) => e.type === 'sse-event')
      .reduce((k, e) => k + (e.type === 'sse-event' ? (e.count ?? 1) : 0), 0)
    await rec.until(b, (e) => e.type === 'sse-event', seen + 3)
    // Stop on the stream ends the other as closed by you.
    await service.invoke('session.cancel', { sid: stream(a) })
    expect((await settle(service, b)).final.type).toBe('done')
    expect(rec.of(b).find((e) => e.type === 'stream-closed')).toMatchObject({
      by: 'client',
      reason: 'The event stream was closed by you',
    })
    await expect.poll(() => sseServer.active()).toBe(0)
  })

  it('Stop DELETEs the operation: the server ends it', async () => {
    const sid = await subscribe({ query: 'subscription { count(to: 100000, delayMs: 5) }' })
    await rec.until(sid, (e) => e.type === 'sse-event' && e.event === 'next', 5)
    expect(sseServer.active()).toBeGreaterThan(0)
    await service.invoke('session.cancel', { sid })
    expect((await settle(service, sid)).final.type).toBe('done')
    await expect.poll(() => sseServer.active()).toBe(0)
  })

  it('a server that drops the stream mid-subscription ends it with an error that says so', async () => {
    const sid = await subscribe({ query: 'subscription { dropAfter(n: 5) }' })
    const outcome = await settle(service, sid)
    expect(outcome.final.type).toBe('error')
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /The event stream ended before the subscription completed/,
    )
    expect(await values(sid, 'dropAfter')).toEqual([1, 2, 3, 4, 5])
  })

  it('an operation the server refuses (a validation error on the POST) fails the session with the GraphQL error', async () => {
    const sid = await subscribe({ query: 'subscription { nope }' })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'graphql' })
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(/Cannot query field "nope"/)
  })

  it('a server without single connection mode (yoga answers the PUT otherwise) is refused with words', async () => {
    const r = await service.invoke('graphql.send', {
      url: yoga.url,
      query: 'subscription { count(to: 3) }',
      transport: 'sse-single',
      headers: [],
    })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error.message).toMatch(/stream reservation \(PUT\) with \d+, not 201/)
  })
})

describe('GraphQL over SSE, distinct connections mode', () => {
  it('graphql-sse createHandler: 1,000 results in order, then complete', async () => {
    const sid = await subscribe({ query: 'subscription { count(to: 1000) }', transport: 'sse' })
    const outcome = await settle(service, sid)
    expect(outcome.final.type === 'error' ? outcome.final.message : outcome.final.type).toBe('done')
    expect(await values(sid, 'count')).toEqual(range(1000))
  })

  it('a stream the server ends cleanly before complete is an error, not a quiet done', async () => {
    const sid = await subscribe({ url: sseServer.url.replace('/graphql', '/ends-early'), transport: 'sse' })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({
      type: 'error',
      message: 'The server ended the event stream before the subscription completed',
    })
    expect(await values(sid, 'count')).toEqual([1, 2])
  })

  it('a stream dropped before complete is an error (graphql-sse and yoga)', async () => {
    const a = await subscribe({ query: 'subscription { dropAfter(n: 3) }', transport: 'sse' })
    const oa = await settle(service, a)
    expect(oa.final.type).toBe('error')
    expect(await values(a, 'dropAfter')).toEqual([1, 2, 3])
    const b = await subscribe({
      url: yoga.url,
      query: 'subscription { count(to: 100000, delayMs: 5) }',
      transport: 'sse',
    })
    await rec.until(b, (e) => e.type === 'sse-event' && e.event === 'next', 3)
    yoga.dropAll()
    const ob = await settle(service, b)
    expect(ob.final.type).toBe('error')
  })
})

describe('errors inside a subscription result', () => {
  it.each(['sse', 'sse-single'] as const)(
    '%s: results carrying errors are counted on their ticks, with or without data',
    async (transport) => {
      for (const bare of [false, true]) {
        const sid = await subscribe({ query: `subscription { flaky(to: 6, bare: ${bare}) }`, transport })
        expect((await settle(service, sid)).final.type).toBe('done')
        // A tick may stand for several messages (the last one's type is on it): every tick counts.
        const ticks = rec.of(sid).filter((e) => e.type === 'sse-event')
        const marked = ticks.reduce((k, e) => k + (e.type === 'sse-event' ? (e.errors ?? 0) : 0), 0)
        expect(marked).toBe(3)
        const [summary] = await rec.until(sid, (e) => e.type === 'graphql')
        expect(summary).toMatchObject({
          errorCount: 3,
          note: '3 of 6 results carried errors',
        })
      }
    },
  )
})
