import { useEffect, type RefObject } from 'react'

/**
 * Marks a scroll container that holds more than it shows: `data-more="below"` (and/or `above`), kept true as it
 * scrolls, resizes or its content changes; the stylesheet draws the cue from it. Headless Chromium and overlay
 * scrollbars (macOS, some Linux desktops) show no scrollbar until one scrolls, so without a cue a cut-off form
 * looks whole. Set on the element itself, no React state: a scroll or a keystroke re-renders nothing.
 *
 * With `strip` (an element after the scroller, outside it): the words go there instead of over the content, so
 * they never hide the last row a person is reading. The strip shows while the scroller has anything out of sight
 * and says "more below" while that is below; it does not come and go as one scrolls, so the content does not
 * jump by its height at the end.
 */
export function useScrollCue(
  ref: RefObject<HTMLElement | null>,
  strip?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const el = ref.current
    const words = strip?.current ?? null
    if (!el || typeof ResizeObserver === 'undefined') return
    let frame = 0
    const update = (): void => {
      frame = 0
      const below = el.scrollTop + el.clientHeight < el.scrollHeight - 1
      const above = el.scrollTop > 1
      const more = [...(above ? ['above'] : []), ...(below ? ['below'] : [])].join(' ')
      if (more === '') el.removeAttribute('data-more')
      else if (el.getAttribute('data-more') !== more) el.setAttribute('data-more', more)
      if (words) {
        // Shown while anything is out of sight (its own height counts: it stays until all fits without it).
        const cut = el.scrollHeight > el.clientHeight + 1
        if (words.hasAttribute('hidden') === cut) words.toggleAttribute('hidden', !cut)
        if (words.hasAttribute('data-below') !== below) words.toggleAttribute('data-below', below)
      }
    }
    // At most one measure a frame, however many scroll events, resizes and mutations came in it.
    const soon = (): void => {
      if (frame === 0) frame = requestAnimationFrame(update)
    }
    const sizes = new ResizeObserver(soon)
    const watchChildren = (): void => {
      sizes.disconnect()
      sizes.observe(el)
      for (const child of Array.from(el.children)) sizes.observe(child)
    }
    const content = new MutationObserver(() => {
      watchChildren()
      soon()
    })
    watchChildren()
    content.observe(el, { childList: true, subtree: true, characterData: true })
    el.addEventListener('scroll', soon, { passive: true })
    update()
    return () => {
      if (frame !== 0) cancelAnimationFrame(frame)
      sizes.disconnect()
      content.disconnect()
      el.removeEventListener('scroll', soon)
      el.removeAttribute('data-more')
      words?.setAttribute('hidden', '')
    }
  }, [ref, strip])
}
