import { describe, expect, it } from 'vitest'
import {
  endScrollTop,
  followRange,
  rowsAt,
  scrollTopToShow,
  tailRoom,
  type RowRange,
} from '../../src/renderer/timeline/follow-range'

/**
 * The timeline's rows are one height: the rows on screen at a scroll offset, and the scroll that shows a row, are
 * arithmetic. While following live, the rows at the bottom are rendered in the same commit that lists them (the
 * scroll there reaches the list a frame later), and a range far above them is not; otherwise the list renders the
 * rows on screen and the overscan.
 */

const range = (startIndex: number, endIndex: number, count: number): RowRange => ({
  startIndex,
  endIndex,
  count,
  overscan: 2,
})
const span = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)

describe('the rows the timeline renders', () => {
  it('are the virtualizer range when not following', () => {
    expect(followRange(range(10, 14, 100), false, 100, 20)).toEqual(span(8, 16))
  })

  it('while following, render the bottom rows a viewport high, overscan included, not a range far above', () => {
    // 100 rows, a 100 px viewport of 20 px rows: the last 5 on screen, 2 more above. The range the list was at
    // (rows 8-16, before a commit listed 80 more) is scrolled away before the next paint: laying it out in that
    // frame showed nothing.
    expect(followRange(range(10, 14, 100), true, 100, 20)).toEqual(span(93, 99))
  })

  it('while following, merge a range next to or over the bottom into one run', () => {
    expect(followRange(range(88, 92, 100), true, 100, 20)).toEqual(span(86, 99))
    expect(followRange(range(95, 99, 100), true, 100, 20)).toEqual(span(93, 99))
  })

  it('while following, render every row of a list shorter than the viewport, and none of an empty one', () => {
    expect(followRange(range(0, 2, 3), true, 100, 20)).toEqual(span(0, 2))
    expect(followRange({ startIndex: 0, endIndex: 0, count: 0, overscan: 2 }, true, 100, 20)).toEqual([])
  })

  it('are the rows a scroll offset shows, a partly shown row included, whatever the number of rows', () => {
    // 20 px rows, a 100 px viewport: at 0, rows 0-4; at 30, row 1 is half hidden and row 6 half shown.
    expect(rowsAt(0, 100, 1_000, 20, 2)).toEqual(range(0, 4, 1_000))
    expect(rowsAt(30, 100, 1_000, 20, 2)).toEqual(range(1, 6, 1_000))
    expect(rowsAt(19_900, 100, 1_000, 20, 2)).toEqual(range(995, 999, 1_000))
    expect(rowsAt(1_999_000, 100, 100_000, 20, 2)).toEqual(range(99_950, 99_954, 100_000))
  })

  it('read an offset past the end (the list shrank before the scroll event) as the end, and show none of none', () => {
    expect(rowsAt(19_900, 100, 50, 20, 2)).toEqual(range(45, 49, 50))
    expect(rowsAt(500, 100, 3, 20, 2)).toEqual(range(0, 2, 3))
    expect(rowsAt(0, 100, 0, 20, 2)).toBeNull()
    expect(rowsAt(0, 0, 10, 20, 2)).toBeNull()
  })

  it('scroll the least that shows a row (keys, a selection), and not at all when it is shown', () => {
    // At 100 the viewport shows rows 5-9.
    expect(scrollTopToShow(7, 100, 100, 20)).toBeNull()
    expect(scrollTopToShow(5, 100, 100, 20)).toBeNull()
    expect(scrollTopToShow(9, 100, 100, 20)).toBeNull()
    expect(scrollTopToShow(4, 100, 100, 20)).toBe(80)
    expect(scrollTopToShow(10, 100, 100, 20)).toBe(120)
    expect(scrollTopToShow(500, 100, 100, 20)).toBe(9_920)
    // Row 5 half hidden at 110: its top is brought to the top.
    expect(scrollTopToShow(5, 110, 100, 20)).toBe(100)
  })
})

describe("the list's end, where Follow live keeps it", () => {
  it('starts at a whole row: the part of a row left over is room under the last one', () => {
    // 8 rows of 22 px in a 166 px viewport: the end was 10 px into the first row, under the header.
    expect(tailRoom(8, 166, 22)).toBe(12)
    expect(endScrollTop(8, 166, 22)).toBe(22)
    expect(endScrollTop(8, 166, 22) % 22).toBe(0)
    // The newest row is whole at the bottom.
    expect(8 * 22 - endScrollTop(8, 166, 22)).toBeLessThanOrEqual(166)
  })

  it('adds nothing while the rows fit or the viewport is whole rows', () => {
    expect(tailRoom(7, 166, 22)).toBe(0)
    expect(endScrollTop(7, 166, 22)).toBe(0)
    expect(tailRoom(20, 176, 22)).toBe(0)
    expect(endScrollTop(20, 176, 22)).toBe(264)
    expect(tailRoom(0, 0, 22)).toBe(0)
  })
})
