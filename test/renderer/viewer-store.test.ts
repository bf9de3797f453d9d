import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './engine-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { LINE_PAGE } from '../../src/renderer/details/viewer-slice'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The response viewer's and HAR's store actions, driven by a real engine (the service the hosts bind) against
 * a real server: what the person sees in the panes is what these states hold.
 */

describe('response viewer and HAR store actions', () => {
  let fixture: Fixture
  let engine: TestEngine
  let store: AppStore

  beforeAll(async () => {
    fixture = await startHttpServer()
    engine = startEngine()
    store = engine.store()
  })
  afterAll(async () => {
    await stopEngines()
    await fixture.close()
  })

  async function post(json: unknown): Promise<string> {
    const sent = await engine.service.invoke('http.send', {
      request: {
        method: 'POST',
        url: `${fixture.url}/echo`,
        headers: [{ name: 'Content-Type', value: 'application/json', enabled: true }],
        body: { kind: 'json', text: JSON.stringify(json) },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] ?? ''
    await until(() => store.getState().timeline.rows[sid]?.terminal?.type === 'done')
    return sid
  }

  function bodyOf(sid: string) {
    const t = store.getState().timeline.rows[sid]?.terminal
    if (t?.type !== 'done') throw new Error('not done')
    return t.body
  }

  it('pages lines in as the list asks, folds by the engine pairs, and finds text', async () => {
    const sid = await post({
      list: Array.from({ length: 400 }, (_, i) => ({ i, tag: i === 321 ? 'needle' : 'x' })),
    })
    const body = bodyOf(sid)
    const s = store.getState()
    s.openBody(body.id, body.size, body.contentType, 'pretty')
    await until(
      () => (store.getState().viewer?.pages.size ?? 0) > 0 && store.getState().viewer?.complete === true,
    )
    const v = store.getState().viewer
    // The echo wraps the body: {"method": ..., "body": "<the JSON as a string>", ...}: a short pretty document.
    expect(v?.pages.get(0)?.lines[0]).toBe('{')
    expect(v?.total).toBeGreaterThan(3)
    // The root object's fold pair closes on the last line.
    store.getState().toggleFold(0)
    expect(store.getState().viewer?.folds.get(0)).toBe((v?.total ?? 0) - 1)
    store.getState().toggleFold(0)
    expect(store.getState().viewer?.folds.size).toBe(0)

    await store.getState().searchBody('needle')
    const search = store.getState().viewer?.search
    expect(search?.matches.length).toBe(1)
    expect(search?.at).toBe(0)
    expect(store.getState().viewer?.scrollLine).toBe(search?.matches[0]?.line)
  })

  it('shows a body that is not JSON as raw text, and reads a second page when asked', async () => {
    const sent = await engine.service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${fixture.url}/slow?ms=10&chunks=400`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] ?? ''
    await until(() => store.getState().timeline.rows[sid]?.terminal?.type === 'done')
    const body = bodyOf(sid)
    store.getState().openBody(body.id, body.size, body.contentType, 'pretty')
    await until(
      () => store.getState().viewer?.mode === 'raw' && (store.getState().viewer?.pages.size ?? 0) > 0,
    )
    expect(store.getState().viewer?.invalid).not.toBeNull()
    expect(store.getState().viewer?.pages.get(0)?.lines[0]).toBe('chunk 1/400')
    await store.getState().ensureLines(LINE_PAGE + 5, LINE_PAGE + 10)
    expect(store.getState().viewer?.pages.get(1)?.lines[0]).toBe(`chunk ${LINE_PAGE + 1}/400`)
  })

  it('exports the shown rows as HAR, imports it back as a named group, and opens a row as a new request', async () => {
    const sid = await post({ hello: 'world' })
    const s = store.getState()
    s.select(sid)
    // Export needs a page to download in; here the engine's document is checked through the same command.
    const har = await engine.service.invoke('har.export', { sids: [sid] })
    if (!har.ok) throw new Error(har.error.message)
    await store.getState().importHar('echo.har', har.value.har)
    const note = store.getState().harNote
    expect(note).toEqual({ text: 'Imported 1 from echo.har', error: false })
    const [batchId, name] = [...store.getState().importedBatches.entries()][0] ?? []
    expect(name).toBe('echo.har')
    await until(() =>
      Object.values(store.getState().timeline.rows).some((r) => r.queued.batch?.id === batchId),
    )

    await store.getState().editAsNewRequest(sid)
    const c = selectActiveDraft(store.getState())
    expect([c.method, c.url, c.bodyKind, c.json]).toEqual([
      'POST',
      `${fixture.url}/echo`,
      'json',
      '{"hello":"world"}',
    ])
    expect(c.headers.some((h) => h.name === 'Content-Type' && h.value === 'application/json')).toBe(true)
  })

  it('marks two rows for comparison, replaces the older with a third, and keeps pinned rows on clear', async () => {
    const a = await post({ a: 1 })
    const b = await post({ b: 1 })
    const c = await post({ c: 1 })
    const s = store.getState()
    s.toggleCompare(a)
    s.toggleCompare(b)
    s.toggleCompare(c)
    expect(store.getState().compareSids).toEqual([b, c])
    store.getState().togglePin(b)
    store.getState().clearFinished()
    expect(store.getState().timeline.order).toEqual([b])
    expect(store.getState().compareSids).toEqual([b])
    store.getState().sortBy('time')
    expect(store.getState().tableSort).toEqual({ column: 'time', dir: 'asc' })
  })
})
