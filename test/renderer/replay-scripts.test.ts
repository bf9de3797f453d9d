import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { until } from './engine-client'
import { openedPage } from './replay-pages'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A request's scripts run in two phases, each reported by its own `script` event. A page that reloads gets the
 * row back from the engine's timeline replay: both reports must come back, not only the latest (the
 * pre-request script's console and tests were lost on a reload). Real engine and server.
 */

let engine: TestEngine
let server: Fixture

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('a reloaded page’s row of a request with scripts', () => {
  it('has the pre-request and the post-response reports, as the live page had them', async () => {
    const live = await openedPage(engine)
    const sent = await engine.service.invoke('request.send', {
      request: {
        method: 'GET',
        url: `${server.url}/hello`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
      auth: { type: 'none' },
      scripts: {
        preRequest: "console.log('before it went'); pm.test('pre ran', () => {})",
        test: "console.log('after it came'); pm.test('status is 200', () => pm.response.to.have.status(200))",
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] ?? ''
    await until(() => live.getState().timeline.rows[sid]?.scripts?.post !== undefined)
    const scripts = live.getState().timeline.rows[sid]?.scripts
    expect(scripts?.pre?.console.map((l) => l.text)).toEqual(['before it went'])
    expect(scripts?.post?.console.map((l) => l.text)).toEqual(['after it came'])

    const reloaded = await openedPage(engine)
    expect(reloaded.getState().timeline.rows[sid]?.scripts).toEqual(scripts)
  })
})
