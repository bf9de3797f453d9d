import { useEffect, type RefObject } from 'react'

/**
 * Keeps a scrolling tab strip from showing a tab cut at either edge: once the active tab is in sight, the strip
 * scrolls to the first tab that starts in view and narrows to the last tab that ends in view (the row's spacer
 * takes the rest). Before, many tabs left the first visible label cut at the strip's left edge ("…titled 12").
 * Run after the tabs' own scroll-into-view (a parent's effect runs after its children's).
 */
export function useWholeTabs(strip: RefObject<HTMLElement | null>, deps: readonly unknown[]): void {
  useEffect(() => {
    const el = strip.current
    if (!el) return
    const fit = (): void => fitWholeTabs(el)
    fit()
    const watch = new ResizeObserver(fit)
    if (el.parentElement) watch.observe(el.parentElement)
    return () => watch.disconnect()
    // The caller names what moves the tabs (their list, the active one, its name).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)
}

/** Snap `strip`'s view to whole tabs (see useWholeTabs); a strip whose tabs all fit is left as it is. */
export function fitWholeTabs(strip: HTMLElement): void {
  strip.style.maxWidth = ''
  const room = strip.clientWidth
  if (strip.scrollWidth <= room + 0.5) return
  const tabs = [...strip.children] as HTMLElement[]
  const active = tabs.find((t) => t.getAttribute('aria-selected') === 'true')
  active?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  // Places in the strip's content, fractional (a label's width is): offsetLeft's whole pixels left a sliver of
  // the tab before in sight.
  const at = strip.scrollLeft
  const origin = strip.getBoundingClientRect().left - at
  const places = tabs.map((t) => {
    const r = t.getBoundingClientRect()
    return { left: r.left - origin, right: r.right - origin }
  })
  const first = places.find((p) => p.left >= at - 0.5)
  if (!first) return
  // The right end of the last tab whole in a view of `room` from `from`.
  const wholeTo = (from: number): number => {
    let end = from
    for (const p of places) if (p.left >= from - 1 && p.right <= from + room + 0.05) end = p.right
    return end
  }
  // Narrowed first, so the strip may scroll that far. Chrome keeps a fractional scroll offset; where one is
  // rounded down, a sliver of the tab before would show: then the next whole pixel.
  strip.style.maxWidth = `${wholeTo(first.left) - first.left}px`
  strip.scrollLeft = first.left
  if (strip.scrollLeft < first.left - 0.05) strip.scrollLeft = Math.ceil(first.left)
  const start = strip.scrollLeft
  const end = wholeTo(start)
  if (end > start) strip.style.maxWidth = `${end - start}px`
}
