import { describe, expect, it } from 'vitest'
import type { Range } from '@tanstack/react-virtual'
import { followRange } from '../../src/renderer/timeline/follow-range'

/**
 * While following live, the rows at the bottom are rendered in the same commit that lists them (the scroll
 * there reaches the virtual list a frame later), and a range far above them is not; otherwise the list renders
 * exactly the virtualizer's range.
 */

const range = (startIndex: number, endIndex: number, count: number): Range => ({
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
})
