import type { SessionKind } from '../../shared/timeline'
import { serverSlices } from './server-slices'
import { layoutSegments, type Phase } from './segments'
import type { SessionRow } from './session-row'
import { drawScripts } from '../scripts/script-paint'

/**
 * How one session's lane is drawn on the waterfall canvas. HTTP sessions draw their phase segments; other
 * kinds of session (SSE and WebSocket streams: a lane with a tick per message) register their own renderer
 * with `registerLaneRenderer`, from their own module, so the waterfall never needs to know them.
 */

/** The phases' colours, the second stripe of a cancelled one, script time and a console warning's mark. */
export type PhaseColors = Readonly<Record<Phase | 'cancelled-b' | 'script' | 'console-warn', string>>

export interface LanePaint {
  ctx: CanvasRenderingContext2D
  row: SessionRow
  /** Top of the row, in CSS px from the canvas top. */
  y: number
  /** Row height in CSS px. */
  height: number
  /** Waterfall width in CSS px. */
  width: number
  /** Engine ms -> CSS px from the canvas' left edge. */
  x: (t: number) => number
  /** Engine now (for what is still in flight). */
  now: number
  colors: PhaseColors
  /** A striped fill for cancelled segments. */
  cancelledFill: CanvasPattern | string
}

export type LaneRenderer = (p: LanePaint) => void

export interface BarRect {
  phase: Phase
  x: number
  w: number
  open: boolean
}

/** Bars are this tall, centred in the row. */
export const BAR_HEIGHT = 10

/**
 * The phase segments of a row as px rectangles on a waterfall `width` px wide, clipped to it. Every segment is
 * at least 1 px wide (error and cancel marks 3 px), so a 0.1 ms phase on a 60 s window is still seen.
 */
export function barRects(row: SessionRow, now: number, x: (t: number) => number, width: number): BarRect[] {
  const out: BarRect[] = []
  for (const seg of layoutSegments(row, now)) {
    const x0 = x(seg.start)
    const x1 = x(seg.end)
    const min = seg.phase === 'error' || seg.phase === 'cancelled' ? 3 : 1
    if (x1 < 0 || x0 > width) continue
    const left = Math.max(0, x0)
    const right = Math.min(width, Math.max(x1, x0 + min))
    out.push({ phase: seg.phase, x: left, w: Math.max(min, right - left), open: seg.open })
  }
  return out
}

export const drawHttpLane: LaneRenderer = (p) => {
  const { ctx, y, height } = p
  const top = Math.round(y + (height - BAR_HEIGHT) / 2)
  const dim = p.row.state === 'error' || p.row.state === 'cancelled'
  for (const r of barRects(p.row, p.now, p.x, p.width)) {
    ctx.globalAlpha = dim && r.phase !== 'error' && r.phase !== 'cancelled' ? 0.7 : 1
    ctx.fillStyle = r.phase === 'cancelled' ? p.cancelledFill : p.colors[r.phase]
    ctx.fillRect(r.x, top, r.w, BAR_HEIGHT)
    if (r.open) {
      // The growing edge: a darker 2 px so in-flight bars read as alive without any animation.
      ctx.globalAlpha = 0.45
      ctx.fillStyle = '#000'
      ctx.fillRect(r.x + r.w - 2, top, 2, BAR_HEIGHT)
    }
  }
  ctx.globalAlpha = 1
  if (p.row.terminal?.type === 'done' && p.row.terminal.serverTiming) drawServerSlices(p, top)
  if (p.row.scripts)
    drawScripts(ctx, p.row, p.x, p.width, top, BAR_HEIGHT, {
      script: p.colors.script,
      error: p.colors.error,
      warn: p.colors['console-warn'],
    })
}

/**
 * The server's own timings as slices of the green waiting bar: alternately darker shades of it, split by a
 * 1 px light line, so `db` and `render` read as two parts of the wait without a legend.
 */
function drawServerSlices(p: LanePaint, top: number): void {
  const { ctx } = p
  for (const r of serverSliceRects(p.row, p.x, p.width)) {
    ctx.globalAlpha = r.index % 2 === 0 ? 0.3 : 0.16
    ctx.fillStyle = '#000'
    ctx.fillRect(r.x, top, r.w, BAR_HEIGHT)
    ctx.globalAlpha = 0.85
    ctx.fillStyle = '#fff'
    if (r.index > 0) ctx.fillRect(r.x, top, 1, BAR_HEIGHT)
  }
  ctx.globalAlpha = 1
}

export interface SliceRect {
  name: string
  index: number
  x: number
  w: number
}

/** The server's slices as px rectangles, clipped to the waterfall; at least 1 px so a short one is seen. */
export function serverSliceRects(row: SessionRow, x: (t: number) => number, width: number): SliceRect[] {
  const out: SliceRect[] = []
  serverSlices(row).forEach((s, index) => {
    const x0 = x(s.start)
    const x1 = x(s.end)
    if (x1 < 0 || x0 > width) return
    const left = Math.max(0, x0)
    out.push({ name: s.name, index, x: left, w: Math.max(1, Math.min(width, x1) - left) })
  })
  return out
}

/** Webhook calls and their ticks on the lane of the request that caused them. */
export const HOOK_COLOR = '#8250df'

/** A webhook call the inbox cut before it was whole (too large, too slow, hung up). */
export const HOOK_CUT_COLOR = '#cf222e'

/** A webhook mark: a diamond at `x`, centred in the row. */
export function drawHookMark(
  ctx: CanvasRenderingContext2D,
  at: number,
  y: number,
  height: number,
  width: number,
  color: string = HOOK_COLOR,
): void {
  const cy = y + height / 2
  const r = 5
  // Kept whole at the edges: the newest call sits where the axis ends.
  if (at < -r || at > width + r) return
  const x = Math.min(Math.max(at, r), width - r)
  ctx.fillStyle = color
  ctx.beginPath()
  ctx.moveTo(x, cy - r)
  ctx.lineTo(x + r, cy)
  ctx.lineTo(x, cy + r)
  ctx.lineTo(x - r, cy)
  ctx.closePath()
  ctx.fill()
}

/** A webhook call is an instant: one diamond when it arrived, red when the inbox cut it. */
export const drawWebhookLane: LaneRenderer = (p) => {
  const color = p.row.state === 'error' ? HOOK_CUT_COLOR : HOOK_COLOR
  drawHookMark(p.ctx, Math.round(p.x(p.row.queued.t)), p.y, p.height, p.width, color)
}

/** The end of a job on its lane: a 2 px flag, green when it completed, red when it did not. */
export function drawJobEnd(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  height: number,
  good: boolean,
): void {
  ctx.fillStyle = good ? '#1a7f37' : '#cf222e'
  const top = Math.round(y + (height - BAR_HEIGHT) / 2) - 3
  ctx.fillRect(Math.round(x), top, 2, BAR_HEIGHT + 6)
}

const renderers = new Map<SessionKind, LaneRenderer>([
  ['http', drawHttpLane],
  ['webhook', drawWebhookLane],
])

/** Draw sessions of `kind` with `render`; returns a function that restores the previous renderer. */
export function registerLaneRenderer(kind: SessionKind, render: LaneRenderer): () => void {
  const before = renderers.get(kind)
  renderers.set(kind, render)
  return () => {
    if (before) renderers.set(kind, before)
    else renderers.delete(kind)
  }
}

/** The renderer for a kind; kinds nobody registered draw as HTTP (their handshake is an HTTP exchange). */
export function laneRendererFor(kind: SessionKind): LaneRenderer {
  return renderers.get(kind) ?? drawHttpLane
}
