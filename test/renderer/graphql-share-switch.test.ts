import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GraphqlComposer } from '../../src/renderer/graphql/GraphqlComposer'
import { activeSavedGraphql } from '../../src/renderer/graphql/graphql-slice'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * The GraphQL composer's Share connection switch (WebSocket transports): on by default, its state is the
 * request's `shareConnection` (written only when off), and with it off two subscriptions to one endpoint each
 * open a WebSocket of their own: the server sees two connection_init, and neither row is listed under a
 * shared connection.
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

function composerHtml(store: AppStore): string {
  return renderOverStore(store, createElement(GraphqlComposer))
}

function shareBox(html: string): string | undefined {
  return /<input[^>]*aria-label="Share connection"[^>]*>/.exec(html)?.[0]
}

async function send(store: AppStore, query: string): Promise<string> {
  store.getState().setGraphqlDraft({ query })
  await store.getState().sendGraphql()
  expect(store.getState().sendError).toBeNull()
  const sid = store.getState().selectedSid ?? ''
  await until(() => store.getState().timeline.rows[sid]?.queued !== undefined)
  return sid
}

describe("the GraphQL composer's Share connection switch", () => {
  it('is shown for WebSocket transports, on by default, and its state is the saved shareConnection', () => {
    const store = engine.store({ connect: false })
    store.getState().setKind('graphql')
    expect(shareBox(composerHtml(store))).toBeUndefined()
    store.getState().setGraphqlDraft({ transport: 'ws' })
    expect(shareBox(composerHtml(store))).toMatch(/checked/)
    expect(activeSavedGraphql(store.getState())).not.toHaveProperty('shareConnection')
    store.getState().setGraphqlDraft({ shareConnection: false })
    expect(shareBox(composerHtml(store))).not.toMatch(/checked/)
    expect(activeSavedGraphql(store.getState())).toMatchObject({ transport: 'ws', shareConnection: false })
    store.getState().setGraphqlDraft({ shareConnection: true })
    expect(activeSavedGraphql(store.getState())).not.toHaveProperty('shareConnection')
  })

  it('off: two subscriptions to one endpoint open a WebSocket each', async () => {
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(gql.url)
    store.getState().setGraphqlDraft({ transport: 'ws', shareConnection: false })
    const before = gql.connectionParams.length
    const a = await send(store, 'subscription A { count(to: 100000, delayMs: 10) }')
    const b = await send(store, 'subscription B { count(to: 100000, delayMs: 10) }')
    await until(() => gql.connectionParams.length === before + 2)
    const rows = store.getState().timeline.rows
    expect(rows[a]?.queued.connection).toBeUndefined()
    expect(rows[b]?.queued.connection).toBeUndefined()
    // Each has its own connection: stopping one leaves the other running.
    await store.getState().cancel(a)
    await until(() => store.getState().timeline.rows[a]?.end != null)
    expect(store.getState().timeline.rows[b]?.end).toBeNull()
    await store.getState().cancel(b)
    await until(() => store.getState().timeline.rows[b]?.end != null)
  })
})
