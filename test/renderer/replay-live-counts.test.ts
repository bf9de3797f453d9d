import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { until } from './engine-client'
import { heldReplayPage, openStreamFrom, openedPage, replayed } from './replay-pages'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A page that connects while a stream is live gets the stream's past from the engine's timeline replay and its
 * present from live batches. The lane's counts must be what went over the wire, whichever arrives first: a
 * replay held back until live batches were applied (a slow transport) must not count their messages again, and
 * a page that connects mid-stream must count the messages that came before it. Real engine and SSE server; the
 * server counts what it wrote.
 */

let engine: TestEngine
let sse: SseFixture
let ws: WsFixture
/** The open stream's response, while the test drips events into it. */
let live: ServerResponse | null = null
let written = 0

beforeAll(async () => {
  sse = await startSseServer()
  ws = await startWsServer()
  engine = startEngine()
  // The first request is held open for the test to write to; the reconnect after its end is told to stop.
  sse.route('/drip', (req, res) => {
    if (req.index > 0) {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.flushHeaders()
    live = res
  })
})
afterAll(async () => {
  await stopEngines()
  await sse.close()
  await ws.close()
})

/** Write `n` events in one chunk (the engine merges messages that close into one timeline event with a count). */
function drip(n: number): void {
  let text = ''
  for (let i = 0; i < n; i++) text += `id: ${written + i}\ndata: {"n":${written + i}}\n\n`
  written += n
  live?.write(text)
}

const received = (store: AppStore, sid: string): number | undefined =>
  store.getState().streamLanes[sid]?.received

/** Messages the lane draws as ticks (what the waterfall paints), in and out. */
const ticked = (store: AppStore, sid: string): number => {
  const lane = store.getState().streamLanes[sid]
  return lane ? [...lane.ins, ...lane.outs].reduce((a, b) => a + b, 0) : 0
}

describe('message counts of a page that connects while a stream is live', () => {
  it('every page counts exactly what the server sent: live before the replay, reloaded mid-stream, and after', async () => {
    const opener = await openedPage(engine)
    // This page's replay comes after the stream's first live batches.
    const slow = heldReplayPage(engine)
    const sid = await openStreamFrom(opener, 'sse', `${sse.url}/drip`)
    await until(() => live !== null)
    drip(40)
    await until(() => received(slow.store, sid) === 40 && received(opener, sid) === 40)
    slow.release()
    await replayed(slow.store)
    expect(received(slow.store, sid)).toBe(40)

    // A page opened now, mid-stream: the 40 before it come from the replay.
    const reloaded = await openedPage(engine)
    expect(received(reloaded, sid)).toBe(40)
    expect(reloaded.getState().streamLanes[sid]?.lastSeq).toBe(39)
    // Its lane draws those 40 again (read back from the session's log), from where the opener's lane starts.
    await until(() => ticked(reloaded, sid) === 40)
    expect(reloaded.getState().streamLanes[sid]?.start).toBe(opener.getState().streamLanes[sid]?.start)

    drip(60)
    drip(1)
    live?.end()
    await until(() => opener.getState().timeline.rows[sid]?.terminal != null, 10_000)
    for (const page of [opener, slow.store, reloaded]) {
      await until(() => page.getState().timeline.rows[sid]?.terminal != null)
      expect(page.getState().streamLanes[sid]).toMatchObject({
        received: 101,
        sent: 0,
        lastSeq: 100,
        notKept: 0,
      })
    }
    const bytes = opener.getState().streamLanes[sid]?.bytesIn
    expect(bytes).toBeGreaterThan(0)
    expect(slow.store.getState().streamLanes[sid]?.bytesIn).toBe(bytes)
    expect(reloaded.getState().streamLanes[sid]?.bytesIn).toBe(bytes)

    // Ticks: the 40 read back and the 61 drawn live, each once, as the opener drew them.
    await until(() => ticked(reloaded, sid) === 101)
    expect(ticked(opener, sid)).toBe(101)

    // And one more page after the end: the same numbers, and the same ticks.
    const after = await openedPage(engine)
    expect(after.getState().streamLanes[sid]).toMatchObject({ received: 101, lastSeq: 100, bytesIn: bytes })
    await until(() => ticked(after, sid) === 101)
  })

  it('a WebSocket echo: messages sent and received, counted once on every page', async () => {
    const opener = await openedPage(engine)
    const slow = heldReplayPage(engine)
    const sid = await openStreamFrom(opener, 'ws', `${ws.url}/echo`)
    await until(() => opener.getState().streamLanes[sid]?.openSince != null)
    const send = async (data: string): Promise<void> => {
      const r = await engine.service.invoke('ws.send', { sid, kind: 'text', data })
      if (!r.ok) throw new Error(r.error.message)
    }
    for (let i = 0; i < 5; i++) await send(`first ${i}`)
    await until(() => received(opener, sid) === 5 && received(slow.store, sid) === 5)
    slow.release()
    await replayed(slow.store)
    const reloaded = await openedPage(engine)
    for (const page of [slow.store, reloaded])
      expect(page.getState().streamLanes[sid]).toMatchObject({ received: 5, sent: 5 })

    for (let i = 0; i < 3; i++) await send(`then ${i}`)
    await engine.service.invoke('session.cancel', { sid })
    await until(() => opener.getState().timeline.rows[sid]?.terminal != null, 10_000)
    const counts = (page: AppStore) => {
      const lane = page.getState().streamLanes[sid]
      return lane && [lane.received, lane.sent, lane.bytesIn, lane.bytesOut, lane.lastSeq, lane.notKept]
    }
    // What the server got: the 8 texts (the close frame besides).
    expect(ws.received.filter((m) => typeof m === 'string' && /^(first|then) /.test(m))).toHaveLength(8)
    expect(opener.getState().streamLanes[sid]?.sent).toBeGreaterThanOrEqual(8)
    for (const page of [slow.store, reloaded]) {
      await until(() => page.getState().timeline.rows[sid]?.terminal != null)
      expect(counts(page)).toEqual(counts(opener))
    }
  })

  it('a log too long to read whole: its ticks come back spread from pages across it, every message once', async () => {
    const opener = await openedPage(engine)
    // Past RESTORE_EXACT_ENTRIES (20,000): the lane is drawn again from 10 pages spread over the log.
    const sid = await openStreamFrom(opener, 'ws', `${ws.url}/flood?n=25000&size=4`)
    await until(() => opener.getState().timeline.rows[sid]?.terminal != null, 10_000)
    const received = opener.getState().streamLanes[sid]?.received ?? 0
    expect(received).toBeGreaterThan(25_000)
    const reloaded = await openedPage(engine)
    await until(() => ticked(reloaded, sid) === ticked(opener, sid))
    const lane = (page: AppStore) => page.getState().streamLanes[sid]
    // Drawn over the same time: first bucket where the opener's is, last within one bucket of its last.
    expect(lane(reloaded)?.start).toBe(lane(opener)?.start)
    const span = (page: AppStore) => (lane(page)?.ins.length ?? 0) * (lane(page)?.width ?? 0)
    expect(Math.abs(span(reloaded) - span(opener))).toBeLessThanOrEqual(lane(reloaded)?.width ?? 0)
  })

  it('Clear while a stream is live: the stream keeps its counts, a reload brings back only what was not cleared', async () => {
    live = null
    written = 0
    sse.route('/drip2', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      live = res
    })
    const page = await openedPage(engine)
    const sid = await openStreamFrom(page, 'sse', `${sse.url}/drip2`)
    await until(() => live !== null)
    drip(20)
    await until(() => received(page, sid) === 20)
    page.getState().clearFinished()
    expect(page.getState().timeline.rows[sid]).toBeDefined()
    drip(5)
    await until(() => received(page, sid) === 25)
    const reloaded = await openedPage(engine)
    // Only what Clear left: this stream (earlier tests' finished sessions were cleared).
    expect(reloaded.getState().timeline.order).toEqual(page.getState().timeline.order)
    expect(received(reloaded, sid)).toBe(25)
    drip(5)
    await until(() => received(page, sid) === 30 && received(reloaded, sid) === 30)
    await engine.service.invoke('session.cancel', { sid })
    for (const p of [page, reloaded]) {
      await until(() => p.getState().timeline.rows[sid]?.terminal != null)
      expect(received(p, sid)).toBe(30)
    }
  })
})
