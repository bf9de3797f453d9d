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
import { useWaterfallPaint, type WaterfallModel } from './use-waterfall-paint'
import {
  fitAllView,
  panView,
  resolveWindow,
  timelineExtent,
  wheelZoomFactor,
  xToTime,
  zoomView,
} from './time-view'
import { HEADER_HEIGHT, itemIndexAt } from './waterfall-paint'

interface WaterfallProps {
  items: readonly ViewItem[]
  /** The timeline order's version the items were listed from (items appended in place keep their identity). */
  orderVersion: number
  scrollRef: RefObject<HTMLDivElement | null>
  /** Called at the start of a paint, before the rows' scroll position is read (the follow-live scroll). */
  beforePaint: () => void
  /** Where the waterfall column starts and how wide it is, in px from the frame's left edge. */
  x: number
  width: number
  /** Height of the scrolling body below the header. */
  bodyHeight: number
}

/**
 * The waterfall: two canvases laid over the table's waterfall column (the header strip and the rows' bars),
 * painted by useWaterfallPaint. Whatever the number of sessions, the DOM holds two canvases here.
 *
 * Pointer: hover shows a row's phases; a click goes through to the row under the bars (it selects; Ctrl/Cmd+
 * click marks for comparison); drag pans; Ctrl/Cmd+wheel or a pinch zooms around the pointer; Shift+wheel or a
 * sideways swipe pans; a plain wheel scrolls the rows; double-click fits all.
 */
export function Waterfall({
  items,
  orderVersion,
  scrollRef,
  beforePaint,
  x,
  width,
  bodyHeight,
}: WaterfallProps) {
  const store = useAppStoreApi()
  const clock = useLiveClockApi()
  const headRef = useRef<HTMLCanvasElement>(null)
  const bodyRef = useRef<HTMLCanvasElement>(null)
  const model = useRef<WaterfallModel>({ items, width, bodyHeight, hover: null, beforePaint })
  const requestPaint = useWaterfallPaint(headRef, bodyRef, scrollRef, model)
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null)

  useLayoutEffect(() => {
    model.current.items = items
    model.current.width = width
    model.current.bodyHeight = bodyHeight
    model.current.beforePaint = beforePaint
    requestPaint.current()
  }, [items, orderVersion, width, bodyHeight, beforePaint, requestPaint])

  // Wheel: registered by hand because React's wheel listener is passive and could not stop the page zooming.
  // Over the bars, the rows' scroller gets the events (the body canvas lets them through to the rows): a plain
  // wheel scrolls the rows natively; Ctrl/Cmd+wheel zooms and a sideways wheel pans over the bars' column only.
  useEffect(() => {
    const head = headRef.current
    const scroller = scrollRef.current
    const onWheel = (e: WheelEvent): void => {
      const canvas = e.currentTarget === head ? head : bodyRef.current
      if (!canvas) return
      const rect = canvas.getBoundingClientRect()
      const px = e.clientX - rect.left
      if (px < 0 || px > rect.width) return
      const s = store.getState()
      const extent = timelineExtent(s.timeline, clock.getState().now)
      const win = resolveWindow(s.timeView, extent)
      if (!win) return
      const w = model.current.width
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault()
        const anchor = xToTime(win, px, w)
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
      if (e.currentTarget === head && scroller) {
        e.preventDefault()
        scroller.scrollTop += e.deltaMode === 1 ? e.deltaY * 22 : e.deltaY
      }
    }
    head?.addEventListener('wheel', onWheel, { passive: false })
    scroller?.addEventListener('wheel', onWheel, { passive: false })
    return () => {
      head?.removeEventListener('wheel', onWheel)
      scroller?.removeEventListener('wheel', onWheel)
    }
  }, [store, clock, scrollRef])

  const drag = useRef<{ x0: number; moved: boolean; pointerId: number } | null>(null)
  /** Set when a drag over the bars panned the window: the click that ends it must not select a row. */
  const dragged = useRef(false)

  const fit = (): void => {
    const s = store.getState()
    s.setTimeView(fitAllView(s.timeView, timelineExtent(s.timeline, clock.getState().now)))
  }

  /** Pan while a drag is under way; true when the event was part of one. */
  const dragMove = (clientX: number, pointerId: number): boolean => {
    const d = drag.current
    if (!d || d.pointerId !== pointerId) return false
    const dx = clientX - d.x0
    if (!d.moved && Math.abs(dx) <= 3) return false
    d.moved = true
    d.x0 = clientX
    const s = store.getState()
    const extent = timelineExtent(s.timeline, clock.getState().now)
    const win = resolveWindow(s.timeView, extent)
    if (win) s.setTimeView(panView(s.timeView, (-dx / model.current.width) * (win.end - win.start), extent))
    return true
  }

  const setHoverAt = (index: number | null, x: number, y: number): void => {
    if (index !== model.current.hover) {
      model.current.hover = index
      requestPaint.current()
    }
    setHover(index === null ? null : { index, x, y })
  }

  // The bars: the body canvas lets pointer events through to the rows under it (so a row is clicked, selected
  // and Ctrl/Cmd+click-compared as a row, by a person, a screen reader or a test alike); the rows' scroller
  // listens for hovering over the bars (the phase card), dragging them (pan) and double-clicking (fit all).
  useEffect(() => {
    const scroller = scrollRef.current
    if (!scroller) return
    const inBars = (e: MouseEvent): { x: number; y: number } | null => {
      const canvas = bodyRef.current
      if (!canvas) return null
      const r = canvas.getBoundingClientRect()
      const x = e.clientX - r.left
      const y = e.clientY - r.top
      return x >= 0 && x <= r.width && y >= 0 && y <= r.height ? { x, y } : null
    }
    const down = (e: PointerEvent): void => {
      dragged.current = false
      if (e.button !== 0 || !inBars(e)) return
      drag.current = { x0: e.clientX, moved: false, pointerId: e.pointerId }
    }
    const move = (e: PointerEvent): void => {
      if (dragMove(e.clientX, e.pointerId)) {
        if (!scroller.hasPointerCapture(e.pointerId)) scroller.setPointerCapture(e.pointerId)
        return
      }
      const at = inBars(e)
      const index = at ? itemIndexAt(at.y, scroller.scrollTop, model.current.items.length) : null
      setHoverAt(index, at?.x ?? 0, at?.y ?? 0)
    }
    const up = (e: PointerEvent): void => {
      const d = drag.current
      drag.current = null
      if (d?.moved) dragged.current = true
      if (scroller.hasPointerCapture(e.pointerId)) scroller.releasePointerCapture(e.pointerId)
    }
    const click = (e: MouseEvent): void => {
      if (!dragged.current) return
      dragged.current = false
      e.stopPropagation()
      e.preventDefault()
    }
    const dbl = (e: MouseEvent): void => {
      if (inBars(e)) fit()
    }
    const leave = (): void => setHoverAt(null, 0, 0)
    scroller.addEventListener('pointerdown', down)
    scroller.addEventListener('pointermove', move)
    scroller.addEventListener('pointerup', up)
    scroller.addEventListener('pointercancel', up)
    scroller.addEventListener('pointerleave', leave)
    scroller.addEventListener('click', click, true)
    scroller.addEventListener('dblclick', dbl)
    return () => {
      scroller.removeEventListener('pointerdown', down)
      scroller.removeEventListener('pointermove', move)
      scroller.removeEventListener('pointerup', up)
      scroller.removeEventListener('pointercancel', up)
      scroller.removeEventListener('pointerleave', leave)
      scroller.removeEventListener('click', click, true)
      scroller.removeEventListener('dblclick', dbl)
    }
    // The handlers read only refs and the stores; registering once per scroller is enough.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scrollRef, store, clock])

  // The header strip (concurrency and ticks): drag pans, double-click fits all.
  const onHeadDown = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (e.button !== 0) return
    drag.current = { x0: e.clientX, moved: false, pointerId: e.pointerId }
    e.currentTarget.setPointerCapture(e.pointerId)
  }
  const onHeadMove = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    dragMove(e.clientX, e.pointerId)
  }
  const onHeadUp = (): void => {
    drag.current = null
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
        onPointerDown={onHeadDown}
        onPointerMove={onHeadMove}
        onPointerUp={onHeadUp}
        onDoubleClick={fit}
      />
      <canvas
        ref={bodyRef}
        className="wf-body"
        aria-hidden="true"
        data-testid="waterfall"
        style={{ left: x, top: HEADER_HEIGHT, width, height: bodyHeight }}
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
