/**
 * The timeline's table keys its rendered rows by slot, not by session. Keyed by session, every row a burst
 * listed at the bottom while following was a new set of elements (a dozen or so a row) and every row leaving
 * was removed: a click of "Send ×1000" moves the rows on screen by a thousand, so the batch that listed them
 * rebuilt every row on screen, and creating and removing those ~700 elements was most of the longest tasks
 * that applied a batch. Keyed by slot, a row leaving lends its elements to a row arriving, and React rewrites
 * only what differs between the two (texts, attributes, position).
 */

/** Row index → slot, for the rows rendered. */
export type RowSlots = ReadonlyMap<number, number>

/**
 * The slots of `rendered` (row indexes): a row rendered before keeps its slot, a row arriving takes a slot a
 * row that left had (the lowest first), then a new one. Slots stay unique among the rows rendered and no more
 * than the rows rendered at most at once. Costs the rows rendered, not the rows listed.
 */
export function assignRowSlots(before: RowSlots, rendered: readonly number[]): Map<number, number> {
  const slots = new Map<number, number>()
  const arriving: number[] = []
  for (const index of rendered) {
    const slot = before.get(index)
    if (slot === undefined) arriving.push(index)
    else slots.set(index, slot)
  }
  if (arriving.length === 0) return slots
  const taken = new Set(slots.values())
  const free: number[] = []
  for (const slot of before.values()) if (!taken.has(slot)) free.push(slot)
  free.sort((a, b) => b - a)
  let next = before.size
  for (const index of arriving) {
    let slot = free.pop()
    while (slot === undefined && taken.has(next)) next++
    if (slot === undefined) slot = next++
    taken.add(slot)
    slots.set(index, slot)
  }
  return slots
}

/**
 * The table's slots across renders: `assign` gives the slots of the rows rendered now, from those of the last
 * rows it was given. Any earlier assignment gives valid keys (unique among the rows rendered), so a render
 * React throws away costs only some reuse, never a wrong row.
 */
export function rowSlotKeeper(): { assign(rendered: readonly number[]): RowSlots } {
  let last: RowSlots = new Map()
  return {
    assign(rendered) {
      last = assignRowSlots(last, rendered)
      return last
    },
  }
}
