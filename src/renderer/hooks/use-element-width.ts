import { useLayoutEffect, useState, type RefObject } from 'react'

/**
 * The element's drawn width in CSS px, kept as it resizes; `fallback` until it is measured (and where there is no
 * ResizeObserver: a static render). Widths are rounded, so sub-pixel jitter renders nothing again.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback)
  useLayoutEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const measure = (): void => {
      const w = Math.round(el.getBoundingClientRect().width)
      if (w > 0) setWidth(w)
    }
    measure()
    const sizes = new ResizeObserver(measure)
    sizes.observe(el)
    return () => sizes.disconnect()
  }, [ref])
  return width
}
