import {
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from 'react'
import { useAppStoreApi, useLiveClockApi } from '../store/store-context'
import { HoverCard } from './HoverCard'
import type { ViewItem } from './table-view'
import { barRects } from './lanes'
import {
  fitAllView,
  panView,
  resolveWindow,
  timeToX,
  timelineExtent,
  wheelZoomFactor,
  xToTime,
  zoomView,
} from './time-view'
import {
  HEADER_HEIGHT,
  itemIndexAt,
  paintBody,
  paintHeader,
  readPalette,
  stripePattern,
  stripSeries,
  type Palette,
  type PaintModel,
  type StripSeries,
  type TickLabel,
} from './waterfall-paint'
import type { TimelineState } from './apply-batch'
import type { TimeView } from './time-view'

/**
 * What was just painted, on the canvases' data attributes, for screen readers' and tests' sake: the tick labels
 * (text and place), the window, and the hovered row's bar segments. The numbers are the painter's own (the
 * same `barRects` the lane drew), not a second computation. Written only when they change.
 */
function exposePainted(
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
  set(body, 'hoverBars', JSON.stringify({ sid: item, bars }))
}

const round2 = (n: number): number => Math.round(n * 100) / 100

interface WaterfallProps {
  items: readonly ViewItem[]
  scrollRef: RefObject<HTMLDivElement | null>
  /** Where the waterfall column starts and how wide it is, in px from the frame's left edge. */
  x: number
  width: number
  /** Height of the scrolling body below the header. */
  bodyHeight: number
}

/** How often the concurrency strip is recounted while requests are in flight. */
const STRIP_EVERY_MS = 120

/**
 * The waterfall: two canvases laid over the table's waterfall column (the header strip and the rows' bars),
 * painted at most once per animation frame and only when the timeline, the view, the scroll position or the
 * live clock moved. Whatever the number of sessions, the DOM holds two canvases here.
 *
 * Pointer: hover shows a row's phases; click selects (Ctrl/Cmd+click marks for comparison); drag pans;
 * Ctrl/Cmd+wheel or a pinch zooms around the pointer; Shift+wheel or a sideways swipe pans; a plain wheel
 * scrolls the rows; double-click fits all.
 */
export function Waterfall({ items, scrollRef, x, width, bodyHeight }: WaterfallProps) {
  const store = useAppStoreApi()
  const clock = useLiveClockApi()
  const headRef = useRef<HTMLCanvasElement>(null)
  const bodyRef = useRef<HTMLCanvasElement>(null)
  const model = useRef({ items, width, bodyHeight, hover: null as number | null })
  const requestPaint = useRef<() => void>(() => undefined)
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null)

  useLayoutEffect(() => {
    model.current.items = items
    model.current.width = width
    model.current.bodyHeight = bodyHeight
    requestPaint.current()
  }, [items, width, bodyHeight])

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
    let palette: Palette | null = null
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
      const headCtx = size(head, w, HEADER_HEIGHT)
      const bodyCtx = size(body, w, h)
      if (!headCtx || !bodyCtx) return
      if (!palette) {
        palette = readPalette(body)
        stripes = stripePattern(bodyCtx, palette.phases.cancelled, palette.phases['cancelled-b'])
      }
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
        strip = { series: stripSeries(m), at: t, timeline: s.timeline, width: w, view: s.timeView }
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
      if (s.timeline !== prev.timeline || s.timeView !== prev.timeView || s.compareSids !== prev.compareSids)
        request()
    })
    const offClock = clock.subscribe(request)
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
      scroller?.removeEventListener('scroll', request)
      media?.removeEventListener('change', onTheme)
      requestPaint.current = () => undefined
    }
  }, [store, clock, scrollRef])

  // Wheel: registered by hand because React's wheel listener is passive and could not stop the page zooming.
  useEffect(() => {
    const targets = [headRef.current, bodyRef.current].filter((el): el is HTMLCanvasElement => el !== null)
    const onWheel = (e: WheelEvent): void => {
      const s = store.getState()
      const extent = timelineExtent(s.timeline, clock.getState().now)
      const win = resolveWindow(s.timeView, extent)
      if (!win) return
      const w = model.current.width
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect()
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault()
        const anchor = xToTime(win, e.clientX - rect.left, w)
        s.setTimeView(zoomView(s.timeView, wheelZoomFactor(e.deltaY, e.deltaMode), anchor, extent))
        return
      }
      const sideways = e.shiftKey
        ? e.deltaY || e.deltaX
        : Math.abs(e.deltaX) > Math.abs(e.deltaY)
          ? e.deltaX
          : 0
      if (sideways !== 0) {
        e.preventDefault()
        s.setTimeView(panView(s.timeView, (sideways / w) * (win.end - win.start), extent))
        return
      }
      const scroller = scrollRef.current
      if (scroller && e.currentTarget === bodyRef.current) {
        e.preventDefault()
        scroller.scrollTop += e.deltaMode === 1 ? e.deltaY * 22 : e.deltaY
      }
    }
    for (const t of targets) t.addEventListener('wheel', onWheel, { passive: false })
    return () => {
      for (const t of targets) t.removeEventListener('wheel', onWheel)
    }
  }, [store, clock, scrollRef])

  const drag = useRef<{ x0: number; moved: boolean; pointerId: number } | null>(null)

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (e.button !== 0) return
    drag.current = { x0: e.clientX, moved: false, pointerId: e.pointerId }
    e.currentTarget.setPointerCapture(e.pointerId)
  }

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const rect = e.currentTarget.getBoundingClientRect()
    const d = drag.current
    if (d && d.pointerId === e.pointerId) {
      const dx = e.clientX - d.x0
      if (d.moved || Math.abs(dx) > 3) {
        d.moved = true
        d.x0 = e.clientX
        const s = store.getState()
        const extent = timelineExtent(s.timeline, clock.getState().now)
        const win = resolveWindow(s.timeView, extent)
        if (win)
          s.setTimeView(panView(s.timeView, (-dx / model.current.width) * (win.end - win.start), extent))
        return
      }
    }
    if (e.currentTarget !== bodyRef.current) return
    const y = e.clientY - rect.top
    const index = itemIndexAt(y, scrollRef.current?.scrollTop ?? 0, model.current.items.length)
    if (index !== model.current.hover) {
      model.current.hover = index
      requestPaint.current()
    }
    setHover(index === null ? null : { index, x: e.clientX - rect.left, y })
  }

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const d = drag.current
    drag.current = null
    if (!d || d.moved || e.currentTarget !== bodyRef.current) return
    const rect = e.currentTarget.getBoundingClientRect()
    const index = itemIndexAt(
      e.clientY - rect.top,
      scrollRef.current?.scrollTop ?? 0,
      model.current.items.length,
    )
    const item = index === null ? undefined : model.current.items[index]
    if (item === undefined) return
    const s = store.getState()
    if (typeof item !== 'string') s.toggleGroup(item.key)
    else if (e.ctrlKey || e.metaKey) s.toggleCompare(item)
    else s.select(item)
  }

  const onLeave = (): void => {
    model.current.hover = null
    requestPaint.current()
    setHover(null)
  }

  const fit = (): void => {
    const s = store.getState()
    s.setTimeView(fitAllView(s.timeView, timelineExtent(s.timeline, clock.getState().now)))
  }

  const hoverItem = hover ? items[hover.index] : undefined
  return (
    <>
      <canvas
        ref={headRef}
        className="wf-head"
        aria-label="Concurrency and time axis"
        role="img"
        style={{ left: x, width, height: HEADER_HEIGHT }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onDoubleClick={fit}
      />
      <canvas
        ref={bodyRef}
        className="wf-body"
        aria-hidden="true"
        data-testid="waterfall"
        style={{ left: x, top: HEADER_HEIGHT, width, height: bodyHeight }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={onLeave}
        onDoubleClick={fit}
      />
      {hover && typeof hoverItem === 'string' ? (
        <HoverCard
          sid={hoverItem}
          left={x + hover.x}
          top={HEADER_HEIGHT + hover.y}
          frameWidth={x + width}
          frameHeight={HEADER_HEIGHT + bodyHeight}
        />
      ) : null}
    </>
  )
}
