import { createElement } from 'react'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { startHeldDelayServer, type HeldDelayServer } from '../fixtures/held-delay-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { useRunnerCollection } from './runner-collection'

/**
 * The app's runner says which steps Cancel run cut short, in words of their own: they are not among the requests
 * that "got no response (network errors)". Real engine; at concurrency 1 a request to a port nothing listens on
 * fails first (a network error), then one to a server that holds its answer is in flight when Cancel is clicked.
 */

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

let refusedPort = 0

const collection = useRunnerCollection<HeldDelayServer>(
  'fd-runner-cancelled',
  async () => {
    refusedPort = await closedPort()
    return startHeldDelayServer()
  },
  (base) => ({
    'collection.yaml': 'flightdeck: 1\nname: Cancelled\n',
    'pair/a-refused.yaml': `name: A refused\nmethod: GET\nurl: http://127.0.0.1:${refusedPort}/\n`,
    'pair/b-held.yaml': `name: B held\nmethod: GET\nurl: ${base}/delay?ms=0\n`,
  }),
)

/** What a person reads: the markup's text. */
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

describe('runner: steps cut short by Cancel run', () => {
  it('are counted as cancelled, apart from the requests that got no response', async () => {
    const s = collection.store.getState
    s().openRunner(collection.dir, 'pair', 'pair')
    s().setRunConfig({ concurrency: 1, iterations: 1 })
    await s().startRun()
    expect(s().runError).toBeNull()
    await until(() => collection.server.held() === 1, 10_000)
    await s().cancelRun()
    await until(() => s().run?.finished != null, 10_000)
    expect(s().run?.finished?.cancelled).toBe(true)
    const words = text(renderOverStore(collection.store, createElement(RunnerPanel)))
    expect(words).toContain('1 request got no response (network errors).')
    expect(words).toContain('1 request was cut short by Cancel run (cancelled).')
    // The progress line says it beside the count of failures it is among.
    expect(words).toContain('2 failed (1 cancelled)')
  })
})
