import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toRequestSpec } from '../../src/renderer/composer/composer-draft'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { emptySavedRequest, savedRequestSchema } from '../../src/shared/collection'
import { startPushServer, type PushFixture } from '../fixtures/push-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/** The composer's Accept server push option (the request's acceptPush): sent with the request, kept in its file. */

let engine: TestEngine
let server: PushFixture

beforeAll(async () => {
  server = await startPushServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

describe('Accept server push', () => {
  it('goes with the request: each pushed stream is a row of its own, caused by the request', async () => {
    const store = engine.store({ connect: false })
    const stop = store.getState().connect()
    try {
      const s = store.getState
      s().setUrl(`${server.url}/flood?count=3`)
      s().setOption('insecure', true)
      s().setOption('acceptPush', true)
      await s().send()
      const rows = () => Object.values(s().timeline.rows)
      await until(() => rows().filter((r) => r.state === 'done').length === 4, 10_000)
      const parent = rows().find((r) => r.queued.url.endsWith('/flood?count=3'))
      const pushed = rows().filter((r) => r.queued.initiator === parent?.sid)
      expect(pushed.map((r) => r.queued.url.replace(server.url, '')).sort()).toEqual([
        '/pushed/0',
        '/pushed/1',
        '/pushed/2',
      ])
      for (const r of pushed) {
        expect(r.status).toBe(200)
        expect(r.queued.promised).toContainEqual([':method', 'GET'])
      }
    } finally {
      stop()
    }
  })

  it('the row’s Cancel on a pushed stream resets it, and the row ends cancelled while its request is done', async () => {
    const store = engine.store({ connect: false })
    const stop = store.getState().connect()
    try {
      const s = store.getState
      server.resets.clear()
      s().setUrl(`${server.url}/slow`)
      s().setOption('insecure', true)
      s().setOption('acceptPush', true)
      await s().send()
      const pushRow = () =>
        Object.values(s().timeline.rows).find((r) => r.queued.promised && r.queued.url.endsWith('/slow.bin'))
      await until(() => pushRow()?.state === 'active', 10_000)
      await s().cancel(pushRow()?.sid ?? '')
      await until(() => pushRow()?.state === 'cancelled', 10_000)
      const parent = s().timeline.rows[pushRow()?.queued.initiator ?? '']
      expect(parent?.state).toBe('done')
      await until(() => server.resets.has('/slow.bin'), 5_000)
      expect(server.resets.get('/slow.bin')).toBe(8)
    } finally {
      stop()
    }
  })

  it('a request file’s acceptPush is the composer’s option: read, sent, and written back only when set', () => {
    const req = savedRequestSchema.parse({
      ...emptySavedRequest('Pushy'),
      url: 'https://127.0.0.1:1/',
      options: { acceptPush: true },
    })
    const draft = savedToDraft(req)
    expect(draft.options.acceptPush).toBe(true)
    expect(toRequestSpec(draft).options.acceptPush).toBe(true)
    expect(draftToSaved(draft, extrasOf(req), req.options).options).toEqual({ acceptPush: true })
    const plain = { ...emptySavedRequest('Plain'), url: 'https://127.0.0.1:1/' }
    const edited = savedToDraft(plain)
    expect(toRequestSpec(edited).options.acceptPush).toBe(false)
    expect(draftToSaved(edited, extrasOf(plain), plain.options).options).toEqual({})
    edited.options.acceptPush = true
    expect(draftToSaved(edited, extrasOf(plain), plain.options).options).toEqual({ acceptPush: true })
  })
})
