import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_INDENT_LEVELS } from '../../src/engine/body-view/json-lines'
import type { AppStore } from '../../src/renderer/store/app-store'
import { startDeepServer, type DeepServer } from '../catalogue/deep-json-bodies'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The response viewer of a body nested deeper than the pretty view indents, through a real engine and server:
 * the state the panel draws its note from says how deep the body goes, and the lines stay short.
 */

describe('response viewer: deeply nested JSON', () => {
  let server: DeepServer
  let engine: TestEngine
  let store: AppStore

  beforeAll(async () => {
    server = await startDeepServer()
    engine = startEngine()
    store = engine.store()
  })
  afterAll(async () => {
    await stopEngines()
    await server.close()
  })

  async function open(depth: number): Promise<void> {
    const url = server.url({ shape: 'objects', depth, bytes: 0 })
    const sent = await engine.service.invoke('http.send', {
      request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] ?? ''
    await until(() => store.getState().timeline.rows[sid]?.terminal?.type === 'done')
    const t = store.getState().timeline.rows[sid]?.terminal
    if (t?.type !== 'done') throw new Error('not done')
    store.getState().openBody(t.body.id, t.body.size, t.body.contentType, 'pretty')
    await until(() => store.getState().viewer?.complete === true)
  }

  it('says how deep the body goes and where indentation stops; lines stay short', async () => {
    await open(100_000)
    const v = store.getState().viewer
    expect(v?.indentCap).toEqual({ levels: MAX_INDENT_LEVELS, deepest: 100_000 })
    await store.getState().ensureLines(50_000, 50_010)
    const line = store.getState().viewer?.pages.get(Math.floor(50_000 / 200))?.lines[0] ?? ''
    expect(line).toBe(`${' '.repeat(MAX_INDENT_LEVELS * 2)}"a": {`)
    // Raw has no indentation to cap: no note there.
    store.getState().setViewerMode('raw')
    expect(store.getState().viewer?.indentCap).toBeNull()
  })

  it('a body within the cap gets no note', async () => {
    await open(10)
    expect(store.getState().viewer?.indentCap).toBeNull()
  })
})
