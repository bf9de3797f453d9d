import { describe, expect, it } from 'vitest'
import { beautifyJson, jsonBodyProblem } from '../../src/renderer/editor/json-beautify'
import { jsonSyntaxError } from '../../src/renderer/editor/json-syntax-error'

/**
 * The note under a JSON body names what the person typed, never the check's masked copy: a bare `{{name}}` is
 * checked as a string of underscores of its length, and V8's "Unexpected token" message quotes the text it was
 * given ('Unexpected token ']', "["___", ]" is not valid JSON'). The note says what was expected, at a line and
 * column of the typed text, and which character it found there.
 */

/** The masking's marks: a run of underscores, or one in quotes. */
const PLACEHOLDER = /__|"_/

describe('the JSON body note', () => {
  it('names the place and the character typed, not the placeholder of a variable', () => {
    const note = jsonBodyProblem('[{{a}}, ]')
    expect(note).toBe("Not valid JSON: expected a value at line 1, column 9, found ']' (it is sent as typed)")
    const long = jsonBodyProblem('{"user": {{userName}}, "tags": [{{firstTag}}, ], "n": 1}')
    expect(long).toMatch(/^Not valid JSON: expected a value at line 1, column 47, found '\]'/)
    expect(long).not.toMatch(PLACEHOLDER)
  })

  it('says the line and column of a problem on a later line', () => {
    expect(jsonBodyProblem('{"n": {{count}},\n "x": 1,}')).toBe(
      "Not valid JSON: expected a property name in double quotes at line 2, column 9, found '}' (it is sent as typed)",
    )
  })

  it('names the backslash typed, not the mark the check puts for the one the send drops', () => {
    // Two typed, one sent: the lone backslash before the value is no JSON escape.
    const note = jsonBodyProblem('{"path":"C:\\\\{{userName}}"}')
    expect(note).toMatch(
      /^Not valid JSON: expected a JSON escape after \\ .* at line 1, column 13, found '\\'/,
    )
    expect(note).not.toMatch(PLACEHOLDER)
    // Literal braces where a value goes are sent as `{{x}}`, which is not JSON.
    expect(jsonBodyProblem('{"n": \\{{count}}}')).toMatch(
      /^Not valid JSON: expected a value at line 1, column 7, found '\\'/,
    )
  })

  it('says so where the text ends too soon, and Beautify gives the same reason', () => {
    expect(jsonBodyProblem('{"a": [1, {{b}}')).toBe(
      "Not valid JSON: expected ',' or ']' at line 1, column 16, the text ends there (it is sent as typed)",
    )
    const refused = beautifyJson('{"a": {{b}} "c": 1}')
    expect(refused).toEqual({
      ok: false,
      message: "Not beautified: not valid JSON (expected ',' or '}' at line 1, column 13, found '\"')",
    })
  })
})

describe('the JSON syntax walk', () => {
  it('agrees with JSON.parse on what is JSON', () => {
    const valid = [
      '0',
      '-0.5e+10',
      '"a\\u00e9\\n"',
      '[]',
      '{}',
      ' { "a" : [ 1 , true , null , { "b" : "c" } ] } ',
      JSON.stringify({ deep: Array.from({ length: 50 }, (_, i) => ({ i, s: `x${i}`, f: i / 3 })) }),
      '['.repeat(100_000) + ']'.repeat(100_000),
    ]
    for (const t of valid) expect(jsonSyntaxError(t), t.slice(0, 40)).toBeNull()
    const invalid = [
      '',
      '01',
      '1.',
      '-',
      '1e',
      '[1,]',
      '{"a"}',
      '{"a":1,}',
      "{'a':1}",
      '"\\x"',
      '"a\nb"',
      '[1] 2',
      'tru',
      '{"a":1',
      '"open',
    ]
    for (const t of invalid) {
      expect(() => JSON.parse(t), t).toThrow()
      expect(jsonSyntaxError(t), t).not.toBeNull()
    }
  })
})
