import { describe, expect, it } from 'vitest'
import {
  lineOfRow,
  normalizeFolds,
  rowOfLine,
  unfoldAround,
  visibleRows,
} from '../../src/renderer/details/fold-map'

describe('folding a virtualised line list', () => {
  // 0 {   1 "a": [   2 1,   3 2   4 ],   5 "b": {   6 "c": 1   7 }   8 }
  const folds = normalizeFolds(
    new Map([
      [1, 4],
      [5, 7],
      [2, 3], // nested in 1..4: ignored
    ]),
  )

  it('drops folds nested in another fold and sorts them', () => {
    expect(folds).toEqual([
      [1, 4],
      [5, 7],
    ])
  })

  it('counts the rows left and maps rows to lines and back', () => {
    expect(visibleRows(9, folds)).toBe(4)
    expect([0, 1, 2, 3].map((r) => lineOfRow(r, folds))).toEqual([0, 1, 5, 8])
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((l) => rowOfLine(l, folds))).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 3])
  })

  it('unfolds whatever hides a line', () => {
    const m = unfoldAround(
      new Map([
        [1, 4],
        [5, 7],
      ]),
      3,
    )
    expect([...m.entries()]).toEqual([[5, 7]])
  })

  it('costs nothing without folds', () => {
    expect(visibleRows(5_000_000, [])).toBe(5_000_000)
    expect(lineOfRow(4_999_999, [])).toBe(4_999_999)
  })
})

describe('a scaled list window', () => {
  it('scrolls a pixel per pixel while the content fits', async () => {
    const { scaledWindow } = await import('../../src/renderer/details/scaled-window')
    const w = scaledWindow(1000, 16, 160, 320)
    expect([w.contentHeight, w.first, w.last, w.offsetRows]).toEqual([16_000, 10, 31, 10])
    expect(w.scrollTopFor(500, 320)).toBe((500 - 10) * 16)
  })

  it('maps the scroll range proportionally onto 10 million rows', async () => {
    const { scaledWindow, MAX_SCROLL_PX } = await import('../../src/renderer/details/scaled-window')
    const rows = 10_000_000
    const top = scaledWindow(rows, 16, 0, 320)
    expect(top.contentHeight).toBe(MAX_SCROLL_PX)
    expect(top.first).toBe(0)
    const end = scaledWindow(rows, 16, MAX_SCROLL_PX, 320)
    expect(end.last).toBe(rows)
    expect(end.first).toBe(rows - 20)
    const mid = scaledWindow(rows, 16, (MAX_SCROLL_PX - 320) / 2, 320)
    expect(mid.first).toBe(Math.floor((rows - 20) / 2))
    // Jumping to a row lands with it on screen.
    const at = scaledWindow(rows, 16, top.scrollTopFor(7_654_321, 320), 320)
    expect(at.first <= 7_654_321 && 7_654_321 < at.last).toBe(true)
  })
})
