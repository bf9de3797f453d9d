import { useCallback, useEffect, useState, type RefObject } from 'react'

/** How many tabs lie out of sight at each end of a strip that scrolls (null: every tab fits). */
export interface HiddenTabs {
  left: number
  right: number
}

/**
 * A tab cut by less than this at an edge is whole: scroll offsets are whole pixels where labels' widths are not, so
 * the first tab in view may lose a fraction of a pixel of its 10 px padding.
 */
const EDGE_PX = 1.5

/** A wheel event this far (px) or more is a mouse wheel's notch: one tab. A touchpad's small deltas add up to it. */
const WHEEL_STEP_PX = 50

/**
 * Keeps a scrolling tab strip on whole tabs: once the active tab is in sight, the strip scrolls to the first tab
 * that starts in view and narrows to the last tab that ends in view (the row's spacer takes the rest), so no label
 * is cut at an edge ("…titled 12"). A wheel over the strip moves it a whole tab a notch. Returns how many tabs are
 * hidden at each end, for the strip's edge cues (`[data-tab-cue]` siblings, whose room counts as the strip's when
 * deciding whether it overflows, so they do not come and go as they take it).
 * Run after the tabs' own scroll-into-view (a parent's effect runs after its children's).
 */
export function useWholeTabs(
  strip: RefObject<HTMLElement | null>,
  deps: readonly unknown[],
): { hidden: HiddenTabs | null; page(direction: -1 | 1): void } {
  const [hidden, setHidden] = useState<HiddenTabs | null>(null)
  const cues = hidden !== null
  const tell = useCallback(
    (next: HiddenTabs | null): void =>
      setHidden((prev) => (prev?.left === next?.left && prev?.right === next?.right ? prev : next)),
    [],
  )
  const page = (direction: -1 | 1): void => {
    if (strip.current) tell(pageWholeTabs(strip.current, direction))
  }
  useEffect(() => {
    const el = strip.current
    if (!el) return
    const fit = (): void => tell(fitWholeTabs(el))
    fit()
    const watch = new ResizeObserver(fit)
    if (el.parentElement) watch.observe(el.parentElement)
    // A scroll of another cause (a focused tab) keeps the counts true; it changes nothing when all fit.
    const onScroll = (): void => {
      if (el.scrollWidth > el.clientWidth + 0.5) tell(countHidden(el))
    }
    let wheel = 0
    const onWheel = (e: WheelEvent): void => {
      // Ctrl/Cmd+wheel is the window's zoom, not the strip's.
      if (e.ctrlKey || e.metaKey) return
      const px = wheelPixels(e, el.clientWidth)
      if (px === 0 || el.scrollWidth <= el.clientWidth + 0.5) return
      e.preventDefault()
      wheel = Math.sign(px) === Math.sign(wheel) ? wheel + px : px
      const steps = Math.abs(px) >= WHEEL_STEP_PX ? Math.sign(px) : Math.trunc(wheel / WHEEL_STEP_PX)
      if (steps === 0) return
      wheel = Math.abs(px) >= WHEEL_STEP_PX ? 0 : wheel - steps * WHEEL_STEP_PX
      tell(moveWholeTabs(el, steps))
    }
    el.addEventListener('scroll', onScroll, { passive: true })
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => {
      watch.disconnect()
      el.removeEventListener('scroll', onScroll)
      el.removeEventListener('wheel', onWheel)
    }
    // The caller names what moves the tabs (their list, the active one, its name); the cues take room.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, cues])
  return { hidden, page }
}

/** A wheel event's larger axis in pixels (a vertical wheel scrolls the strip too, as in browsers' tab strips). */
function wheelPixels(e: WheelEvent, page: number): number {
  const delta = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY
  if (e.deltaMode === WheelEvent.DOM_DELTA_LINE) return delta * 16
  if (e.deltaMode === WheelEvent.DOM_DELTA_PAGE) return delta * page
  return delta
}

interface Layout {
  /** Each tab's left and right in the strip's content, fractional (a label's width is). */
  places: { left: number; right: number }[]
  /** The strip's width, not narrowed. */
  room: number
}

/** The strip un-narrowed and its tabs' places; null when they all fit (counting the edge cues' room as its). */
function layoutOf(strip: HTMLElement): Layout | null {
  strip.style.maxWidth = ''
  const room = strip.clientWidth
  if (strip.scrollWidth <= room + cueRoom(strip) + 0.5) return null
  const origin = strip.getBoundingClientRect().left - strip.scrollLeft
  const places = [...strip.children].map((t) => {
    const r = t.getBoundingClientRect()
    return { left: r.left - origin, right: r.right - origin }
  })
  return { places, room }
}

/** The width the strip's edge cues take now (0 when none is shown). */
function cueRoom(strip: HTMLElement): number {
  let px = 0
  for (const cue of strip.parentElement?.querySelectorAll<HTMLElement>('[data-tab-cue]') ?? [])
    px += cue.getBoundingClientRect().width
  return px
}

/** Index of the first tab that starts in view (at scroll offset `at` or after). */
function firstInView(at: number, layout: Layout): number {
  const i = layout.places.findIndex((p) => p.left >= at - EDGE_PX)
  return i < 0 ? layout.places.length - 1 : i
}

/** The first of the tabs that, shown from it, end with tab `last` whole (the most tabs that fit before it). */
function startEndingAt(layout: Layout, last: number): number {
  const end = layout.places[last]?.right ?? 0
  const i = layout.places.findIndex((p) => end - p.left <= layout.room + 0.05)
  return i < 0 ? last : Math.min(i, last)
}

/**
 * Shows the strip from tab `first`: scrolled to its start, narrowed to the last tab that ends in view. Narrowed
 * first, so the strip may scroll that far. Chrome keeps a fractional scroll offset; where one is rounded down, a
 * sliver of the tab before would show: then the next whole pixel.
 */
function showFrom(strip: HTMLElement, layout: Layout, first: number): void {
  const { places, room } = layout
  const wholeTo = (from: number): number => {
    let end = from
    for (const p of places) if (p.left >= from - 1 && p.right <= from + room + 0.05) end = p.right
    return end
  }
  const from = places[first]?.left ?? 0
  strip.style.maxWidth = `${wholeTo(from) - from}px`
  strip.scrollLeft = from
  if (strip.scrollLeft < from - 0.05) strip.scrollLeft = Math.ceil(from)
  const start = strip.scrollLeft
  const end = wholeTo(start)
  if (end > start) strip.style.maxWidth = `${end - start}px`
}

/** Tabs out of sight, wholly or in part, at each end of the strip as it is now. */
function countHidden(strip: HTMLElement): HiddenTabs {
  const box = strip.getBoundingClientRect()
  let left = 0
  let right = 0
  for (const t of strip.children) {
    const r = t.getBoundingClientRect()
    if (r.left < box.left - EDGE_PX) left++
    else if (r.right > box.left + strip.clientWidth + EDGE_PX) right++
  }
  return { left, right }
}

/** Snap `strip`'s view to whole tabs with the active one among them (see useWholeTabs); null when all fit. */
export function fitWholeTabs(strip: HTMLElement): HiddenTabs | null {
  const active = [...strip.children].find((t) => t.getAttribute('aria-selected') === 'true')
  if (!layoutOf(strip)) return null
  active?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  const layout = layoutOf(strip)
  if (!layout) return null
  showFrom(strip, layout, firstInView(strip.scrollLeft, layout))
  return countHidden(strip)
}

/** Move the strip's view `steps` whole tabs (negative: to the left), no further than its ends. */
export function moveWholeTabs(strip: HTMLElement, steps: number): HiddenTabs | null {
  const at = strip.scrollLeft
  const layout = layoutOf(strip)
  if (!layout) return null
  const last = startEndingAt(layout, layout.places.length - 1)
  const first = Math.max(0, Math.min(last, firstInView(at, layout) + steps))
  showFrom(strip, layout, first)
  return countHidden(strip)
}

/**
 * Page the strip's view: `-1` shows the tabs just before the first in sight (that tab ends the view), `1` starts
 * the view at the first tab hidden after it (or ends it with the last tab).
 */
export function pageWholeTabs(strip: HTMLElement, direction: -1 | 1): HiddenTabs | null {
  const first = strip.scrollLeft
  const shownEnd = first + strip.clientWidth
  const layout = layoutOf(strip)
  if (!layout) return null
  const { places } = layout
  const lastStart = startEndingAt(layout, places.length - 1)
  let to: number
  if (direction < 0) {
    const before = firstInView(first, layout) - 1
    to = before < 0 ? 0 : startEndingAt(layout, before)
  } else {
    const after = places.findIndex((p) => p.right > shownEnd + EDGE_PX)
    to = after < 0 ? lastStart : Math.min(after, lastStart)
  }
  showFrom(strip, layout, to)
  return countHidden(strip)
}
