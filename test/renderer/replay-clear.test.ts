import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_REPLAY_PAGE } from '../../src/shared/workspace-schemas'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { until } from './engine-client'
import { heldReplayPage, replayed, sendGets } from './replay-pages'
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
  const sids: string[] = []
  for (let n = 0; n < total; n += 1000)
    sids.push(...(await sendGets(engine, `${server.url}/hello`, Math.min(1000, total - n))))
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
    // The second replay page is held back until Clear has been pressed.
    const { store, release: releaseSecondPage } = heldReplayPage(engine, 2)
    await until(() => Object.keys(store.getState().timeline.rows).length >= MAX_REPLAY_PAGE - 1, 20_000)
    store.getState().clearFinished()
    expect(Object.keys(store.getState().timeline.rows)).toHaveLength(0)
    releaseSecondPage()
    await replayed(store, 20_000)
    expect(Object.keys(store.getState().timeline.rows)).toHaveLength(0)
  }, 60_000)
})
