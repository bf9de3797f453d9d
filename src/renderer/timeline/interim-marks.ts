import type { InformationalSummary } from './session-row'

/** Geometry of the waterfall's interim-response marks: plain numbers, so it is tested without a canvas. */

export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

/**
 * The marks of a row's interim (1xx) responses, on the waiting part of its bar: a tick at each one kept with
 * its headers; past those (a flood), a line along the top to a tick at the latest. Whole pixels, only what is
 * on screen, and never more than the kept ones plus two, however many came.
 */
export function interimMarkRects(
  info: InformationalSummary,
  x: (t: number) => number,
  width: number,
  y: number,
  rowHeight: number,
): Rect[] {
  const top = y + 3
  const h = rowHeight - 6
  const out: Rect[] = []
  const tick = (t: number): void => {
    const px = Math.round(x(t))
    // Two pixels wide: a one-pixel tick on the green waiting bar is easy to miss.
    if (px >= 0 && px <= width) out.push({ x: px, y: top, w: 2, h })
  }
  for (const mark of info.kept) tick(mark.t)
  const lastKept = info.kept[info.kept.length - 1]
  if (info.count > info.kept.length) {
    const from = Math.max(0, Math.round(x(lastKept?.t ?? info.lastT)))
    const to = Math.min(width, Math.round(x(info.lastT)))
    if (to > from) out.push({ x: from, y: top, w: to - from, h: 2 })
    tick(info.lastT)
  }
  return out
}
