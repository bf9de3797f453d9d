import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessageLog } from '../../src/renderer/streams/MessageLog'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A filtered read scans at most 250,000 entries (and 250 ms) before it answers `complete: false`. On a quiet
 * session nothing new arrives to read again: the log view itself asks again until the scan is complete, so a
 * person filtering a big log ends with every match, not "N matches… of M". Real engine, real WebSocket server.
 *
 * The engine here scans at most SCAN_PER_READ entries a read (its `scanPerRead` option) and the log holds 2.4
 * times that, so a read cannot finish in one scan as with the real 250,000 and a log of 600,000, whose messages
 * took over 120 s of wall time to arrive on a loaded two-core runner (load 23).
 */

const SCAN_PER_READ = 2_500
const N = 6_000
let engine: TestEngine
let ws: WsFixture

beforeAll(async () => {
  ws = await startWsServer()
  engine = startEngine({ streamLogs: { scanPerRead: SCAN_PER_READ } })
})
afterAll(async () => {
  await stopEngines()
  await ws.close()
})

describe('a filtered read over a log one scan cannot finish', () => {
  it('is asked again until every match is found and the toolbar says so', async () => {
    const store = engine.store()
    const s = store.getState
    await until(() => s().replayedSessions !== null)
    s().setKind('ws')
    s().setUrl(`${ws.url}/flood?n=${N}&size=1`)
    await s().openStream()
    expect(s().sendError).toBeNull()
    const sid = s().selectedSid ?? ''
    await until(() => s().timeline.rows[sid]?.end != null)
    await until(() => s().streamLanes[sid]?.received === N + 1)
    s().showLog(sid)
    s().setLogFilter({ text: 'x' })
    // Once, as the log view's follow effect reads the tail on a session that has ended: nothing moves after.
    await s().readLogTail(30)
    expect(s().logView).toMatchObject({ total: N, complete: true, scanPaused: false })
    const html = renderOverStore(store, createElement(MessageLog, { sid, startT: 0 }))
    expect(html).toContain(`${N.toLocaleString()} matches of ${(N + 1).toLocaleString()}`)

    // Browsing: a read of rows in the middle goes on to the end of the scan too.
    s().setLogFollow(false)
    s().setLogFilter({ text: 'X' })
    await s().readLog(100, 130)
    expect(s().logView).toMatchObject({ total: N, complete: true, from: 40 })
  }, 120_000)
})
