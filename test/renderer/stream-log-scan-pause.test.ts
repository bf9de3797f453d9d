import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_SCAN_ASKS } from '../../src/renderer/streams/log-window'
import { MessageLog } from '../../src/renderer/streams/MessageLog'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A long search pauses: the log view asks the engine's scan again at most MAX_SCAN_ASKS times, then says so, how
 * far into the log it looked (the engine's `scanned`), and offers "Search on". The engine here scans one entry a read (its `scanPerRead` option), so a log of a few
 * hundred messages is one such search. Real engine, real WebSocket server.
 */

const N = 300
const PAUSE_WORDS = `The search paused after ${MAX_SCAN_ASKS} reads of the log, before its end.`
let engine: TestEngine
let ws: WsFixture

beforeAll(async () => {
  ws = await startWsServer()
  engine = startEngine({ streamLogs: { scanPerRead: 1 } })
})
afterAll(async () => {
  await stopEngines()
  await ws.close()
})

describe('a search the log view stops asking after MAX_SCAN_ASKS reads', () => {
  it('says it paused, offers Search on, and Search on finds the rest', async () => {
    const store = engine.store()
    const s = store.getState
    await until(() => s().replayedSessions !== null)
    s().setKind('ws')
    s().setUrl(`${ws.url}/flood?n=${N}&size=1`)
    await s().openStream()
    expect(s().sendError).toBeNull()
    const sid = s().selectedSid ?? ''
    await until(() => s().timeline.rows[sid]?.end != null, 30_000)
    await until(() => s().streamLanes[sid]?.received === N + 1, 30_000)
    s().showLog(sid)
    s().setLogFollow(false)
    s().setLogFilter({ text: 'x' })

    // While the search runs, the toolbar's count says how far it has looked, as the pause's words do.
    const running: string[] = []
    const watch = store.subscribe((now) => {
      const v = now.logView
      if (running.length > 0 || !v || v.complete || v.scanPaused || v.scanned !== 50 || v.loading) return
      running.push(renderOverStore(store, createElement(MessageLog, { sid, startT: 0 })))
    })
    // One read and MAX_SCAN_ASKS more, one entry each: the scan stops short of the log's end.
    await s().readLog(0, 29)
    watch()
    expect(running).toHaveLength(1)
    expect(running[0]).toContain(`50 matches in the first 50 of ${(N + 1).toLocaleString()}…`)
    expect(running[0]).not.toContain(PAUSE_WORDS)
    const asked = MAX_SCAN_ASKS + 1
    expect(s().logView).toMatchObject({ total: asked, complete: false, scanPaused: true })
    const paused = renderOverStore(store, createElement(MessageLog, { sid, startT: 0 }))
    expect(paused).toContain(PAUSE_WORDS)
    expect(paused).toContain('>Search on</button>')
    // What was searched: the scan looked at one entry a read, the first `asked` of the log's N + 1.
    expect(paused).toContain(
      `It looked at the first ${asked.toLocaleString()} of ${(N + 1).toLocaleString()} messages; the matches shown are among those.`,
    )
    expect(paused).toContain(
      `${asked.toLocaleString()} matches in the first ${asked.toLocaleString()} of ${(N + 1).toLocaleString()}…`,
    )

    // "Search on" (its click): the scan goes on to the end, and the pause and its words go.
    await s().continueLogScan(30)
    expect(s().logView).toMatchObject({ total: N, complete: true, scanPaused: false })
    const done = renderOverStore(store, createElement(MessageLog, { sid, startT: 0 }))
    expect(done).not.toContain(PAUSE_WORDS)
    expect(done).not.toContain('Search on')
    expect(done).toContain(`${N.toLocaleString()} matches of ${(N + 1).toLocaleString()}`)
  }, 60_000)
})
