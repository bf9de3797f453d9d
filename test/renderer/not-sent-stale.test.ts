import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A "Not sent" (a send the engine refused before it went out) is about the request as it was: the store over a
 * real engine drops it once the request is edited, and keeps it through an edit that changes nothing.
 */

let engine: TestEngine

beforeAll(() => {
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
})

describe('Not sent', () => {
  it('goes when the request changes, stays when an edit changes nothing', async () => {
    const store = engine.store({ connect: false })
    const stop = store.getState().connect()
    try {
      const s = store.getState
      s().setUrl('http://127.0.0.1:1/{{missing}}')
      await s().send()
      expect(s().sendError?.code).toBe('unknown_variable')
      // The same text again (an editor echoing what it holds) is no change: the words stay.
      s().setJsonBody(s().tabs[0]!.draft.json)
      s().setMethod('GET')
      expect(s().sendError?.code).toBe('unknown_variable')
      s().setUrl('http://127.0.0.1:1/fixed')
      expect(s().sendError).toBeNull()
      // Any part of the request, not only its URL.
      s().setUrl('http://127.0.0.1:1/{{missing}}')
      await s().send()
      expect(s().sendError).not.toBeNull()
      s().setHeaders([{ name: 'X-Trace', value: '1', enabled: true }])
      expect(s().sendError).toBeNull()
    } finally {
      stop()
    }
  })
})
