import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { StreamEntry } from '../../src/shared/streams'
import type { QueuedEvent, TimelineEvent } from '../../src/shared/timeline'
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
    query: 'subscription { count(to: 100000, delayMs: 5) }',
    transport: 'transport-ws',
    headers: [],
    subscription: { shareConnection: true },
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

const queued = (sid: string): QueuedEvent | undefined =>
  rec.of(sid).find((e): e is QueuedEvent => e.type === 'queued')
const results = (sid: string, n: number): Promise<TimelineEvent[]> =>
  rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in', n)
/** connection_init payloads the server received with this token: one per connection. */
const connections = (token: string): number =>
  server.connectionParams.filter((p) => (p as { token?: string } | undefined)?.token === token).length

describe.each([
  ['graphql-transport-ws', 'transport-ws', () => server.wsUrl],
  ['legacy graphql-ws', 'legacy-ws', () => server.legacyUrl],
] as const)('several subscriptions over one WebSocket (%s)', (_name, transport, url) => {
  it('two subscriptions share one connection: each its own session under the connection; stopping one leaves the other running; the last one closes the connection', async () => {
    const token = `mux-${transport}-1`
    const a = await subscribe({ url: url(), transport, connectionParams: { token } })
    const b = await subscribe({
      url: url(),
      transport,
      connectionParams: { token },
      query: 'subscription Other { count(to: 100000, delayMs: 5) }',
    })
    await results(a, 3)
    await results(b, 3)
    // The server saw one connection, and the two operations are sessions of their own under it.
    expect(connections(token)).toBe(1)
    const conn = queued(a)?.connection
    expect(conn).toBeDefined()
    expect(queued(b)?.connection).toBe(conn)
    expect(queued(conn ?? '')).toMatchObject({ name: 'GraphQL connection', kind: 'ws' })
    expect(queued(b)).toMatchObject({ name: 'subscription Other' })
    // The handshake is on the connection's lane, each operation's messages on its own.
    const connLog = await readLog(service, conn ?? '', 0, 50)
    expect(connLog.map((e) => e.event).slice(0, 2)).toEqual(['connection_init', 'connection_ack'])
    expect((await readLog(service, a, 0, 5))[0]?.event).toBe(
      transport === 'legacy-ws' ? 'subscribe' : 'subscribe',
    )

    await service.invoke('session.cancel', { sid: a })
    expect((await settle(service, a)).final.type).toBe('done')
    // b goes on after a stopped: more results arrive on it, over the same connection.
    const seen = rec.of(b).filter((e) => e.type === 'ws-message' && e.dir === 'in').length
    await rec.until(b, (e) => e.type === 'ws-message' && e.dir === 'in', seen + 3)
    expect(service.streams.has(conn ?? '') && rec.of(conn ?? '').some((e) => e.type === 'done')).toBe(false)
    const stops = (await allEntries(a)).filter((e) => e.dir === 'out' && e.event === 'stop')
    expect(stops).toHaveLength(1)

    await service.invoke('session.cancel', { sid: b })
    expect((await settle(service, b)).final.type).toBe('done')
    // The last operation ended: the connection closes.
    const closed = await settle(service, conn ?? '')
    expect(closed.final.type).toBe('done')
    expect(rec.of(conn ?? '').find((e) => e.type === 'stream-closed')).toMatchObject({
      reason: 'Its last operation ended',
    })
  })
})

describe('a shared connection that ends', () => {
  it('the server dropping the socket ends every operation on it with an error and a closed marker', async () => {
    const token = 'mux-drop'
    const a = await subscribe({ connectionParams: { token } })
    const b = await subscribe({ connectionParams: { token } })
    await results(a, 2)
    await results(b, 2)
    expect(connections(token)).toBe(1)
    server.dropAll()
    for (const sid of [a, b]) {
      const o = await settle(service, sid)
      expect(o.final.type).toBe('error')
      expect(o.final.type === 'error' && o.final.message).toMatch(
        /The connection ended before the subscription completed/,
      )
      expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toBeDefined()
    }
    const conn = queued(a)?.connection ?? ''
    expect((await settle(service, conn)).final.type).toBe('error')
  })

  it('closing the connection (its Stop) stops every operation on it, each ending with a closed marker', async () => {
    const token = 'mux-close'
    const a = await subscribe({ connectionParams: { token } })
    const b = await subscribe({ connectionParams: { token } })
    await results(a, 2)
    await results(b, 2)
    const conn = queued(a)?.connection ?? ''
    await service.invoke('session.cancel', { sid: conn })
    for (const sid of [a, b]) {
      expect((await settle(service, sid)).final.type).toBe('done')
      expect(rec.of(sid).find((e) => e.type === 'stream-closed')).toMatchObject({
        by: 'client',
        reason: 'The connection was closed by you',
      })
      const out = (await allEntries(sid)).filter((e) => e.dir === 'out').map((e) => e.event)
      expect(out).toContain('stop')
    }
    expect((await settle(service, conn)).final.type).toBe('done')
  })

  it('an operation the server refuses ends alone; the connection and its other operation go on', async () => {
    const token = 'mux-refuse'
    const a = await subscribe({ connectionParams: { token } })
    await results(a, 2)
    const bad = await subscribe({ connectionParams: { token }, query: 'subscription { nope }' })
    const o = await settle(service, bad)
    expect(o.final).toMatchObject({ type: 'error', code: 'graphql' })
    const seen = rec.of(a).filter((e) => e.type === 'ws-message' && e.dir === 'in').length
    await rec.until(a, (e) => e.type === 'ws-message' && e.dir === 'in', seen + 3)
    expect(connections(token)).toBe(1)
    await service.invoke('session.cancel', { sid: a })
    await settle(service, a)
  })

  it('50 subscriptions over one connection: one connection_init, every result to its own operation, in order', async () => {
    const token = 'mux-50'
    const sids = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        subscribe({ connectionParams: { token }, query: `subscription S${i} { count(to: ${20 + i}) }` }),
      ),
    )
    for (const sid of sids) expect((await settle(service, sid)).final.type).toBe('done')
    expect(connections(token)).toBe(1)
    const conn = queued(sids[0] ?? '')?.connection ?? ''
    expect(sids.every((sid) => queued(sid)?.connection === conn)).toBe(true)
    for (const [i, sid] of sids.entries()) {
      const next = (await allEntries(sid)).filter((e) => e.event === 'next')
      expect(
        next.map((e) => (JSON.parse(e.data) as { payload: { data: { count: number } } }).payload.data.count),
      ).toEqual(Array.from({ length: 20 + i }, (_, k) => k + 1))
    }
    expect((await settle(service, conn)).final.type).toBe('done')
  })

  it('different connection params are different connections; without shareConnection each has its own', async () => {
    const a = await subscribe({
      connectionParams: { token: 'mux-p1' },
      query: 'subscription { count(to: 3) }',
    })
    const b = await subscribe({
      connectionParams: { token: 'mux-p2' },
      query: 'subscription { count(to: 3) }',
    })
    const c = await subscribe({
      connectionParams: { token: 'mux-p3' },
      query: 'subscription { count(to: 3) }',
      subscription: {},
    })
    const d = await subscribe({
      connectionParams: { token: 'mux-p3' },
      query: 'subscription { count(to: 3) }',
      subscription: {},
    })
    for (const sid of [a, b, c, d]) expect((await settle(service, sid)).final.type).toBe('done')
    expect(queued(a)?.connection).not.toBe(queued(b)?.connection)
    expect(queued(c)?.connection).toBeUndefined()
    expect(connections('mux-p3')).toBe(2)
  })
})

describe('errors inside a subscription result (WebSocket)', () => {
  it.each([
    ['transport-ws', true],
    ['transport-ws', false],
    ['legacy-ws', false],
  ] as const)(
    '%s (shared: %s): results carrying errors are counted on their ticks, with or without data',
    async (transport, share) => {
      for (const bare of [false, true]) {
        const sid = await subscribe({
          url: transport === 'legacy-ws' ? server.legacyUrl : server.wsUrl,
          transport,
          query: `subscription { flaky(to: 6, bare: ${bare}) }`,
          subscription: { shareConnection: share },
        })
        expect((await settle(service, sid)).final.type).toBe('done')
        const marked = rec.of(sid).reduce((k, e) => k + (e.type === 'ws-message' ? (e.errors ?? 0) : 0), 0)
        expect(marked).toBe(3)
        // Once it ends, the row is marked as a query with errors is: how many, the first.
        const [summary] = await rec.until(sid, (e) => e.type === 'graphql')
        expect(summary).toMatchObject({
          errorCount: 3,
          note: '3 of 6 results carried errors',
          errors: [{ message: 'Item 2 failed', path: ['flaky'] }, {}, {}],
        })
      }
    },
  )
})
