import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toRequestSpec } from '../../src/renderer/composer/composer-draft'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { emptySavedRequest } from '../../src/shared/collection'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/** The composer's Max body option (the request's maxBodyBytes): sent with the request, kept in its file. */

const MiB = 1024 * 1024
let engine: TestEngine
let http: Fixture

beforeAll(async () => {
  http = await startHttpServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await http.close()
})

describe('Max body', () => {
  it('goes with the request: a body past it stops with the limit named, and the row says what was discarded', async () => {
    const store = engine.store({ connect: false })
    const stop = store.getState().connect()
    try {
      const s = store.getState
      s().setUrl(`${http.url}/slow?ms=400&chunks=200`)
      s().setOption('maxBodyBytes', 1000)
      await s().send()
      const failed = () =>
        Object.values(s().timeline.rows).find((r) => r.queued.url.includes('/slow') && r.state === 'error')
      await until(() => failed() !== undefined, 10_000)
      const term = failed()?.terminal
      expect(term?.type === 'error' ? term.message : term).toMatch(
        /^The response body is larger than the limit of 1000 bytes; raise the request's Max body option/,
      )
      expect(term?.type === 'error' ? term.partialBodyBytes : 0).toBeGreaterThan(0)
    } finally {
      stop()
    }
  })

  it('a request file’s maxBodyBytes is the composer’s Max body: read, sent, and written back only when set', () => {
    const req = {
      ...emptySavedRequest('Big'),
      url: 'http://127.0.0.1:1/',
      options: { maxBodyBytes: 3 * MiB },
    }
    const draft = savedToDraft(req)
    expect(toRequestSpec(draft).options.maxBodyBytes).toBe(3 * MiB)
    expect(draftToSaved(draft, extrasOf(req), req.options).options).toEqual({
      maxBodyBytes: 3 * MiB,
    })
    const plain = { ...emptySavedRequest('Plain'), url: 'http://127.0.0.1:1/' }
    const edited = savedToDraft(plain)
    expect(toRequestSpec(edited).options.maxBodyBytes, 'the default is the engine’s').toBeUndefined()
    expect(draftToSaved(edited, extrasOf(plain), plain.options).options).toEqual({})
    edited.options.maxBodyBytes = 5 * MiB
    expect(draftToSaved(edited, extrasOf(plain), plain.options).options).toEqual({
      maxBodyBytes: 5 * MiB,
    })
  })
})
