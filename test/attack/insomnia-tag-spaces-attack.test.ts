import { describe, expect, it } from 'vitest'
import { TagMapper } from '../../src/engine/importers/insomnia-tags'

/**
 * An Insomnia export whose field holds `{% a` and then a long run of spaces, never closed (a shared file, or a
 * big pretty-printed body with a stray `{%`). The pattern that maps Insomnia's template tags let spaces match
 * after the tag's name, inside its arguments and after them, and backtracked cubically: 400 spaces took 85 ms,
 * 4,000 did not end in 100 s, for each such field. Now the arguments are trimmed after a linear match.
 */

describe('an unclosed Insomnia tag followed by thousands of spaces', () => {
  // Before: ~40 s of one synchronous call; the turn after it lets the test's 10 s bound fail it.
  it('is kept as text, and the tags around it are still mapped', async () => {
    const unmapped: string[] = []
    const tags = new TagMapper(new Map(), unmapped)
    const stray = `{% a${' '.repeat(3_000)}x`
    const out = tags.replace(`{% uuid %} ${stray} {%now 'unix'%}`, 'request "R" body', 'req_1')
    await new Promise((r) => setImmediate(r))
    expect(out).toBe(`{{$uuid}} ${stray} {{$timestamp}}`)
    expect(unmapped).toEqual([])
  }, 10_000)
})
