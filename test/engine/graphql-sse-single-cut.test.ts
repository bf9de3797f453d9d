import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { StreamOutcome } from '../../src/engine/streams/stream-engine'
import { startGraphqlSseServer, type GraphqlSseFixture } from '../fixtures/graphql-sse-server'
import { within } from '../fixtures/test-timers'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * GraphQL over SSE's single connection mode routes each result to its operation by the `id` read back from the
 * shared stream's log. Past that log's cut an event is not kept, so nothing can be routed: before, every
 * operation on the stream waited for a `next` or `complete` that never came. Now each ends at once with an error
 * that names the cut, and the stream (useless for routing) is closed; a later operation reserves a new one.
 * Real graphql-sse server; the log's limit made small through the engine's options.
 */

const CAP = 40

let server: GraphqlSseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startGraphqlSseServer()
  service = makeService({ persistWorkspace: false, watchCollections: false, streamLogs: { maxEntries: CAP } })
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

async function subscribe(query: string): Promise<string> {
  const r = await service.invoke('graphql.send', {
    url: server.url,
    query,
    transport: 'sse-single',
    headers: [],
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value.sid
}

/** The outcome, or a failure after `ms` (the hang this guards against). */
function settleWithin(sid: string, ms: number): Promise<StreamOutcome> {
  return within(settle(service, sid), ms, () => {
    throw new Error(`${sid} did not end in ${ms} ms`)
  })
}

const connectionOf = (sid: string): string => {
  const q = rec.of(sid).find((e) => e.type === 'queued')
  return q?.type === 'queued' ? (q.connection ?? '') : ''
}

describe('GraphQL over SSE on one shared stream, past the stream log’s cut', () => {
  it('every operation on it ends with an error naming the cut; the next operation gets a new stream', async () => {
    const a = await subscribe('subscription A { count(to: 300) }')
    const b = await subscribe('subscription B { count(to: 100000, delayMs: 5) }')
    const outcomes = [await settleWithin(a, 10_000), await settleWithin(b, 10_000)]
    const stream = connectionOf(a)
    expect(stream).not.toBe('')
    expect(connectionOf(b)).toBe(stream)
    for (const outcome of outcomes) {
      expect(outcome.final.type).toBe('error')
      expect(outcome.final.type === 'error' ? outcome.final.message : '').toBe(
        `The event stream ${stream} stopped keeping events, its log is full (40 messages): results past it cannot be routed to this subscription`,
      )
    }
    const closed = await settleWithin(stream, 10_000)
    expect(closed.final.type).toBe('done')
    expect(rec.of(stream).find((e) => e.type === 'stream-closed')).toMatchObject({
      reason: 'Stopped keeping events, its log is full (40 messages): results can no longer be routed',
    })

    // A new operation does not join the cut stream.
    const c = await subscribe('subscription C { count(to: 3) }')
    expect((await settleWithin(c, 10_000)).final.type).toBe('done')
    expect(connectionOf(c)).not.toBe(stream)
  })
})
