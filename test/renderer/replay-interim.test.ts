import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { MAX_KEPT_INFORMATIONAL } from '../../src/shared/timeline'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { until } from './engine-client'
import { heldReplayPage, openedPage, replayed, sendGets } from './replay-pages'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Interim (1xx) responses of a request still waiting for its final one, on a page that connects meanwhile: the
 * timeline replay brings them and live batches may have brought them already. Each page's row must list what
 * the server sent, once: the first MAX_KEPT_INFORMATIONAL with their headers and the count of all. Real engine,
 * a raw server that sends Early Hints and answers when the test says.
 */

const HINT = (n: number): string =>
  `HTTP/1.1 103 Early Hints\r\nlink: </asset-${n}.css>; rel=preload; as=style\r\n\r\n`

let engine: TestEngine
let raw: RawServer
const waiting: Socket[] = []

beforeAll(async () => {
  raw = await startRawServer((socket: Socket, head: string) => {
    const n = Number(new URL(pathOf(head), 'http://x').searchParams.get('n'))
    socket.write(Array.from({ length: n }, (_, i) => HINT(i + 1)).join(''))
    waiting.push(socket)
  })
  engine = startEngine()
})
afterAll(async () => {
  for (const s of waiting) s.destroy()
  await stopEngines()
  await raw.close()
})

const send = async (n: number): Promise<string> =>
  (await sendGets(engine, `${raw.url}/hints?n=${n}`))[0] ?? ''

const links = (store: AppStore, sid: string): string[] =>
  (store.getState().timeline.rows[sid]?.informational?.kept ?? []).map((m) => m.headers[0]?.[1] ?? '')
const count = (store: AppStore, sid: string): number | undefined =>
  store.getState().timeline.rows[sid]?.informational?.count

describe('interim responses on a page that connects while the request waits', () => {
  it('a replay that comes after live batches lists each hint once', async () => {
    const slow = heldReplayPage(engine)
    const sid = await send(3)
    await until(() => count(slow.store, sid) === 3)
    slow.release()
    await replayed(slow.store)
    expect(links(slow.store, sid)).toEqual([1, 2, 3].map((i) => `</asset-${i}.css>; rel=preload; as=style`))
    expect(count(slow.store, sid)).toBe(3)
  })

  it('a page opened mid-request lists the first eight with their headers and counts all twelve', async () => {
    const live = await openedPage(engine)
    const sid = await send(12)
    await until(() => count(live, sid) === 12)
    const reloaded = await openedPage(engine)
    expect(links(live, sid)).toHaveLength(MAX_KEPT_INFORMATIONAL)
    expect(links(reloaded, sid)).toEqual(links(live, sid))
    expect(count(reloaded, sid)).toBe(12)
  })
})
