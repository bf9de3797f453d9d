import { monitorEventLoopDelay } from 'node:perf_hooks'
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

async function searchToEnd(filter: StreamFilter): Promise<{ calls: number; total: number; first: boolean }> {
  let first: boolean | null = null
  for (let calls = 1; calls <= 100; calls++) {
    const page = await service.invoke('stream.read', { sid, from: 0, count: 10, filter })
    if (!page.ok) throw new Error(page.error.message)
    first ??= page.value.complete
    if (page.value.complete) return { calls, total: page.value.total, first }
  }
  throw new Error('the search did not complete in 100 calls')
}

describe('stream log search in slices', () => {
  it('a search that takes its whole budget holds the thread a slice at a time; a request in flight is not held up', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const request = send(service, spec(`${http.url}/delay?ms=150`))
    // The histogram counts from its first tick on; by then the request is on the wire.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const page = await service.invoke('stream.read', { sid, from: 0, count: 10, filter: SLOW })
    const done = await request
    delay.disable()
    // The budget still ends the call: the same incomplete answer as a search that holds the thread.
    expect(page.ok && { complete: page.value.complete, total: page.value.total }).toEqual({
      complete: false,
      total: 0,
    })
    expect(done.final.type === 'done' && done.final.status).toBe(200)
    // Slices of 8 ms; generous for a shared machine. Scanning in one go measured 250 ms and more.
    expect(delay.max / 1e6).toBeLessThan(100)
  })

  it('the search comes to the same answers: none for a needle absent, every message for one present', async () => {
    const none = await searchToEnd(SLOW)
    expect(none.total).toBe(0)
    expect(none.calls).toBeGreaterThan(1)
    const all = await searchToEnd({ text: 'x'.repeat(64), kinds: ['text'] })
    expect(all).toMatchObject({ total: MESSAGES, first: true })
    const page = await service.invoke('stream.read', {
      sid,
      from: MESSAGES - 1,
      count: 5,
      filter: { text: 'x'.repeat(64), kinds: ['text'] },
    })
    expect(page.ok && page.value.entries.map((e) => [e.seq, e.size])).toEqual([[MESSAGES - 1, SIZE]])
  })
})
