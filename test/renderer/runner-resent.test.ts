import { createElement } from 'react'
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { startRawServer } from '../catalogue/raw-server'
import { renderOverStore } from './render-over-store'
import { runToFinish, STATUS_200, useRunnerCollection } from './runner-collection'

/**
 * The app's runner says which requests went a second time, as `flightdeck run` does: a count beside the request and
 * one line under the figures. Real engine, and a server that answers each connection's first request and closes
 * the connection when its second arrives, so every other iteration's GET goes again on a new connection.
 */

const collection = useRunnerCollection(
  'fd-runner-resent',
  async () => {
    const answered = new WeakSet<Socket>()
    return startRawServer((socket) => {
      if (answered.has(socket)) return socket.destroy()
      answered.add(socket)
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    })
  },
  (base) => ({
    'collection.yaml': 'flightdeck: 1\nname: Closing\n',
    'items.yaml': `name: Items\nmethod: GET\nurl: "${base}/items"\n${STATUS_200}`,
    'once.yaml': `name: Once\nmethod: GET\nurl: "${base}/once"\nassertions: []\n`,
  }),
)

/** What a person reads: the markup's text. */
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

describe('runner: requests sent a second time', () => {
  it('counts them beside the request and in one line under the figures', async () => {
    // One request, four iterations on one connection at a time: iterations 2 and 4 meet a closed connection.
    const run = await runToFinish(collection, 'items.yaml', 'Items', { concurrency: 1, iterations: 4 })
    expect(run.passed).toBe(4)
    expect(run.requests.map((r) => [r.name, r.resent])).toEqual([['Items', 2]])
    const panel = renderOverStore(collection.store, createElement(RunnerPanel))
    expect(panel).toMatch(
      /<span class="run-resent" data-resent="2" title="2 requests were sent a second time, the server having closed or refused the first before any response">2 sent again<\/span>/,
    )
    expect(text(panel)).toContain(
      '2 requests were sent a second time, the server having closed or refused the first before any response',
    )
  })

  it('says nothing of it when every request went once', async () => {
    const run = await runToFinish(collection, 'once.yaml', 'Once', { concurrency: 1, iterations: 1 })
    expect(run.requests.map((r) => [r.name, r.resent])).toEqual([['Once', undefined]])
    const panel = renderOverStore(collection.store, createElement(RunnerPanel))
    expect(text(panel)).toContain('Once')
    expect(panel).not.toContain('run-resent')
    expect(text(panel)).not.toContain('sent a second time')
  })
})
