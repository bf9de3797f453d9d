import { useLayoutEffect, useState, type RefObject } from 'react'

/**
 * Whether a sideways scroller holds more than it shows, kept as it or its content resizes: a scroller that does
 * is a place the keyboard must reach (its arrows scroll it), one that does not is no stop at all.
 */
export function useOverflowsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [overflows, setOverflows] = useState(false)
  useLayoutEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const measure = (): void => setOverflows(el.scrollWidth > el.clientWidth + 1)
    measure()
    const sizes = new ResizeObserver(measure)
    sizes.observe(el)
    for (const child of Array.from(el.children)) sizes.observe(child)
    return () => sizes.disconnect()
  }, [ref])
  return overflows
}
