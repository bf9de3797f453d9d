import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '../../src/renderer/client/api-client'
import { createAppStore } from '../../src/renderer/store/app-store'
import { MAX_REPLAY_PAGE } from '../../src/shared/workspace-schemas'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { engineClient, until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A page that reloads gets its timeline back from the engine, page by page. Clear pressed while those pages are
 * still coming must not be undone by the pages that arrive after it. Real engine and server; the client holds
 * the second replay page back until Clear has been pressed, as a slow transport would.
 */

let engine: TestEngine
let server: Fixture

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
  const total = MAX_REPLAY_PAGE + 200
  const sent = await engine.service.invoke('http.send', {
    request: { method: 'GET', url: `${server.url}/hello`, headers: [], body: { kind: 'none' }, options: {} },
    count: Math.min(total, 1000),
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const sids = [...sent.value.sids]
  for (let n = 1000; n < total; n += 1000) {
    const more = await engine.service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${server.url}/hello`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
      count: Math.min(1000, total - n),
    })
    if (!more.ok) throw new Error(more.error.message)
    sids.push(...more.value.sids)
  }
  // Every session finished in the engine (what Clear takes away are the finished rows), not just sent.
  await Promise.all(sids.map((sid) => engine.service.http.waitFor(sid)))
  expect(server.requests.length).toBeGreaterThanOrEqual(total)
}, 90_000)

afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('Clear while the timeline is being replayed', () => {
  it('keeps the cleared rows cleared when later replay pages arrive', async () => {
    const real = engineClient(engine.service)
    let releaseSecondPage: () => void = () => undefined
    const secondPageHeld = new Promise<void>((resolve) => (releaseSecondPage = resolve))
    let replays = 0
    const client: ApiClient = {
      on: real.on,
      invoke: (async (name: string, payload: unknown) => {
        if (name === 'timeline.replay' && ++replays === 2) await secondPageHeld
        return (real.invoke as (n: string, p: unknown) => Promise<unknown>)(name, payload)
      }) as ApiClient['invoke'],
    }
    const store = createAppStore(client, { localNow: () => 0 })
    store.getState().connect()
    await until(() => Object.keys(store.getState().timeline.rows).length >= MAX_REPLAY_PAGE - 1, 20_000)
    store.getState().clearFinished()
    expect(Object.keys(store.getState().timeline.rows)).toHaveLength(0)
    releaseSecondPage()
    await until(() => store.getState().replayedSessions !== null, 20_000)
    expect(Object.keys(store.getState().timeline.rows)).toHaveLength(0)
  }, 60_000)
})
