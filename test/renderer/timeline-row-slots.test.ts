import { describe, expect, it } from 'vitest'
import { followRange, rowsAt } from '../../src/renderer/timeline/follow-range'
import { assignRowSlots, type RowSlots } from '../../src/renderer/timeline/row-slots'

/**
 * The table keys its rendered rows by slot (row-slots.ts): following a burst, the batch that lists a thousand
 * rows moves every row on screen, and keyed by session each of those was a row's elements removed and created
 * again. Counted here as the keys that appear and go, which is what React mounts and unmounts.
 */

const ROW = 19
const VIEW = 34 * ROW

/** The rows the table renders following the bottom of `count` rows. */
const followed = (count: number): number[] => {
  const range = rowsAt(count * ROW, VIEW, count, ROW, 12)
  return range ? followRange(range, true, VIEW, ROW) : []
}

function keysOf(slots: RowSlots, rendered: readonly number[]): Set<number> {
  return new Set(rendered.map((i) => slots.get(i) as number))
}

describe('row slots', () => {
  it('keeps every key when a burst moves the followed rows by a thousand', () => {
    let slots: RowSlots = new Map()
    let rendered = followed(5_000)
    slots = assignRowSlots(slots, rendered)
    let mounted = rendered.length
    for (let count = 6_000; count <= 15_000; count += 1_000) {
      const next = followed(count)
      const nextSlots = assignRowSlots(slots, next)
      const before = keysOf(slots, rendered)
      for (const key of keysOf(nextSlots, next)) if (!before.has(key)) mounted++
      slots = nextSlots
      rendered = next
    }
    // Keyed by session, each of the ten moves mounted all ~46 rows again.
    expect(rendered.length).toBeGreaterThan(40)
    expect(mounted).toBe(rendered.length)
  })

  it('gives one new row its slot when the list scrolls by a row, and keeps the keys unique', () => {
    const at = (top: number): number[] => {
      const range = rowsAt(top * ROW, VIEW, 15_000, ROW, 12)
      return range ? followRange(range, false, VIEW, ROW) : []
    }
    let rendered = at(100)
    let slots: RowSlots = assignRowSlots(new Map(), rendered)
    for (let top = 101; top < 200; top++) {
      const next = at(top)
      const nextSlots = assignRowSlots(slots, next)
      // The rows still on screen keep their slots.
      for (const i of next) if (slots.has(i)) expect(nextSlots.get(i)).toBe(slots.get(i))
      expect(keysOf(nextSlots, next).size).toBe(next.length)
      slots = nextSlots
      rendered = next
    }
    expect(Math.max(...slots.values())).toBeLessThan(rendered.length)
  })
})
