import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import { errorBuckets } from '../../src/renderer/streams/lane-ticks'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * GraphQL subscriptions in the app: two sent to one endpoint share its WebSocket and are listed as sibling
 * lanes under the connection's row (an HTTP request sent between them stays where it was); results that carry
 * errors are red ticks on the lane and counted in the stream pane.
 */

let engine: TestEngine
let gql: GraphqlFixture

beforeAll(async () => {
  gql = await startGraphqlServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await gql.close()
})

async function send(store: AppStore, query: string, transport: 'ws' | 'http' = 'ws'): Promise<string> {
  store.getState().setGraphqlDraft({ query, transport })
  await store.getState().sendGraphql()
  expect(store.getState().sendError).toBeNull()
  const sid = store.getState().selectedSid ?? ''
  await until(() => store.getState().timeline.rows[sid]?.queued !== undefined)
  return sid
}

function paneText(store: AppStore): string {
  return renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream'))
}

describe('GraphQL subscriptions in the app', () => {
  it('two subscriptions to one endpoint are sibling lanes under their shared connection', async () => {
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(gql.url)
    const a = await send(store, 'subscription A { count(to: 100000, delayMs: 10) }')
    const query = await send(store, 'query Q { hello }', 'http')
    const b = await send(store, 'subscription B { count(to: 100000, delayMs: 10) }')
    const rows = store.getState().timeline.rows
    const conn = rows[a]?.queued.connection ?? ''
    expect(conn).not.toBe('')
    expect(rows[b]?.queued.connection).toBe(conn)
    // The connection's row, then its operations, then the query sent between them.
    const order = store.getState().timeline.order
    expect(order.slice(order.indexOf(conn), order.indexOf(conn) + 4)).toEqual([conn, a, b, query])
    // An operation has no handshake of its own: its row says 101 once it opened, while it runs.
    await until(() => store.getState().timeline.rows[b]?.status === 101)
    expect(store.getState().timeline.rows[b]?.end).toBeNull()
    await store.getState().cancel(conn)
    await until(() => [a, b, conn].every((sid) => store.getState().timeline.rows[sid]?.end !== null))
  })

  it('results carrying errors are red ticks and counted in the stream pane', async () => {
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(gql.url)
    const sid = await send(store, 'subscription { flaky(to: 6) }')
    await until(() => store.getState().timeline.rows[sid]?.end != null)
    await until(() => (store.getState().streamLanes[sid]?.resultErrors ?? 0) === 3)
    const lane = store.getState().streamLanes[sid]
    expect(errorBuckets(lane ?? (undefined as never)).reduce((k, [, n]) => k + n, 0)).toBe(3)
    expect(paneText(store)).toContain('3 results with errors')
    // The row is marked as a query with errors is (the status column's ⚠ and its hover).
    await until(() => store.getState().timeline.rows[sid]?.graphql !== undefined)
    expect(store.getState().timeline.rows[sid]?.graphql).toMatchObject({ errorCount: 3 })
  })
})
