import { afterAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'

/** `app.openExternal`: only http(s) links reach the system browser, checked in the engine whatever the page sent. */

const opened: string[] = []
const services: EngineService[] = []
function engine(withBrowser: boolean): EngineService {
  const s = makeService({
    persistWorkspace: false,
    watchCollections: false,
    ...(withBrowser ? { openExternal: async (url: string) => void opened.push(url) } : {}),
  })
  services.push(s)
  return s
}
afterAll(async () => {
  await Promise.all(services.map((s) => s.dispose()))
})

describe('app.openExternal', () => {
  it('opens an http(s) trace link, and says so in app.info', async () => {
    const s = engine(true)
    const info = await s.invoke('app.info', {})
    expect(info.ok && info.value.capabilities.openExternal).toBe(true)
    const r = await s.invoke('app.openExternal', {
      url: 'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736',
    })
    expect(r).toEqual({ ok: true, value: { opened: true } })
    expect(opened).toEqual(['http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736'])
  })

  it.each([
    ['file:///etc/passwd', 'only http and https'],
    ['javascript:alert(1)', 'only http and https'],
    ['vscode://file/x', 'only http and https'],
    ['http://user:secret@localhost/trace', 'password'],
    ['not a url', 'not a URL'],
  ])('refuses %s and opens nothing', async (url, why) => {
    const before = opened.length
    const r = await engine(true).invoke('app.openExternal', { url })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toContain(why)
    expect(opened.length).toBe(before)
  })

  it('a host without a system browser says it cannot', async () => {
    const s = engine(false)
    const info = await s.invoke('app.info', {})
    expect(info.ok && info.value.capabilities.openExternal).toBe(false)
    const r = await s.invoke('app.openExternal', { url: 'https://example.test/trace/1' })
    expect(r.ok ? null : r.error.code).toBe('unsupported')
  })
})
