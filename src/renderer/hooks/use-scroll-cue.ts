import { useEffect, type RefObject } from 'react'

/**
 * Marks scroll containers that hold more than they show: `data-more="below"` (and/or `above`), kept true as they
 * scroll, resize or their content changes; the stylesheet draws the cue from it. Headless Chromium and overlay
 * scrollbars (macOS, some Linux desktops) show no scrollbar until one scrolls, so without a cue a cut-off form
 * looks whole. Set on the elements themselves, no React state: a scroll or a keystroke re-renders nothing.
 *
 * With `strip` (an element after the scrollers, outside them): the words go there instead of over the content,
 * so they never hide the last row a person is reading. Nested scrollers (a composer and its panel) share one
 * strip: it shows while any of them has anything out of sight and says "more below" while any has more below;
 * it does not come and go as one scrolls, so the content does not jump by its height at the end. `refs` is read
 * once mounted: pass the same array every render (useMemo).
 */
export function useScrollCue(
  refs: readonly RefObject<HTMLElement | null>[],
  strip?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const els = refs.map((r) => r.current).filter((el): el is HTMLElement => el !== null)
    const words = strip?.current ?? null
    if (els.length === 0 || typeof ResizeObserver === 'undefined') return
    let frame = 0
    const update = (): void => {
      frame = 0
      let anyBelow = false
      let anyCut = false
      for (const el of els) {
        const below = el.scrollTop + el.clientHeight < el.scrollHeight - 1
        const above = el.scrollTop > 1
        const more = [...(above ? ['above'] : []), ...(below ? ['below'] : [])].join(' ')
        if (more === '') el.removeAttribute('data-more')
        else if (el.getAttribute('data-more') !== more) el.setAttribute('data-more', more)
        anyBelow ||= below
        // Its own height counts: the strip stays until all fits without it.
        anyCut ||= el.scrollHeight > el.clientHeight + 1
      }
      if (words) {
        if (words.hasAttribute('hidden') === anyCut) words.toggleAttribute('hidden', !anyCut)
        if (words.hasAttribute('data-below') !== anyBelow) words.toggleAttribute('data-below', anyBelow)
      }
    }
    // At most one measure a frame, however many scroll events, resizes and mutations came in it.
    const soon = (): void => {
      if (frame === 0) frame = requestAnimationFrame(update)
    }
    const sizes = new ResizeObserver(soon)
    const watchChildren = (): void => {
      sizes.disconnect()
      for (const el of els) {
        sizes.observe(el)
        for (const child of Array.from(el.children)) sizes.observe(child)
      }
    }
    const content = new MutationObserver(() => {
      watchChildren()
      soon()
    })
    watchChildren()
    for (const el of els) {
      content.observe(el, { childList: true, subtree: true, characterData: true })
      el.addEventListener('scroll', soon, { passive: true })
    }
    update()
    return () => {
      if (frame !== 0) cancelAnimationFrame(frame)
      sizes.disconnect()
      content.disconnect()
      for (const el of els) {
        el.removeEventListener('scroll', soon)
        el.removeAttribute('data-more')
      }
      words?.setAttribute('hidden', '')
    }
  }, [refs, strip])
}
