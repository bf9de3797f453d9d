import { describe, expect, it } from 'vitest'
import { toRequestSpec } from '../../src/renderer/composer/composer-draft'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { emptySavedRequest } from '../../src/shared/collection'

/** The composer's Headers timeout (the request's headersTimeoutMs): read from the file, sent, written back only while set. */

describe('Headers timeout', () => {
  it('a request file’s headersTimeoutMs is read, sent and saved back; back to the default it leaves the file', () => {
    const req = {
      ...emptySavedRequest('Feed'),
      kind: 'sse' as const,
      url: 'http://127.0.0.1:1/events',
      options: { headersTimeoutMs: 5000 },
    }
    const draft = savedToDraft(req)
    expect(draft.options.headersTimeoutMs).toBe(5000)
    expect(toRequestSpec(draft).options.headersTimeoutMs).toBe(5000)
    expect(draftToSaved(draft, extrasOf(req), req.options).options).toEqual({ headersTimeoutMs: 5000 })
    // Use default: nothing of its own in the request or the file (the engine's default for the kind applies).
    const reset = { ...draft, options: { ...draft.options, headersTimeoutMs: null } }
    expect(toRequestSpec(reset).options).not.toHaveProperty('headersTimeoutMs')
    expect(draftToSaved(reset, extrasOf(req), req.options).options).toEqual({})
    const plain = { ...emptySavedRequest('Plain'), url: 'http://127.0.0.1:1/' }
    expect(savedToDraft(plain).options.headersTimeoutMs).toBeNull()
    expect(draftToSaved(savedToDraft(plain), extrasOf(plain), plain.options).options).toEqual({})
  })
})
