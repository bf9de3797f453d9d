import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessageLog } from '../../src/renderer/streams/MessageLog'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A session whose log was cut says so where the person looks, against a real engine whose logs keep 10 entries
 * and a real server flooding 200 messages: the message log ends with a line saying how many messages were not
 * kept and why, and the session's summary says it too, with the same words.
 */

let engine: TestEngine
let ws: WsFixture

beforeAll(async () => {
  ws = await startWsServer()
  engine = startEngine({ streamLogs: { maxEntries: 10 } })
})
afterAll(async () => {
  await stopEngines()
  await ws.close()
})

const WORDS = "191 messages not kept: this session's log is full (10 messages)"
/** As the HTML has them, for a pattern. */
const HTML_WORDS = WORDS.replace("'", '&#x27;').replace(/[()]/g, '\\$&')

describe('a stream log that was cut', () => {
  it('ends the message log with the count not kept and why, and says it in the summary', async () => {
    const store = engine.store()
    const s = store.getState
    // The page's timeline replay is over before the session starts (a session in both is counted twice on its
    // lane: not what this test is about).
    await until(() => s().replayedSessions !== null)
    s().setKind('ws')
    s().setUrl(`${ws.url}/flood?n=200&size=16`)
    await s().openStream()
    expect(s().sendError).toBeNull()
    const sid = s().selectedSid ?? ''
    await until(() => s().timeline.rows[sid]?.end != null, 10_000)
    // The flood's 200 messages and its close frame, every one ticked on the lane, kept or not.
    await until(() => s().streamLanes[sid]?.received === 201)
    expect(s().streamLanes[sid]).toMatchObject({ lastSeq: 9, notKept: 191 })
    s().showLog(sid)
    await s().readLogTail(30)
    expect(s().logView).toMatchObject({
      total: 10,
      dropped: 191,
      cut: { reason: 'entries', limit: 10, at: 10 },
    })

    const log = renderOverStore(store, createElement(MessageLog, { sid, startT: 0 }))
    // The cut is the last row, after the 10 kept.
    expect(log).toContain('aria-rowcount="11"')
    expect(log).toMatch(new RegExp(`data-testid="log-cut"[^>]*>.*?${HTML_WORDS}`))
    const details = renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream'))
    expect(details).toMatch(new RegExp(`data-testid="summary-log-cut"[^>]*> · ${HTML_WORDS}<`))
  })

  it('a session that kept every message says nothing of a cut', async () => {
    const store = engine.store()
    const s = store.getState
    await until(() => s().replayedSessions !== null)
    s().setKind('ws')
    s().setUrl(`${ws.url}/flood?n=5&size=16`)
    await s().openStream()
    const sid = s().selectedSid ?? ''
    await until(() => s().timeline.rows[sid]?.end != null, 10_000)
    await until(() => s().streamLanes[sid]?.received === 6)
    s().showLog(sid)
    await s().readLogTail(30)
    expect(s().logView).toMatchObject({ total: 6, dropped: 0, cut: null })
    const html = renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream'))
    expect(html).not.toContain('not kept')
    expect(renderOverStore(store, createElement(MessageLog, { sid, startT: 0 }))).not.toContain('log-cut')
  })
})
