import { describe, expect, it } from 'vitest'
import { normalizeFolds } from '../../src/renderer/details/fold-map'
import type { LinePage } from '../../src/renderer/details/viewer-slice'
import { buildWrapMap, wrapBreaks, wrapCount } from '../../src/renderer/details/wrap-map'

const page = (lines: string[]): LinePage => ({ lines, closes: lines.map(() => -1) })

describe('wrapping long lines at a width', () => {
  it('cuts ASCII every `cols` characters and loses nothing', () => {
    const text = 'x'.repeat(290) + 'END'
    const breaks = wrapBreaks(text, 100)
    expect(breaks).toEqual([0, 100, 200])
    expect(wrapCount(text, 100)).toBe(3)
    expect(wrapCount('', 100)).toBe(1)
    const parts = breaks.map((b, i) => text.slice(b, breaks[i + 1] ?? text.length))
    expect(parts.join('')).toBe(text)
  })

  it('keeps words whole where a row has a space, and cuts a long token where it must', () => {
    const text = '  "note": "The quick brown fox jumps over the lazy dog"'
    const breaks = wrapBreaks(text, 20)
    const rows = breaks.map((b, i) => text.slice(b, breaks[i + 1] ?? text.length))
    // "quick" ends exactly at the edge, so the space after it starts the second row; "over" does not fit
    // after "jumps " and moves down whole.
    expect(rows).toEqual(['  "note": "The quick', ' brown fox jumps ', 'over the lazy dog"'])
    expect(rows.join('')).toBe(text)
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(20)
    expect(wrapCount(text, 20)).toBe(3)
    // Indentation is not a place to break; a token longer than a row is cut by characters.
    expect(wrapBreaks(`    ${'y'.repeat(30)}`, 20)).toEqual([0, 20])
    // A space that lands past the edge starts the next row.
    expect(wrapBreaks('abcde fghij klmno', 11)).toEqual([0, 11])
    expect(wrapBreaks('abcdefghij klm', 10)).toEqual([0, 10])
  })

  it('counts wide characters as two cells, tabs to the next stop, and never splits a surrogate pair', () => {
    expect(wrapBreaks('漢字漢字漢', 4)).toEqual([0, 2, 4])
    expect(wrapBreaks('\tab\tc', 10)).toEqual([0, 3])
    const emoji = '😀😀😀'
    const breaks = wrapBreaks(emoji, 3)
    expect(breaks).toEqual([0, 2, 4])
    for (const b of breaks) expect(emoji.codePointAt(b)).toBe(0x1f600)
    // A combining accent stays with its letter.
    expect(wrapBreaks('ae\u0301b', 2)).toEqual([0, 3])
  })

  it('maps list rows to lines and segments, with only the cached pages known', () => {
    // Lines 0..199 cached: line 1 takes 3 rows, line 3 takes 2; lines past 199 count as one row each.
    const lines = Array.from({ length: 200 }, (_, i) =>
      i === 1 ? 'a'.repeat(25) : i === 3 ? 'b'.repeat(12) : 'c',
    )
    const map = buildWrapMap(300, 300, new Map([[0, page(lines)]]), [], new Map(), 10)
    expect(map.rows).toBe(300 + 2 + 1)
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((r) => map.at(r))).toEqual([
      { visible: 0, segment: 0 },
      { visible: 1, segment: 0 },
      { visible: 1, segment: 1 },
      { visible: 1, segment: 2 },
      { visible: 2, segment: 0 },
      { visible: 3, segment: 0 },
      { visible: 3, segment: 1 },
      { visible: 4, segment: 0 },
    ])
    expect([0, 1, 2, 3, 4, 299].map((v) => map.rowOf(v))).toEqual([0, 1, 4, 5, 7, 302])
    for (let r = 0; r < map.rows; r++) {
      const at = map.at(r)
      expect(map.rowOf(at.visible) + at.segment).toBe(r)
    }
  })

  it('counts a folded line once, as the row it shows, and nothing inside the fold', () => {
    const lines = ['{', '  "a": [', '    "' + 'x'.repeat(40) + '"', '  ]', '}']
    const foldMap = new Map([[1, 3]])
    const map = buildWrapMap(3, 5, new Map([[0, page(lines)]]), normalizeFolds(foldMap), foldMap, 20)
    // Rows: "{", the folded "  "a": [ … ]" (one row at 20 cells), "}": the long line is hidden.
    expect(map.rows).toBe(3)
  })

  it('counts a page of long non-ASCII lines in milliseconds, not seconds', () => {
    // 1,000 lines of 2,000 accented and CJK characters: about five pages of a wrapped body.
    // Distinct strings, as they arrive from the engine (parsed from its reply), not one string repeated.
    const lines = JSON.parse(
      JSON.stringify(Array.from({ length: 1000 }, (_, i) => `${'é漢'.repeat(1000)}${i % 10}`)),
    ) as string[]
    // CPU time, not wall time: on a busy machine the count can wait for a core far longer than it computes
    // (1.6 s of wall time for a few ms of work under two busy loops), and that wait says nothing about it.
    const before = process.cpuUsage()
    const map = buildWrapMap(1000, 1000, new Map([[0, page(lines)]]), [], new Map(), 100)
    const used = process.cpuUsage(before)
    const cpuMs = (used.user + used.system) / 1000
    // Each line: 1,000 one-cell and 1,000 two-cell characters, 3,000 cells; a two-cell character never
    // straddles a row's end, so rows of 99 cells alternate with rows of 100 and the line takes 31.
    expect(map.rows).toBe(31_000)
    expect(cpuMs).toBeLessThan(500)
  })
})
