import { barRects, serverSliceRects } from './lanes'
import { interimMarkRects } from './interim-marks'
import { timeToX } from './time-view'
import { consoleMarks, scriptRects } from '../scripts/script-paint'
import type { PaintModel, TickLabel } from './waterfall-paint'

/**
 * What was just painted, on the canvases' data attributes, for screen readers' and tests' sake: the tick labels
 * (text and place), the window, and the hovered row's bar segments. The numbers are the painter's own (the
 * same `barRects` the lane drew), not a second computation. Written only when they change.
 */
export function exposePainted(
  head: HTMLCanvasElement,
  body: HTMLCanvasElement,
  m: PaintModel,
  labels: readonly TickLabel[],
): void {
  const set = (el: HTMLElement, key: string, value: string | null): void => {
    if (value === null) delete el.dataset[key]
    else if (el.dataset[key] !== value) el.dataset[key] = value
  }
  set(head, 'ticks', JSON.stringify(labels.map((l) => ({ text: l.text, x: round2(l.x), w: round2(l.w) }))))
  set(head, 'window', JSON.stringify({ start: m.window.start, end: m.window.end, width: m.width }))
  const item = m.hoverIndex === null ? undefined : m.items[m.hoverIndex]
  const row = typeof item === 'string' ? m.timeline.rows[item] : undefined
  if (!row || typeof item !== 'string') {
    set(body, 'hoverBars', null)
    return
  }
  const x = (t: number): number => timeToX(m.window, t, m.width)
  const bars = barRects(row, m.now, x, m.width).map((r) => ({
    phase: r.phase,
    x: round2(r.x),
    w: round2(r.w),
  }))
  const slices = serverSliceRects(row, x, m.width).map((r) => ({
    name: r.name,
    x: round2(r.x),
    w: round2(r.w),
  }))
  const scripts = scriptRects(row, x, m.width).map((r) => ({
    phase: r.phase,
    x: round2(r.x),
    w: round2(r.w),
  }))
  // The interim (1xx) marks as painted (the row's height does not matter for where they are).
  const interim = row.informational
    ? interimMarkRects(row.informational, x, m.width, 0, 20).map((r) => ({ x: r.x, w: r.w }))
    : []
  const marks = consoleMarks(row, x, m.width).map((c) => ({ phase: c.phase, level: c.level, x: round2(c.x) }))
  set(
    body,
    'hoverBars',
    JSON.stringify({
      sid: item,
      bars,
      ...(slices.length > 0 ? { slices } : {}),
      ...(scripts.length > 0 ? { scripts } : {}),
      ...(marks.length > 0 ? { consoleMarks: marks } : {}),
      ...(interim.length > 0 ? { interim } : {}),
    }),
  )
}

const round2 = (n: number): number => Math.round(n * 100) / 100
