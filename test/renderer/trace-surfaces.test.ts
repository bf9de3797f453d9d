import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HoverCard } from '../../src/renderer/timeline/HoverCard'
import { createLiveClock } from '../../src/renderer/store/live-clock'
import { StoresContext } from '../../src/renderer/store/store-context'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { createAppStore } from '../../src/renderer/store/app-store'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { engineClient, until } from './engine-client'

/** Where a person sees the trace id the toolbar's Trace switch (or a `trace:` setting) gave a request or stream. */

const WELL_FORMED = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/

let service: EngineService
let sse: SseFixture

beforeAll(async () => {
  sse = await startSseServer()
  service = createEngineService({
    host: 'test',
    persistWorkspace: false,
    watchCollections: false,
    flushEveryMs: 5,
    configDir: mkdtempSync(join(tmpdir(), 'fd-trace-surfaces-config-')),
  })
})
afterAll(async () => {
  await service.dispose()
  await sse.close()
})

const storeFor = () => {
  const store = createAppStore(engineClient(service), { localNow: () => 0 })
  store.getState().connect()
  return store
}

describe("the toolbar's Trace switch", () => {
  it('reaches a stream opened from an Untitled tab: the server gets the traceparent, the row names its id', async () => {
    const store = storeFor()
    store.getState().setTraceSends(true)
    store.getState().setKind('sse')
    store.getState().setUrl(`${sse.url}/events?n=1&from=switch-on`)
    await store.getState().openStream()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.rows[sid]?.sent !== undefined)
    await until(() => sse.requests.some((r) => r.path.includes('switch-on')))
    const header = sse.requests.find((r) => r.path.includes('switch-on'))?.headers['traceparent']
    const m = WELL_FORMED.exec(typeof header === 'string' ? header : '')
    expect(m).not.toBeNull()
    expect(store.getState().timeline.rows[sid]?.sent?.traceId).toBe(m?.[1])
    await store.getState().cancel(sid)
  })
})

/** The text a person reads in a rendered component (tags dropped). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
}

describe('the hover card', () => {
  it('names the start of the trace a send went out with, and nothing for an untraced one', async () => {
    const store = storeFor()
    const card = (sid: string): string =>
      textOf(
        renderToStaticMarkup(
          createElement(
            StoresContext.Provider,
            // A server render reads the store's initial state: hand it the current one.
            {
              value: { app: { ...store, getInitialState: () => store.getState() }, clock: createLiveClock() },
            },
            createElement(HoverCard, { sid, left: 0, top: 0, frameWidth: 800, frameHeight: 600 }),
          ),
        ),
      )
    const sendOne = async (): Promise<string> => {
      await store.getState().send()
      expect(store.getState().sendError).toBeNull()
      const sid = store.getState().selectedSid ?? ''
      await until(() => (store.getState().timeline.rows[sid]?.terminal ?? null) !== null)
      return sid
    }
    store.getState().setUrl(`${sse.url}/status/200?from=hover`)
    store.getState().setTraceSends(true)
    const traced = await sendOne()
    const id = store.getState().timeline.rows[traced]?.sent?.traceId ?? ''
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(card(traced)).toContain(`trace ${id.slice(0, 8)}…`)
    store.getState().setTraceSends(false)
    const plain = await sendOne()
    expect(card(plain)).not.toContain('trace ')
  })
})
