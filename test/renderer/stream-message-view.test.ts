import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { windowLabel, windowText } from '../../src/renderer/streams/message-data'
import { base64ToBytes } from '../../src/renderer/streams/message-format'
import { MESSAGE_VIEW_BYTES } from '../../src/renderer/streams/message-data-slice'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { spec } from '../engine/helpers'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The message view of a large SSE event, through the store against a real engine and server: the view reads a
 * window of the event, says which part it shows and how large the whole is, pages to the next windows, and
 * "Save" reads every byte of it.
 */

let sse: SseFixture
let engine: TestEngine
let store: AppStore
/** 5 MB of data: ASCII and 2-, 3- and 4-byte characters, so that windows cut characters. */
const BIG = 'aé€😀'.repeat(524_288)

beforeAll(async () => {
  sse = await startSseServer()
  sse.route('/big-event', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`data: small\n\ndata: ${BIG}\n\n`)
  })
  engine = startEngine()
  store = engine.store()
})
afterAll(async () => {
  await stopEngines()
  await sse.close()
})

describe('the message view of a large message', () => {
  it('says which part of a 5 MB event it shows, pages through it, and saves it whole', async () => {
    const opened = await engine.service.invoke('sse.open', {
      request: spec(`${sse.url}/big-event`),
      stream: { reconnect: false },
    })
    if (!opened.ok) throw new Error(opened.error.message)
    const sid = opened.value.sid
    await engine.service.streams.wait(sid)
    const s = store.getState
    s().showLog(sid)
    await s().readLog(0, 10)
    await until(() => (s().logView?.entries.length ?? 0) === 2)
    const entry = s().logView?.entries[1]
    const total = Buffer.byteLength(BIG)
    // The log window carries a cut of it; the view reads its own window.
    expect(entry).toMatchObject({ seq: 1, size: total, truncated: true })
    s().selectLogEntry(1)
    await s().loadMessageData(sid, 1)
    const first = s().messageData
    expect(first).toMatchObject({ sid, seq: 1, offset: 0, length: MESSAGE_VIEW_BYTES, total, error: null })
    expect(windowLabel(first?.offset ?? -1, first?.length ?? 0, first?.total ?? 0)).toBe(
      'Showing the first 512 KB of 5.0 MB',
    )
    const wholeBytes = Buffer.from(BIG)
    const shown = (): string => {
      const d = s().messageData
      if (!d) return ''
      return windowText(base64ToBytes(d.base64), d.offset > 0, d.offset + d.length < d.total)
    }
    // The text shown is the message's own, whole characters only at the cut edges.
    expect(BIG.startsWith(shown())).toBe(true)
    expect(Buffer.byteLength(shown())).toBeGreaterThan(MESSAGE_VIEW_BYTES - 4)
    // The next window starts where the first ended.
    await s().loadMessageData(sid, 1, MESSAGE_VIEW_BYTES)
    const second = s().messageData
    expect(second).toMatchObject({ offset: MESSAGE_VIEW_BYTES, length: MESSAGE_VIEW_BYTES, total })
    expect(windowLabel(second?.offset ?? 0, second?.length ?? 0, total)).toBe(
      'Showing 512 KB to 1.0 MB of 5.0 MB',
    )
    expect(BIG.includes(shown())).toBe(true)
    expect(wholeBytes.subarray(MESSAGE_VIEW_BYTES, 2 * MESSAGE_VIEW_BYTES).toString('base64')).toBe(
      second?.base64,
    )
    // The last window is what is left.
    const lastAt = Math.floor(total / MESSAGE_VIEW_BYTES) * MESSAGE_VIEW_BYTES
    await s().loadMessageData(sid, 1, lastAt)
    expect(s().messageData).toMatchObject({ offset: lastAt, length: total - lastAt })
    expect(BIG.endsWith(shown())).toBe(true)
    // Save reads every byte, by range.
    const parts = await s().readWholeMessage(sid, 1)
    if (!parts.ok) throw new Error(parts.error.message)
    expect(Buffer.concat(parts.value).equals(wholeBytes)).toBe(true)
  })
})
