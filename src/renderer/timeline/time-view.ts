/**
 * The waterfall's time window: which stretch of the engine clock the bars show, and how zoom, pan, "fit all"
 * and follow-live move it. Pure maths on engine ms, so it is tested without a canvas.
 *
 * Two modes. Following, the window's right edge is "now" (or the latest event when nothing is in flight) and
 * the window is either everything since the first request (`span: null`, fit all) or the last `span` ms.
 * Not following (the person zoomed around a point, panned, or scrolled away), the window stays where it was
 * put, however the data grows.
 */

export type TimeView =
  | { readonly follow: true; readonly span: number | null }
  | { readonly follow: false; readonly start: number; readonly end: number }

export interface TimeWindow {
  /** Engine ms at the left edge. */
  start: number
  /** Engine ms at the right edge; always > start. */
  end: number
}

/** What there is to show: the first queued t and the latest moment (now while anything is in flight). */
export interface Extent {
  origin: number
  end: number
}

/** Narrowest window: 0.2 ms across the whole waterfall is already past any useful resolution. */
export const MIN_WINDOW_MS = 0.2
/** A lone 0.2 ms request still gets a visible window. */
export const MIN_FIT_MS = 1

export const FOLLOW_ALL: TimeView = { follow: true, span: null }

/**
 * What a fresh timeline follows: the last 15 s (all of it while there is less). Fitting everything since the
 * first request made one-at-a-time sends 1-pixel slivers after a few minutes; zooming changes the span.
 */
export const FOLLOW_LIVE_MS = 15_000
export const FOLLOW_LIVE: TimeView = { follow: true, span: FOLLOW_LIVE_MS }

export function resolveWindow(view: TimeView, extent: Extent | null): TimeWindow | null {
  if (!view.follow) return { start: view.start, end: Math.max(view.end, view.start + MIN_WINDOW_MS) }
  if (!extent) return null
  const end = Math.max(extent.end, extent.origin + MIN_FIT_MS)
  if (view.span === null) return { start: extent.origin, end }
  // Less data than the span: show all of it rather than an empty stretch before the first request.
  return { start: Math.max(extent.origin, end - view.span), end }
}

export function windowSpan(w: TimeWindow): number {
  return Math.max(w.end - w.start, MIN_WINDOW_MS)
}

/** Engine ms -> px from the waterfall's left edge. */
export function timeToX(w: TimeWindow, t: number, width: number): number {
  return ((t - w.start) / windowSpan(w)) * width
}

/** px from the waterfall's left edge -> engine ms. */
export function xToTime(w: TimeWindow, x: number, width: number): number {
  return w.start + (x / Math.max(1, width)) * windowSpan(w)
}

/** The widest a window may get: half again the data, or a second, whichever is more. */
function maxSpan(extent: Extent | null): number {
  const data = extent ? extent.end - extent.origin : 0
  return Math.max(1000, data * 1.5)
}

/**
 * Zoom by `factor` (>1 in, <1 out) keeping the instant `anchor` under the same pixel. While following, the
 * right edge stays on "now" whatever the anchor, so zooming never stops the follow; zooming out past all the
 * data while following goes back to fit-all.
 */
export function zoomView(view: TimeView, factor: number, anchor: number, extent: Extent | null): TimeView {
  const w = resolveWindow(view, extent)
  if (!w || !(factor > 0) || !Number.isFinite(factor)) return view
  const span = windowSpan(w)
  const next = Math.min(maxSpan(extent), Math.max(MIN_WINDOW_MS, span / factor))
  if (view.follow) {
    const all = extent ? Math.max(extent.end - extent.origin, MIN_FIT_MS) : Infinity
    return next >= all ? FOLLOW_ALL : { follow: true, span: next }
  }
  const a = Math.min(w.end, Math.max(w.start, anchor))
  const ratio = (a - w.start) / span
  const start = a - ratio * next
  return { follow: false, start, end: start + next }
}

/**
 * Move the window by `deltaMs` (positive: later). Panning stops following. The window may not leave the data
 * entirely: at least a tenth of it stays over the extent.
 */
export function panView(view: TimeView, deltaMs: number, extent: Extent | null): TimeView {
  const w = resolveWindow(view, extent)
  if (!w || !Number.isFinite(deltaMs)) return view
  const span = windowSpan(w)
  let start = w.start + deltaMs
  if (extent) {
    const keep = span * 0.1
    start = Math.min(start, extent.end - keep)
    start = Math.max(start, extent.origin + keep - span)
  }
  return { follow: false, start, end: start + span }
}

/** "Fit all": the whole extent; following stays on if it was on. */
export function fitAllView(view: TimeView, extent: Extent | null): TimeView {
  if (view.follow || !extent) return FOLLOW_ALL
  return { follow: false, start: extent.origin, end: Math.max(extent.end, extent.origin + MIN_FIT_MS) }
}

/** Stop following, freezing the window where it is now. */
export function freezeView(view: TimeView, extent: Extent | null): TimeView {
  if (!view.follow) return view
  const w = resolveWindow(view, extent)
  return w ? { follow: false, start: w.start, end: w.end } : view
}

/** Start following again, keeping the current zoom (a window narrower than the data keeps its width). */
export function followView(view: TimeView, extent: Extent | null): TimeView {
  if (view.follow) return view
  const span = view.end - view.start
  const all = extent ? extent.end - extent.origin : 0
  return span >= all ? FOLLOW_ALL : { follow: true, span }
}

/** One wheel notch (100 px of deltaY, or 3 lines) zooms by this factor; no single event zooms more than 1.5x. */
export const WHEEL_NOTCH_ZOOM = 1.25
const MAX_WHEEL_ZOOM = 1.5

/**
 * The zoom factor (>1 in) for a Ctrl/Cmd+wheel event: a notch is a gentle 1.25x, a trackpad pinch's small
 * deltas scale smoothly, and a flung wheel (several notches in one event) is capped at 1.5x.
 */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 800 : deltaY
  if (!Number.isFinite(px)) return 1
  const f = WHEEL_NOTCH_ZOOM ** (-px / 100)
  return Math.min(MAX_WHEEL_ZOOM, Math.max(1 / MAX_WHEEL_ZOOM, f))
}

/**
 * How many ticks a waterfall `width` px wide may get: at most one per 80 px, so labels never crowd, and at
 * least three, so a narrow waterfall still gets a label besides "0".
 */
export function ticksForWidth(width: number): number {
  return Math.max(3, Math.min(12, Math.floor(width / 80)))
}

/** The tick step in ms: 1, 2 or 5 x 10^n, so that at most `maxTicks` steps fit the window. */
export function windowTickStep(w: TimeWindow, maxTicks: number): number {
  const raw = windowSpan(w) / Math.max(1, maxTicks)
  const pow = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw - 1e-12) ?? 10 * pow
}

/**
 * Ticks inside the window, at multiples of the step counted from `origin` (so labels read as offsets from the
 * first request: 0, 250 ms, 500 ms ...). Returns engine ms; bounded by `maxTicks + 2`.
 */
export function windowTicks(w: TimeWindow, origin: number, maxTicks: number): number[] {
  const step = windowTickStep(w, maxTicks)
  const first = Math.ceil((w.start - origin) / step - 1e-9)
  const out: number[] = []
  for (let k = first; out.length < maxTicks + 2; k++) {
    const t = origin + k * step
    if (t > w.end + 1e-9) break
    out.push(t)
  }
  return out
}

/** The extent of a timeline: from its first queued t to its latest event, or to `now` while in flight. */
export function timelineExtent(
  t: { origin: number | null; maxT: number | null; inFlight: number; jobsRunning?: number },
  now: number,
): Extent | null {
  if (t.origin === null) return null
  const last = t.maxT ?? t.origin
  const live = t.inFlight > 0 || (t.jobsRunning ?? 0) > 0
  return { origin: t.origin, end: live ? Math.max(last, now) : last }
}
