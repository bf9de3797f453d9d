import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createElement } from 'react'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ResponsePanel } from '../../src/renderer/details/ResponsePanel'
import { groupDigits } from '../../src/shared/group-digits'
import type { AppStore } from '../../src/renderer/store/app-store'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The response viewer of a request that has just finished, over a real engine and server: between the body
 * being opened and its first page of lines arriving (under a burst, long enough to read) the viewer says the body
 * is being read, where it said "0 lines…" over an empty list, which reads as an empty body. And its line count is
 * written without ICU: the page's first number formatted by toLocaleString loaded ICU's data in that task, the
 * largest part (~17 ms of CPU) of the longest task of a burst whose selected row finished.
 */

const LINES = 12_345

let engine: TestEngine
let server: Server
let url = ''

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`).join('\n'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/text`
  engine = startEngine()
})
afterEach(() => {
  vi.restoreAllMocks()
})
afterAll(async () => {
  await stopEngines()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** A finished request's row, selected in a store over the engine, with its body not yet opened. */
async function finishedRow(): Promise<{ store: AppStore; sid: string }> {
  const store = engine.store()
  const sent = await engine.service.invoke('request.send', {
    request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
    auth: { type: 'none' },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const sid = sent.value.sids[0] ?? ''
  await until(() => store.getState().timeline.rows[sid]?.terminal?.type === 'done')
  store.getState().selectSent(sid)
  return { store, sid }
}

function panel(store: AppStore, sid: string): string {
  const row = store.getState().timeline.rows[sid]
  if (!row) throw new Error('no row')
  return renderOverStore(store, createElement(ResponsePanel, { row }))
}

describe('the response viewer of a request just finished', () => {
  it('says the body is being read until its first lines arrive, then counts them', async () => {
    const { store, sid } = await finishedRow()
    const ref = store.getState().timeline.rows[sid]?.terminal
    if (ref?.type !== 'done') throw new Error('not done')
    // As the panel's effect does: the viewer opens at once, its first page asked of the engine.
    store.getState().openBody(ref.body.id, ref.body.size, ref.body.contentType, 'raw')
    const reading = panel(store, sid)
    expect(reading).toContain('Reading the body…')
    expect(reading).not.toMatch(/\b0 lines/)

    await until(() => (store.getState().viewer?.total ?? 0) > 0 && store.getState().viewer?.complete === true)
    const read = panel(store, sid)
    expect(read).toContain('12,345 lines')
    expect(read).not.toContain('Reading the body')
  })

  it('draws its line count without formatting a number through ICU', async () => {
    const { store, sid } = await finishedRow()
    const ref = store.getState().timeline.rows[sid]?.terminal
    if (ref?.type !== 'done') throw new Error('not done')
    store.getState().openBody(ref.body.id, ref.body.size, ref.body.contentType, 'raw')
    await until(() => store.getState().viewer?.complete === true)
    const formatted = vi.spyOn(Number.prototype, 'toLocaleString')
    expect(panel(store, sid)).toContain('12,345 lines')
    expect(formatted).toHaveBeenCalledTimes(0)
  })
})

describe('groupDigits', () => {
  it('writes whole numbers as toLocaleString("en-US") does', () => {
    const values = [
      0, -0, 1, 9, 10, 99, 100, 999, 1000, 1001, 12_345, 999_999, 1_000_000, -1, -1234, -999_999,
    ]
    for (let p = 1; p <= 1e15; p *= 7) values.push(p, p + 1, -p)
    values.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)
    for (const n of values) expect(groupDigits(n), String(n)).toBe(n.toLocaleString('en-US'))
  })

  it('leaves fractions and numbers past the safe integers to toLocaleString', () => {
    for (const n of [1.5, 1234.5678, 2 ** 60, Infinity, NaN])
      expect(groupDigits(n), String(n)).toBe(n.toLocaleString('en-US'))
  })
})
