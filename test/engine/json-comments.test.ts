import { describe, expect, it } from 'vitest'
import { stripJsonComments } from '../../src/engine/importers/json-comments'

/** Comments (and, for Hoppscotch, trailing commas) out of an imported JSON body; strings and the rest kept. */
describe('stripJsonComments', () => {
  it('takes out line and block comments; strings that look like comments stay', () => {
    const text = '{\n  // who\n  "url": "http://x/y", /* inline */ "n": 1 // end\n}'
    const r = stripJsonComments(text, false)
    expect(JSON.parse(r.text)).toEqual({ url: 'http://x/y', n: 1 })
    expect(r.comments).toBe(3)
    // The comment alone on its line goes with its line; the others leave what was around them.
    expect(r.text).toBe('{\n  "url": "http://x/y",  "n": 1 \n}')
    expect(stripJsonComments('{\r\n  /* a\r\n  b */\r\n  "a": 1\r\n}', false).text).toBe('{\r\n  "a": 1\r\n}')
  })

  it('keeps escaped quotes, {{variables}} and a body without comments exactly', () => {
    const text = '{"a": "say \\"//hi\\"", "id": {{id}}, "b": "/* no */"}'
    expect(stripJsonComments(text, true)).toEqual({ text, comments: 0, commas: 0 })
  })

  it('drops trailing commas when asked, past whitespace and comments, and not otherwise', () => {
    const text = '{"a": [1, 2,\n // last\n ], "b": {"c": 3,},}'
    const r = stripJsonComments(text, true)
    expect(JSON.parse(r.text)).toEqual({ a: [1, 2], b: { c: 3 } })
    expect(r).toMatchObject({ comments: 1, commas: 3 })
    expect(stripJsonComments(text, false).commas).toBe(0)
  })

  it('leaves an unclosed block comment as written, and stays linear on many of them', () => {
    expect(stripJsonComments('{"a": 1 /* open', false).text).toBe('{"a": 1 /* open')
    // Searching for the end again at each of 200,000 openings would be minutes of scanning (the test's time
    // limit ends it); one search is milliseconds.
    const many = ', /*'.repeat(200_000)
    expect(stripJsonComments(many, true).text).toBe(many)
    // 200,000 comments on one line: each looks back only at the blanks just before it.
    expect(stripJsonComments(`[1${' /*x*/'.repeat(200_000)}]`, false).text).toBe(
      '[1]'.replace(']', ' '.repeat(200_000) + ']'),
    )
  })
})
