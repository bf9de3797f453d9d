import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { StreamFilter } from '../../src/shared/streams'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { makeService, send, spec } from './helpers'
import { settle } from './stream-helpers'

/**
 * A stream log's filtered search runs on the engine's thread, which also carries traffic: it scans in slices of
 * a few milliseconds and lets the event loop turn between them, so a request in flight is not held up by more
 * than a slice while a search takes its whole budget (250 ms of scanning). The answers are the same as before:
 * `complete: false` while the budget runs out, then the same matches once the scan is through.
 */

const MESSAGES = 20_000
const SIZE = 512
/**
 * A needle whose first 63 letters recur at every byte of every message: the folded search compares up to 63
 * bytes at each of 450 places a message, about 1 s for the log, several calls' budget.
 */
const SLOW: StreamFilter = { text: `${'X'.repeat(63)}y` }
/** As slow, and searched by the first test only (a filter's progress is kept for the next call asking for it). */
const SLOW_TOO: StreamFilter = { text: `${'X'.repeat(63)}z` }

let ws: WsFixture
let http: Fixture
let service: EngineService
let sid: string

beforeAll(async () => {
  ws = await startWsServer()
  http = await startHttpServer()
  service = makeService({ persistWorkspace: false, watchCollections: false })
  const r = await service.invoke('ws.open', {
    url: `${ws.url}/flood?n=${MESSAGES}&size=${SIZE}`,
    headers: [],
    protocols: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  sid = r.value.sid
  const { final } = await settle(service, sid)
  if (final.type !== 'done') throw new Error(`the flood ended with ${final.type}`)
}, 60_000)

afterAll(async () => {
  await service.dispose()
  await ws.close()
  await http.close()
})

async function searchToEnd(filter: StreamFilter): Promise<{ calls: number; total: number }> {
  // Calls at most: a loaded machine scans less in a call's budget (wall time), so it takes more of them.
  for (let calls = 1; calls <= 1000; calls++) {
    const page = await service.invoke('stream.read', { sid, from: 0, count: 10, filter })
    if (!page.ok) throw new Error(page.error.message)
    if (page.value.complete) return { calls, total: page.value.total }
  }
  throw new Error('the search did not complete in 1,000 calls')
}

describe('stream log search in slices', () => {
  it('a search that takes its whole budget holds the thread a slice at a time; a request in flight is not held up', async () => {
    // What a person notices (a request answered while a search runs) and what makes it so (the event loop turns
    // between slices), told by order and by count rather than by time: a loaded machine stretches every
    // wall-clock figure (and a search's budget, which is wall time, then scans less a call), but not the order of
    // events nor whether the loop turned at all.
    let answered = false
    let turns = 0
    let searching = true
    const turn = (): void => {
      turns++
      if (searching) setImmediate(turn)
    }
    const request = send(service, spec(`${http.url}/delay?ms=20`)).then((r) => {
      answered = true
      return r
    })
    // The request is on the wire before the search starts.
    await new Promise((resolve) => setTimeout(resolve, 10))
    setImmediate(turn)
    // Calls the person's filter box makes, until the request is answered or the search is through.
    const pages: { complete: boolean; total: number }[] = []
    while (!answered && !pages.at(-1)?.complete && pages.length < 1000) {
      const page = await service.invoke('stream.read', { sid, from: 0, count: 10, filter: SLOW_TOO })
      if (!page.ok) throw new Error(page.error.message)
      pages.push({ complete: page.value.complete, total: page.value.total })
    }
    searching = false
    const done = await request
    // The budget still ends the call: the same incomplete answer as a search that holds the thread.
    expect(pages[0]).toEqual({ complete: false, total: 0 })
    expect(done.final.type === 'done' && done.final.status).toBe(200)
    // The request sent before the search is answered while it is still under way (scanning in one go, each
    // call held the thread through its budget and the request waited for the whole search).
    expect(pages.at(-1)?.complete).toBe(false)
    expect(turns).toBeGreaterThan(0)
  }, 60_000)

  it('the search comes to the same answers: none for a needle absent, every message for one present', async () => {
    const none = await searchToEnd(SLOW)
    expect(none.total).toBe(0)
    expect(none.calls).toBeGreaterThan(1)
    const all = await searchToEnd({ text: 'x'.repeat(64), kinds: ['text'] })
    expect(all.total).toBe(MESSAGES)
    const page = await service.invoke('stream.read', {
      sid,
      from: MESSAGES - 1,
      count: 5,
      filter: { text: 'x'.repeat(64), kinds: ['text'] },
    })
    expect(page.ok && page.value.entries.map((e) => [e.seq, e.size])).toEqual([[MESSAGES - 1, SIZE]])
  }, 120_000)
})
