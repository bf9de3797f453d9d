import { useEffect, useRef, type RefObject } from 'react'
import { useAppStoreApi, useLiveClockApi } from '../store/store-context'
import type { ViewItem } from './table-view'
import { exposePainted } from './painted-probe'
import { resolveWindow, timelineExtent, type TimeView } from './time-view'
import { clockDueIn, clockMovesPicture, type PaintedClock } from './paint-pacing'
import {
  HEADER_HEIGHT,
  paintBody,
  paintHeader,
  readPalette,
  stripePattern,
  stripSeries,
  type Palette,
  type PaintModel,
  type StripSeries,
} from './waterfall-paint'
import type { TimelineState } from './apply-batch'
import { stripSpans } from './concurrency'

/** How often the concurrency strip is recounted while requests are in flight. */
const STRIP_EVERY_MS = 120

/** What the waterfall paints besides the stores: its rows, its size and the row under the pointer. */
export interface WaterfallModel {
  items: readonly ViewItem[]
  width: number
  bodyHeight: number
  hover: number | null
  /** Run before the rows' scroll position is read: a scroll due this frame is made first. */
  beforePaint: () => void
}

/**
 * Paints the waterfall's two canvases (the header strip and the rows' bars) at most once per animation frame,
 * and only when the timeline, the view, the marked rows, the scroll position or the theme changed, or the live
 * clock moved something on screen by a device pixel (paint-pacing.ts). Returns the function that asks for a
 * paint (after the model changed).
 */
export function useWaterfallPaint(
  headRef: RefObject<HTMLCanvasElement | null>,
  bodyRef: RefObject<HTMLCanvasElement | null>,
  scrollRef: RefObject<HTMLDivElement | null>,
  model: RefObject<WaterfallModel>,
): RefObject<() => void> {
  const store = useAppStoreApi()
  const clock = useLiveClockApi()
  const requestPaint = useRef<() => void>(() => undefined)

  useEffect(() => {
    let raf = 0
    let strip: {
      series: StripSeries
      at: number
      timeline: TimelineState
      width: number
      view: TimeView
    } | null = null
    let stripTimer: ReturnType<typeof setTimeout> | null = null
    // The rows' spans the strip last read: a recount reads the store only for rows not yet finished.
    const spans = stripSpans()
    let palette: Palette | null = null
    // The clock and window of the last paint: a clock tick that moves nothing by a device pixel paints nothing.
    let painted: PaintedClock | null = null
    let stripes: CanvasPattern | string = '#999'
    const dpr = (): number => globalThis.devicePixelRatio || 1

    const size = (canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D | null => {
      const r = dpr()
      const pw = Math.max(1, Math.round(w * r))
      const ph = Math.max(1, Math.round(h * r))
      if (canvas.width !== pw) canvas.width = pw
      if (canvas.height !== ph) canvas.height = ph
      const ctx = canvas.getContext('2d')
      ctx?.setTransform(r, 0, 0, r, 0, 0)
      return ctx
    }

    const paint = (): void => {
      raf = 0
      const head = headRef.current
      const body = bodyRef.current
      if (!head || !body) return
      const s = store.getState()
      const now = clock.getState().now
      const extent = timelineExtent(s.timeline, now)
      const win = resolveWindow(s.timeView, extent)
      const { width: w, bodyHeight: h, items: list, hover: hoverIndex } = model.current
      model.current.beforePaint()
      const headCtx = size(head, w, HEADER_HEIGHT)
      const bodyCtx = size(body, w, h)
      if (!headCtx || !bodyCtx) return
      if (!palette) {
        palette = readPalette(body)
        stripes = stripePattern(bodyCtx, palette.phases.cancelled, palette.phases['cancelled-b'])
      }
      painted = win && {
        now,
        window: win,
        follow: s.timeView.follow,
        devicePx: w * dpr(),
      }
      clock.repace()
      if (!win) {
        headCtx.clearRect(0, 0, w, HEADER_HEIGHT)
        bodyCtx.clearRect(0, 0, w, h)
        return
      }
      const m: PaintModel = {
        timeline: s.timeline,
        items: list,
        window: win,
        now: Math.max(now, s.timeline.maxT ?? now),
        width: w,
        height: h,
        scrollTop: scrollRef.current?.scrollTop ?? 0,
        hoverIndex,
        marked: s.compareSids,
      }
      paintBody(bodyCtx, m, palette, stripes)
      // The strip visits every row: during a burst it is counted at most every STRIP_EVERY_MS, and once more
      // when things settle, so thousands of rows cost a few counts a second, not one per frame.
      const t = performance.now()
      const changed =
        !strip || strip.timeline !== s.timeline || strip.width !== w || strip.view !== s.timeView
      const moving = s.timeline.inFlight > 0
      if (
        !strip ||
        (changed && (!moving || t - strip.at >= STRIP_EVERY_MS)) ||
        (moving && t - strip.at >= STRIP_EVERY_MS)
      ) {
        strip = { series: stripSeries(m, spans), at: t, timeline: s.timeline, width: w, view: s.timeView }
      } else if (changed && stripTimer === null) {
        stripTimer = setTimeout(() => {
          stripTimer = null
          request()
        }, STRIP_EVERY_MS)
      }
      const labels = paintHeader(headCtx, m, palette, strip.series)
      exposePainted(head, body, m, labels)
    }
    const request = (): void => {
      if (raf === 0) raf = requestAnimationFrame(paint)
    }
    requestPaint.current = request

    const offStore = store.subscribe((s, prev) => {
      if (
        s.timeline !== prev.timeline ||
        s.timeView !== prev.timeView ||
        s.compareSids !== prev.compareSids ||
        // A lane's ticks redrawn on their own (a reload's, read back from the session's log).
        s.streamLanes !== prev.streamLanes
      )
        request()
    })
    const offClock = clock.subscribe((c) => {
      if (raf === 0 && clockMovesPicture(painted, c.now)) request()
    })
    // The clock ticks when this picture would next move, and sleeps meanwhile. With a paint already asked for,
    // the next frame: the paint re-plans a sleeping clock, and a clock already on frames needs no timer set
    // and cleared each frame.
    const pacer = (now: number): number => (raf !== 0 ? 0 : clockDueIn(painted, now))
    clock.pacers.add(pacer)
    const scroller = scrollRef.current
    scroller?.addEventListener('scroll', request, { passive: true })
    // Theme changes (the OS switching to dark) change the colours: read them again.
    const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)')
    const onTheme = (): void => {
      palette = null
      request()
    }
    media?.addEventListener('change', onTheme)
    request()
    return () => {
      if (raf !== 0) cancelAnimationFrame(raf)
      if (stripTimer !== null) clearTimeout(stripTimer)
      offStore()
      offClock()
      clock.pacers.delete(pacer)
      scroller?.removeEventListener('scroll', request)
      media?.removeEventListener('change', onTheme)
      requestPaint.current = () => undefined
    }
  }, [store, clock, scrollRef, headRef, bodyRef, model])
  return requestPaint
}
