import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { StreamEntry } from '../../src/shared/streams'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

let server: GraphqlFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startGraphqlServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

type Send = CommandRequest<'graphql.send'>

async function subscribe(extra: Partial<Send>): Promise<string> {
  const r = await service.invoke('graphql.send', {
    url: server.wsUrl,
    query: 'subscription Count { count(to: 3) }',
    transport: 'ws',
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

/** The values of `field` in the session's results, in order, read from its log. */
async function values(sid: string, field: string): Promise<unknown[]> {
  const out: unknown[] = []
  for (const e of await allEntries(sid)) {
    if (e.dir !== 'in' || (e.event !== 'next' && e.event !== 'data')) continue
    const r = await service.invoke('stream.data', {
      sid,
      seq: e.seq,
      offset: 0,
      length: 1 << 20,
      encoding: 'utf8',
    })
    if (!r.ok) throw new Error(r.error.message)
    const o = JSON.parse(r.value.data) as {
      payload?: { data?: Record<string, unknown> }
      data?: Record<string, unknown>
    }
    // A WebSocket message carries the result in its payload; an SSE `next` event is the result itself.
    out.push((o.payload?.data ?? o.data)?.[field])
  }
  return out
}

const final = (sid: string): TimelineEvent | undefined =>
  rec.of(sid).find((e) => e.type === 'done' || e.type === 'error' || e.type === 'cancelled')

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

describe('GraphQL subscriptions', () => {
  it('graphql-transport-ws: handshake with connection params, 1,000 results in order, complete ends it done', async () => {
    const sid = await subscribe({
      query: 'subscription Count { count(to: 1000) }',
      connectionParams: { token: 'secret-1' },
      transport: 'ws',
    })
    const outcome = await settle(service, sid)
    expect(outcome.final.type).toBe('done')
    const open = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(open?.type === 'stream-open' && open.protocol).toBe('graphql-transport-ws')
    expect(rec.of(sid).find((e) => e.type === 'queued')).toMatchObject({
      name: 'subscription Count',
      kind: 'ws',
    })
    expect(server.connectionParams).toContainEqual({ token: 'secret-1' })
    const entries = await allEntries(sid)
    const types = entries.filter((e) => e.kind === 'text').map((e) => `${e.dir}:${e.event}`)
    expect(types.slice(0, 3)).toEqual(['out:connection_init', 'in:connection_ack', 'out:subscribe'])
    expect(types.at(-1)).toBe('in:complete')
    expect(await values(sid, 'count')).toEqual(range(1000))
  })

  it('legacy graphql-ws: 1,000 results in order, ka keep-alives logged as pings (quiet), complete ends it done', async () => {
    const sid = await subscribe({
      url: server.legacyUrl,
      query: 'subscription { count(to: 1000, delayMs: 0) }',
      transport: 'legacy-ws',
      connectionParams: { token: 'legacy-token' },
    })
    const outcome = await settle(service, sid)
    expect(outcome.final.type).toBe('done')
    const open = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(open?.type === 'stream-open' && open.protocol).toBe('graphql-ws')
    expect(rec.of(sid).find((e) => e.type === 'queued')).toMatchObject({ name: 'subscription' })
    const entries = await allEntries(sid)
    const ka = entries.filter((e) => e.event === 'ka')
    expect(ka.length).toBeGreaterThan(0)
    expect(ka.every((e) => e.kind === 'ping')).toBe(true)
    expect(await values(sid, 'count')).toEqual(range(1000))
    expect(server.connectionParams).toContainEqual({ token: 'legacy-token' })
  })

  it('auto-detects the protocol: offering both, the legacy server picks graphql-ws', async () => {
    const sid = await subscribe({ url: server.legacyUrl, transport: 'ws' })
    expect((await settle(service, sid)).final.type).toBe('done')
    const open = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(open?.type === 'stream-open' && open.protocol).toBe('graphql-ws')
    expect(await values(sid, 'count')).toEqual([1, 2, 3])
  })

  it('GraphQL over SSE (distinct connections): 1,000 results in order, then complete', async () => {
    const sid = await subscribe({
      url: server.url,
      query: 'subscription S { count(to: 1000) }',
      transport: 'sse',
    })
    const outcome = await settle(service, sid)
    expect(outcome.final.type === 'error' ? outcome.final.message : 'done').toBe('done')
    expect(rec.of(sid).find((e) => e.type === 'queued')).toMatchObject({
      name: 'subscription S',
      kind: 'sse',
      method: 'POST',
    })
    const entries = await allEntries(sid)
    expect(entries.filter((e) => e.event === 'complete')).toHaveLength(1)
    expect(await values(sid, 'count')).toEqual(range(1000))
  })

  it('a query over a WebSocket: one result, then done', async () => {
    const sid = await subscribe({ query: '{ hello }', transport: 'transport-ws' })
    expect((await settle(service, sid)).final.type).toBe('done')
    expect(await values(sid, 'hello')).toEqual(['world'])
    // An http URL typed with one slash is opened as ws://, as http:// is.
    const url = server.wsUrl.replace(/^ws:\/\//, 'http:/')
    const typo = await subscribe({ url, query: '{ hello }', transport: 'transport-ws' })
    expect((await settle(service, typo)).final.type).toBe('done')
  })

  it("refuses a header the handshake writes itself, and a Sec-WebSocket-Protocol (the transport's), naming it", async () => {
    // `ws` put its own over both without a word.
    for (const [name, value] of [
      ['Connection', 'keep-alive'],
      ['Sec-WebSocket-Protocol', 'graphql-ws'],
    ] as const) {
      const sid = await subscribe({ transport: 'transport-ws', headers: [{ name, value, enabled: true }] })
      const { final } = await settle(service, sid)
      expect(final.type === 'error' && final.message).toMatch(new RegExp(`^Header "${name}" cannot be set: `))
      expect(rec.of(sid).some((e) => e.type === 'request-sent')).toBe(false)
    }
  })

  it('a server that drops mid-subscription ends it with an error that says so', async () => {
    const sid = await subscribe({ query: 'subscription { dropAfter(n: 5) }' })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'reset' })
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /dropped before the subscription completed/,
    )
    expect(await values(sid, 'dropAfter')).toEqual([1, 2, 3, 4, 5])
  })

  it('reconnects with backoff after a drop and subscribes again', async () => {
    const sid = await subscribe({
      query: 'subscription { dropAfter(n: 2) }',
      subscription: { reconnect: true, maxRetries: 1, backoffMs: 10 },
    })
    // Every connection delivers its two results and drops: the reconnect subscribes again.
    await rec.until(sid, (e) => e.type === 'retry', 2)
    await service.invoke('session.cancel', { sid })
    await settle(service, sid)
    const retry = rec.of(sid).find((e) => e.type === 'retry')
    expect(retry).toMatchObject({
      attempt: 1,
      reason: expect.stringMatching(/dropped before the subscription completed/),
    })
    expect((await values(sid, 'dropAfter')).slice(0, 4)).toEqual([1, 2, 1, 2])
    const subscribes = (await allEntries(sid)).filter((e) => e.dir === 'out' && e.event === 'subscribe')
    expect(subscribes.length).toBeGreaterThanOrEqual(2)
  })

  it('a protocol violation (an unknown message type) is a visible protocol error, not a silent close', async () => {
    const sid = await subscribe({
      url: server.legacyUrl.replace('/legacy', '/legacy-bad'),
      transport: 'legacy-ws',
    })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /"surprise", which the legacy graphql-ws protocol has no message for/,
    )
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'client', code: 4400 })
  })

  it('a result before the ack is a protocol error', async () => {
    const sid = await subscribe({
      url: server.wsUrl.replace('/graphql', '/transport-bad'),
      transport: 'transport-ws',
    })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /sent next before acknowledging the connection/,
    )
  })

  it('a server that never acknowledges times out with words', async () => {
    const sid = await subscribe({
      url: server.wsUrl.replace('/graphql', '/no-ack'),
      transport: 'transport-ws',
      subscription: { ackTimeoutMs: 100 },
    })
    const outcome = await settle(service, sid)
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /did not acknowledge connection_init within 100 ms/,
    )
  })

  it('refused connection params: graphql-transport-ws closes 4403, legacy sends connection_error', async () => {
    const a = await subscribe({ connectionParams: { token: 'wrong' } })
    const oa = await settle(service, a)
    expect(oa.final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(oa.final.type === 'error' && oa.final.message).toMatch(/4403/)
    const b = await subscribe({
      url: server.legacyUrl,
      transport: 'legacy-ws',
      connectionParams: { token: 'wrong' },
    })
    const ob = await settle(service, b)
    expect(ob.final).toMatchObject({ type: 'error', code: 'auth' })
  })

  it('an operation error (a validation error) ends the session with the GraphQL errors', async () => {
    const sid = await subscribe({ query: 'subscription { nope }' })
    const outcome = await settle(service, sid)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'graphql' })
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(/Cannot query field "nope"/)
  })

  it('Stop sends complete for the operation and closes normally', async () => {
    const sid = await subscribe({ query: 'subscription { count(to: 100000, delayMs: 5) }' })
    await rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', 5)
    const r = await service.invoke('session.cancel', { sid })
    expect(r.ok && r.value.cancelled).toBe(true)
    const outcome = await settle(service, sid)
    expect(outcome.final.type).toBe('done')
    const out = (await allEntries(sid)).filter((e) => e.dir === 'out').map((e) => e.event ?? e.kind)
    expect(out).toContain('stop')
    expect(final(sid)?.type).toBe('done')
  })
})
