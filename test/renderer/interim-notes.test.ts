import type { Socket } from 'node:net'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExchangeNotes } from '../../src/renderer/details/ExchangeNotes'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/** What the details pane's Overview says about interim (1xx) responses and a discarded partial body. */

const HINT = (n: number): string =>
  `HTTP/1.1 103 Early Hints\r\nlink: </asset-${n}.css>; rel=preload; as=style\r\n\r\n`
const FINAL = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok'

let engine: TestEngine
let raw: RawServer
let timeline: TimelineState = EMPTY_TIMELINE

beforeAll(async () => {
  raw = await startRawServer((socket: Socket, head: string) => {
    const path = pathOf(head)
    if (path === '/twenty-hints') {
      socket.write(Array.from({ length: 20 }, (_, i) => HINT(i + 1)).join(''))
      setTimeout(() => socket.write(FINAL), 20)
    } else if (path === '/cut') {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n')
      socket.end('x'.repeat(4000))
    }
  })
  engine = startEngine()
  engine.service.subscribe((batch) => (timeline = applyBatch(timeline, batch)))
})
afterAll(async () => {
  await stopEngines()
  await raw.close()
})

async function sendAndShow(path: string): Promise<string> {
  const sent = await engine.service.invoke('http.send', {
    request: { method: 'GET', url: `${raw.url}${path}`, headers: [], body: { kind: 'none' }, options: {} },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const sid = sent.value.sids[0] as string
  await engine.service.http.waitFor(sid)
  engine.service.flush()
  const row = timeline.rows[sid]
  if (!row) throw new Error('no row')
  // The text a person reads (tags dropped, entities decoded).
  return renderToStaticMarkup(createElement(ExchangeNotes, { row }))
    .replace(/<[^>]+>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
}

describe('the Overview’s notes', () => {
  it('103 Early Hints ×20: the first 8 with their Link headers and time, the rest counted', async () => {
    const text = await sendAndShow('/twenty-hints')
    expect(text).toMatch(/^103 Early Hints ×20 before the response\n/)
    // Each hint's Link header read as its links: URL, rel and as in columns.
    expect(text).toContain('Link\nrel\nas\n/asset-1.css\npreload\nstyle')
    expect(text).toContain('/asset-8.css\npreload\nstyle')
    expect(text).not.toContain('asset-9.css')
    expect(text).toMatch(/… and 12 more, counted only \(their headers are not kept\); the last at \+/)
  })

  it('a body cut short: the partial body was discarded, and how much', async () => {
    const text = await sendAndShow('/cut')
    expect(text).toBe('Partial body (3.9 KB) discarded: a body that did not arrive whole is not kept.')
  })
})
