import { describe, expect, it } from 'vitest'
import { beautifyJson, jsonBodyProblem } from '../../src/renderer/editor/json-beautify'

/**
 * The JSON body's check reads backslashes before `{{` as the send does (src/shared/template-scan.ts): escaped
 * braces in a string (`"\{{apiKey}}"`, sent as `"{{apiKey}}"`) are valid JSON, not "Bad escaped character";
 * what the send makes invalid is still said, at the position typed.
 */
describe('a JSON body with escaped braces', () => {
  it('is valid where the send makes it valid', () => {
    expect(jsonBodyProblem('{"key":"\\{{apiKey}}","user":"{{userName}}"}')).toBeNull()
    // Four typed, two sent: one backslash in the JSON string, then the value.
    expect(jsonBodyProblem('{"path":"C:\\\\\\\\{{userName}}"}')).toBeNull()
    expect(beautifyJson('{"key":"\\{{apiKey}}"}')).toEqual({
      ok: true,
      text: '{\n  "key": "\\{{apiKey}}"\n}',
    })
  })

  it('is not where the send makes it invalid', () => {
    // Two typed, one sent: a lone backslash before the value is no JSON escape.
    expect(jsonBodyProblem('{"path":"C:\\\\{{userName}}"}')).toMatch(/^Not valid JSON: /)
    // Literal braces where a value goes are sent as `{{x}}`, which is not JSON.
    const bare = jsonBodyProblem('{"n": \\{{count}}}')
    expect(bare).toMatch(/^Not valid JSON: expected a value at line 1, column 7, found '\\'/)
  })
})
