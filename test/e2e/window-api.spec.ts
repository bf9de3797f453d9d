import { expect, test } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The browser host's `window.api`, as the page sees it: built by the same function as the desktop preload's
 * (invoke and one event path, frozen), the host's capabilities in app.info, and a timeline batch reaching the page
 * on that one path after a real request.
 */

let host: RunningWebHost
let fixture: Fixture

test.beforeAll(async () => {
  fixture = await startHttpServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await fixture?.close()
})

interface PageApi {
  invoke(name: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }>
  onEvent(listener: (event: { name: string; payload: unknown }) => void): () => void
}

test('window.api offers invoke and one event path, and says what the browser host can do', async ({
  page,
}) => {
  await page.goto(host.url)
  const shape = await page.evaluate(() => {
    const api = (globalThis as unknown as { api: object }).api
    return { keys: Object.keys(api).sort(), frozen: Object.isFrozen(api) }
  })
  expect(shape).toEqual({ keys: ['invoke', 'onEvent'], frozen: true })

  const info = await page.evaluate(async () => {
    const api = (globalThis as unknown as { api: PageApi }).api
    return api.invoke('app.info', {})
  })
  expect(info).toMatchObject({
    ok: true,
    value: {
      host: 'web',
      capabilities: { nativeDialogs: false, downloads: true, keychain: false, lastSessionOffer: true },
    },
  })

  const seen = await page.evaluate(async (url) => {
    const api = (globalThis as unknown as { api: PageApi }).api
    const names: string[] = []
    let done = (): void => undefined
    const finished = new Promise<void>((resolve) => (done = resolve))
    let sid = ''
    const off = api.onEvent((event) => {
      names.push(event.name)
      const batch = event.payload as { events?: { sid: string; type: string }[] }
      if (event.name === 'timeline.batch' && batch.events?.some((e) => e.sid === sid && e.type === 'done'))
        done()
    })
    const sent = await api.invoke('http.send', {
      request: { method: 'GET', url: `${url}/delay?ms=10`, headers: [], body: { kind: 'none' }, options: {} },
    })
    sid = (sent.value as { sids: string[] }).sids[0] ?? ''
    await Promise.race([finished, new Promise((r) => setTimeout(r, 10_000))])
    off()
    return { sent: sent.ok, names: [...new Set(names)] }
  }, fixture.url)
  expect(seen).toEqual({ sent: true, names: ['timeline.batch'] })
})
