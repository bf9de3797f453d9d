import { windowSpan, type TimeWindow } from './time-view'

/**
 * Whether a tick of the live clock changes anything on the waterfall's screen. While a request is in flight the
 * clock ticks every animation frame, but what it moves (an in-flight bar's end at "now", the axis and the strip
 * when the window follows "now") moves by `window span / device pixels` ms per device pixel: a 15 s window on
 * 800 px moves a pixel every 19 ms, a ten-minute one every 750 ms. Repainting between those moments draws the
 * same pixels again, so a clock tick repaints only once "now" has moved by a device pixel since the last paint.
 * Everything else (the store, the view, scrolling, hovering, the theme) still repaints at once.
 */

/** What the last paint drew with: the clock's "now", and its window in engine ms. */
export interface PaintedClock {
  now: number
  window: TimeWindow
  /** Whether the window's right edge is "now" (following live): then every tick moves the whole picture. */
  follow: boolean
  /** The waterfall's width in device pixels. */
  devicePx: number
}

/** Engine ms per device pixel of the window: how far "now" goes before anything at "now" moves a pixel. */
export function msPerDevicePixel(window: TimeWindow, devicePx: number): number {
  return windowSpan(window) / Math.max(1, devicePx)
}

/**
 * Whether the clock moving from the last paint's "now" to `now` moves something visible by a device pixel.
 * Following, the window slides with "now": any whole pixel of movement shows. A window put somewhere (zoomed,
 * panned, frozen) moves nothing itself; only in-flight bars end at "now", so the movement shows only where the
 * stretch from the painted "now" to this one crosses the window.
 */
export function clockMovesPicture(last: PaintedClock | null, now: number): boolean {
  if (!last) return true
  const moved = Math.abs(now - last.now)
  if (moved < msPerDevicePixel(last.window, last.devicePx)) return false
  if (last.follow) return true
  const from = Math.min(last.now, now)
  const to = Math.max(last.now, now)
  return to >= last.window.start && from <= last.window.end
}

/**
 * How long (engine ms from `now`) until the clock moves the last paint's picture: what the waterfall tells the
 * live clock, so that it sleeps while nothing on screen would move. Infinity: not until something else changes
 * (a window whose right edge "now" has passed).
 */
export function clockDueIn(last: PaintedClock | null, now: number): number {
  if (!last) return 0
  const pixel = msPerDevicePixel(last.window, last.devicePx)
  if (!last.follow) {
    if (last.now > last.window.end) return Infinity
    if (now < last.window.start) return Math.max(0, last.window.start - now)
  }
  return Math.max(0, pixel - (now - last.now))
}
