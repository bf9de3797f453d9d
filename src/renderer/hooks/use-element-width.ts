import { useLayoutEffect, useState, type RefObject } from 'react'
import { flushSync } from 'react-dom'

/**
 * The element's drawn width in CSS px, kept as it resizes; `fallback` until it is measured (and where there is no
 * ResizeObserver: a static render). Widths are rounded, so sub-pixel jitter renders nothing again. A resize is
 * drawn in the frame it happens in: the observer's callback runs before that frame is painted, and the new width
 * is rendered there and then (a state update left to React's scheduler painted one frame of the old drawing,
 * scaled to the new box: a chart's 11 px labels read 26 px).
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback)
  useLayoutEffect(() => {
    const el = ref.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const measured = (): number => Math.round(el.getBoundingClientRect().width)
    const first = measured()
    if (first > 0) setWidth(first)
    const sizes = new ResizeObserver(() => {
      const w = measured()
      if (w > 0) flushSync(() => setWidth(w))
    })
    sizes.observe(el)
    return () => sizes.disconnect()
  }, [ref])
  return width
}
