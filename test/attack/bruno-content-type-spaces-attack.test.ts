import { describe, expect, it } from 'vitest'
import { BruParseError, blockMap, parseBru } from '../../src/engine/importers/bru-lang'
import { bodyOf } from '../../src/engine/importers/bruno-body'

/**
 * A `.bru` multipart row whose value holds a long run of spaces (a pasted value, a shared file). The pattern that
 * split off Bruno's `@contentType(…)` annotation put `\s*` beside lazy groups and backtracked quadratically:
 * 2,000 / 4,000 / 8,000 spaces took 22 / 75 / 272 ms here, 100,000 about 40 s, for each such row. Now the
 * annotation is found by indexOf and the value's trimmed end.
 */

const SPACES = ' '.repeat(120_000)

describe('a Bruno file with 120,000 spaces in a line', () => {
  // Before: tens of seconds of one synchronous call; the turn after it lets the test's 10 s bound fail it.
  it('is kept as it is, and the annotated parts around it keep their Content-Type', async () => {
    const bru = [
      'body:multipart-form {',
      `  plain: a${SPACES}x`,
      `  stray: @contentType()${SPACES}x`,
      `  meta: {"a":1}${SPACES}@contentType(application/json)`,
      '  pic: @file(a.png) @contentType(image/png)',
      '}',
      '',
    ].join('\n')
    const unsupported: string[] = []
    const body = bodyOf(blockMap(parseBru(bru)), 'multipartForm', unsupported, 'R')
    await new Promise((r) => setImmediate(r))
    expect(body.kind).toBe('multipart')
    const parts = body.kind === 'multipart' ? body.parts : []
    expect(parts.map((p) => p.name)).toEqual(['plain', 'stray', 'meta', 'pic'])
    expect(parts[0]).toMatchObject({ kind: 'text', value: `a${SPACES}x` })
    expect(parts[1]).toMatchObject({ kind: 'text', value: `@contentType()${SPACES}x` })
    expect(parts[2]).toMatchObject({ kind: 'text', value: '{"a":1}', contentType: 'application/json' })
    expect(parts[3]).toMatchObject({ kind: 'file', path: 'a.png', contentType: 'image/png' })
    // Only the note every relative file path gets (the import does not copy the file).
    expect(unsupported).toEqual([
      `R: part "pic" reads "a.png" relative to the Bruno collection's folder; the imported request reads it from the collection folder it is imported into: copy it there (or give a full path)`,
    ])
  }, 10_000)

  // The line that opens a block had a `\s*` on each side of its optional closer: 2,000 / 4,000 / 8,000 spaces
  // after `{` took 7 / 21 / 89 ms, 120,000 about 20 s. Before: the 10 s bound fails it.
  it("after a block's opening brace, is read in linear time: an empty block opens, a stray word is refused by line", async () => {
    const empty = parseBru(`headers {${SPACES}}${SPACES}\n`)
    expect(empty).toMatchObject([{ kind: 'pairs', name: 'headers', pairs: [] }])
    const stray = (() => {
      try {
        parseBru(`meta {${SPACES}x\n}\n`)
      } catch (e) {
        return e
      }
    })()
    await new Promise((r) => setImmediate(r))
    expect(stray).toBeInstanceOf(BruParseError)
    expect((stray as BruParseError).line).toBe(1)
  }, 10_000)
})
