import { describe, expect, it } from 'vitest'
import { filled, sentScriptRequest } from '../../../src/engine/scripts/script-request'
import type { ScriptScopes } from '../../../src/engine/scripts/script-types'
import type { RequestSpec } from '../../../src/shared/request'

/**
 * What a test script sees of a request where the engine kept no copy (a disabled header, a send that never left)
 * is filled from the scopes as the send reads templates: escaped braces are the literal braces, two backslashes
 * before braces one backslash and the value.
 */

const scopes: ScriptScopes = {
  local: {},
  data: {},
  environment: { apiKey: 'SECRET' },
  collection: { x: 'X' },
  globals: {},
}

describe("a test script's view of what was sent", () => {
  it('shows escaped braces as the literal braces, never the variable’s value', () => {
    expect(filled('k=\\{{apiKey}}&v={{x}}', scopes)).toBe('k={{apiKey}}&v=X')
    expect(filled('a\\\\{{x}} {{ x }} {{nope}}', scopes)).toBe('a\\X X {{nope}}')
  })

  it('a disabled header holding an escape reads as typed braces', () => {
    const spec: RequestSpec = {
      method: 'GET',
      url: 'http://127.0.0.1:1/?q=\\{{apiKey}}',
      headers: [{ name: 'X-Note', value: '\\{{apiKey}}', enabled: false }],
      body: { kind: 'text', text: 'key \\{{apiKey}}', contentType: 'text/plain' },
      options: {},
    }
    const seen = sentScriptRequest(
      spec,
      { type: 'none' },
      { sids: [], events: [] } as never,
      scopes,
      undefined,
    )
    expect(seen.url).toBe('http://127.0.0.1:1/?q={{apiKey}}')
    expect(seen.headers).toEqual([{ key: 'X-Note', value: '{{apiKey}}', disabled: true }])
    expect(seen.body).toMatchObject({ raw: 'key {{apiKey}}' })
  })
})
