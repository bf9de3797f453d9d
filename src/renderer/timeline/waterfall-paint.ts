import { formatTick } from './time-axis'
import type { TimelineState } from './apply-batch'
import { concurrencySeries, type ConcurrencySeries, type StripSpans } from './concurrency'
import {
  drawHookMark,
  drawHttpLane,
  drawJobEnd,
  HOOK_COLOR,
  HOOK_CUT_COLOR,
  laneRendererFor,
  type PhaseColors,
} from './lanes'
import { interimMarkRects } from './interim-marks'
import type { ViewItem } from './table-view'
import { ticksForWidth, timeToX, windowTickStep, windowTicks, type TimeWindow } from './time-view'

/**
 * Painting the waterfall: the bars of the rows on screen (one canvas, whatever the number of sessions) and the
 * header above them (the concurrency strip and the tick labels). Called at most once per animation frame, and
 * only when something changed; the caller owns scheduling.
 */

export const ROW_HEIGHT = 22
export const STRIP_HEIGHT = 22
export const TICKS_HEIGHT = 16
export const HEADER_HEIGHT = STRIP_HEIGHT + TICKS_HEIGHT

export interface Palette {
  phases: PhaseColors
  grid: string
  tick: string
  text: string
  hover: string
  mark: string
  group: string
  stripActive: string
  stripQueued: string
  /** Behind labels drawn over the strip. */
  labelBg: string
}

export interface PaintModel {
  timeline: TimelineState
  items: readonly ViewItem[]
  window: TimeWindow
  now: number
  /** Waterfall width and body height in CSS px. */
  width: number
  height: number
  scrollTop: number
  hoverIndex: number | null
  /** Rows marked for comparison: outlined. */
  marked: readonly string[]
}

/** The item index under a y coordinate of the body canvas, or null past the end. */
export function itemIndexAt(y: number, scrollTop: number, count: number): number | null {
  const i = Math.floor((y + scrollTop) / ROW_HEIGHT)
  return i >= 0 && i < count ? i : null
}

/** The item indexes with any part on screen. */
export function visibleRange(scrollTop: number, height: number, count: number): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT))
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT))
  return [first, last]
}

export function paintBody(
  ctx: CanvasRenderingContext2D,
  m: PaintModel,
  palette: Palette,
  cancelledFill: CanvasPattern | string,
): void {
  ctx.clearRect(0, 0, m.width, m.height)
  const x = (t: number): number => timeToX(m.window, t, m.width)
  const origin = m.timeline.origin ?? m.window.start

  ctx.fillStyle = palette.grid
  for (const t of windowTicks(m.window, origin, ticksForWidth(m.width))) {
    const px = Math.round(x(t))
    if (px >= 0 && px <= m.width) ctx.fillRect(px, 0, 1, m.height)
  }

  const [first, last] = visibleRange(m.scrollTop, m.height, m.items.length)
  for (let i = first; i <= last; i++) {
    const item = m.items[i]
    if (item === undefined) continue
    const y = i * ROW_HEIGHT - m.scrollTop
    if (i === m.hoverIndex) {
      ctx.fillStyle = palette.hover
      ctx.fillRect(0, y, m.width, ROW_HEIGHT)
    }
    if (typeof item !== 'string') {
      // A group: one thin span from its first request to its latest event.
      const x0 = Math.max(0, x(item.start))
      const x1 = Math.min(m.width, Math.max(x(item.end), x0 + 1))
      if (x1 >= 0 && x0 <= m.width) {
        ctx.fillStyle = palette.group
        ctx.fillRect(x0, y + ROW_HEIGHT / 2 - 2, x1 - x0, 4)
      }
      continue
    }
    const row = m.timeline.rows[item]
    if (!row) continue
    const lane = {
      ctx,
      row,
      y,
      height: ROW_HEIGHT,
      width: m.width,
      x,
      now: m.now,
      colors: palette.phases,
      cancelledFill,
    }
    laneRendererFor(row.queued.kind)(lane)
    if (row.informational) {
      ctx.fillStyle = palette.mark
      for (const r of interimMarkRects(row.informational, x, m.width, y, ROW_HEIGHT))
        ctx.fillRect(r.x, r.y, r.w, r.h)
    }
    // A job's polls and a long poll's repeats share the row of the request that started them.
    for (const sid of row.members ?? []) {
      const member = m.timeline.rows[sid]
      if (member) drawHttpLane({ ...lane, row: member })
    }
    for (const sid of row.hooks ?? []) {
      const hook = m.timeline.rows[sid]
      if (hook) {
        const color = hook.state === 'error' ? HOOK_CUT_COLOR : HOOK_COLOR
        drawHookMark(ctx, Math.round(x(hook.queued.t)), y, ROW_HEIGHT, m.width, color)
      }
    }
    const job = row.job
    if (job && job.state !== 'running')
      drawJobEnd(
        ctx,
        Math.min(x(job.t), m.width - 2),
        y,
        ROW_HEIGHT,
        job.state === 'completed' || job.state === 'matched',
      )
    if (m.marked.includes(item)) {
      ctx.strokeStyle = palette.mark
      ctx.lineWidth = 1
      ctx.strokeRect(0.5, y + 1.5, m.width - 1, ROW_HEIGHT - 3)
    }
  }
}

/** A concurrency series with the window it was counted over (it may be a few frames old when drawn). */
export interface StripSeries extends ConcurrencySeries {
  window: TimeWindow
  buckets: number
}

/** Count the strip for the model's window: a column per 2 px. */
export function stripSeries(m: PaintModel, spans?: StripSpans): StripSeries {
  const buckets = Math.max(1, Math.floor(m.width / 2))
  return { ...concurrencySeries(m.timeline, m.window, buckets, m.now, spans), window: m.window, buckets }
}

/**
 * The header: the concurrency strip (on the wire solid, queued light, stacked) and the tick labels. The strip's
 * series is counted by the caller at most a few times a second during a burst (it visits every row) and drawn
 * on the current window, so it stays aligned with the bars while it catches up. Returns the tick labels it
 * painted (the page exposes them for tests and screen readers).
 */
export function paintHeader(
  ctx: CanvasRenderingContext2D,
  m: PaintModel,
  palette: Palette,
  series: StripSeries | null,
): TickLabel[] {
  ctx.clearRect(0, 0, m.width, HEADER_HEIGHT)
  const x = (t: number): number => timeToX(m.window, t, m.width)
  const origin = m.timeline.origin ?? m.window.start

  if (m.timeline.order.length > 0 && series) {
    const scale = series.peak > 0 ? (STRIP_HEIGHT - 4) / series.peak : 0
    const span = series.window.end - series.window.start
    const step = span / series.buckets
    for (let i = 0; i < series.buckets; i++) {
      const a = series.active[i] ?? 0
      const q = series.queued[i] ?? 0
      if (a + q === 0) continue
      // Whole pixels, each column ending where the next begins: no hairline gaps between them.
      const x0 = Math.floor(x(series.window.start + i * step))
      const bw = Math.max(1, Math.floor(x(series.window.start + (i + 1) * step)) - x0)
      if (x0 + bw < 0 || x0 > m.width) continue
      const ha = Math.max(a > 0 ? 1 : 0, a * scale)
      const hq = Math.max(q > 0 ? 1 : 0, q * scale)
      ctx.fillStyle = palette.stripActive
      ctx.fillRect(x0, STRIP_HEIGHT - ha, bw, ha)
      ctx.fillStyle = palette.stripQueued
      ctx.fillRect(x0, STRIP_HEIGHT - ha - hq, bw, hq)
    }
    ctx.font = '10px system-ui, sans-serif'
    ctx.textBaseline = 'top'
    ctx.textAlign = 'right'
    const label = `peak ${series.peak}`
    const lw = ctx.measureText(label).width
    ctx.fillStyle = palette.labelBg
    ctx.fillRect(m.width - lw - 8, 1, lw + 6, 13)
    ctx.fillStyle = palette.text
    ctx.fillText(label, m.width - 4, 2)
    ctx.textAlign = 'left'
  }

  ctx.fillStyle = palette.grid
  ctx.fillRect(0, STRIP_HEIGHT, m.width, 1)
  ctx.font = '10px system-ui, sans-serif'
  ctx.textBaseline = 'middle'
  const maxTicks = ticksForWidth(m.width)
  const step = windowTickStep(m.window, maxTicks)
  const labels: TickLabel[] = []
  let freeFrom = 0
  for (const t of windowTicks(m.window, origin, maxTicks)) {
    const px = Math.round(x(t))
    if (px < 0 || px > m.width) continue
    ctx.fillStyle = palette.tick
    ctx.fillRect(px, STRIP_HEIGHT, 1, TICKS_HEIGHT)
    const text = formatTick(Math.round((t - origin) * 1e6) / 1e6, step)
    const w = ctx.measureText(text).width
    // Right of its tick; the last one flips to the tick's left rather than run off the edge, and a label
    // that would overlap the one before is left out (its tick line stays).
    let lx = px + 3
    if (lx + w > m.width - 1) lx = px - 3 - w
    if (lx < freeFrom || lx < 0) continue
    ctx.fillStyle = palette.text
    ctx.fillText(text, lx, STRIP_HEIGHT + TICKS_HEIGHT / 2)
    labels.push({ text, x: lx, w })
    freeFrom = lx + w + 6
  }
  return labels
}

/** A tick label as painted: its text and where it sits, in CSS px from the waterfall's left edge. */
export interface TickLabel {
  text: string
  x: number
  w: number
}

/** Read the phase colours and the rest from the theme's CSS variables on `el`. */
export function readPalette(el: Element): Palette {
  const css = getComputedStyle(el)
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback
  return {
    phases: {
      blocked: v('--ph-blocked', '#b4bac2'),
      dns: v('--ph-dns', '#009688'),
      connect: v('--ph-connect', '#f08a24'),
      tls: v('--ph-tls', '#9c46c6'),
      send: v('--ph-send', '#1f9d55'),
      wait: v('--ph-wait', '#5cc587'),
      receive: v('--ph-receive', '#2f7fe6'),
      error: v('--ph-error', '#e5484d'),
      cancelled: v('--ph-cancelled-a', '#b4bac2'),
      'cancelled-b': v('--ph-cancelled-b', '#e3e6ea'),
      script: v('--ph-script', '#d4a72c'),
      'console-warn': v('--warn', '#9a6700'),
    },
    grid: v('--grid-line', '#eceef1'),
    tick: v('--border-strong', '#c3cad2'),
    text: v('--fg-muted', '#646d78'),
    hover: v('--bg-hover', '#eef1f5'),
    mark: v('--accent', '#1f6feb'),
    group: v('--fg-faint', '#9aa2ac'),
    stripActive: v('--ph-receive', '#2f7fe6'),
    stripQueued: v('--ph-blocked', '#b4bac2'),
    labelBg: v('--bg-panel', '#f6f7f9'),
  }
}

/** The diagonal stripes of a cancelled segment, as DevTools draws them. */
export function stripePattern(ctx: CanvasRenderingContext2D, a: string, b: string): CanvasPattern | string {
  const doc = ctx.canvas.ownerDocument
  const tile = doc.createElement('canvas')
  tile.width = 6
  tile.height = 6
  const t = tile.getContext('2d')
  if (!t) return a
  t.fillStyle = b
  t.fillRect(0, 0, 6, 6)
  t.strokeStyle = a
  t.lineWidth = 2
  t.beginPath()
  for (let k = -6; k <= 12; k += 6) {
    t.moveTo(k, 6)
    t.lineTo(k + 6, 0)
  }
  t.stroke()
  return ctx.createPattern(tile, 'repeat') ?? a
}
