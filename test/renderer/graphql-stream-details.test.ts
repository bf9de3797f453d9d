import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * The stream pane of a GraphQL subscription over WebSocket has no Send tab: its socket carries only the
 * protocol's messages, which the engine keeps (a Send tab there only said there was no open session). A plain
 * WebSocket keeps its Send tab.
 */

let engine: TestEngine
let gql: GraphqlFixture
let ws: WsFixture

beforeAll(async () => {
  gql = await startGraphqlServer()
  ws = await startWsServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await gql.close()
  await ws.close()
})

const tabsOf = (store: AppStore): string[] => {
  const html = renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream'))
  return [...html.matchAll(/role="tab"[^>]*>([^<]+)</g)].map((m) => m[1] ?? '')
}

describe("a GraphQL subscription's stream pane", () => {
  it('has Messages and Handshake but no Send tab', async () => {
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(gql.url)
    store.getState().setGraphqlDraft({ query: 'subscription { count(to: 3, delayMs: 50) }', transport: 'ws' })
    await store.getState().sendGraphql()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.rows[sid]?.queued !== undefined)
    expect(store.getState().timeline.rows[sid]?.queued.kind).toBe('ws')
    expect(tabsOf(store)).toEqual(['Messages', 'Handshake'])
    await until(() => store.getState().timeline.rows[sid]?.end !== null)
  })

  it('a plain WebSocket session keeps its Send tab', async () => {
    const store = engine.store()
    store.getState().setKind('ws')
    store.getState().setUrl(`${ws.url}/echo`)
    await store.getState().openStream()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.rows[sid]?.queued !== undefined)
    expect(tabsOf(store)).toEqual(['Messages', 'Send', 'Handshake'])
    await store.getState().cancel(sid)
  })
})
