import { useEffect, useRef, type RefObject } from 'react'

/**
 * Closes an open toolbar menu the ways a person expects: Esc (which then does nothing else: the window's Esc
 * would cancel the selected request) with the focus back on the menu's button, or a press anywhere outside the
 * menu and its button. Before, only the pointer leaving the menu closed it: one opened from the keyboard, or
 * left without the pointer ever entering it, stayed open over the timeline. Returns the ref for the element that
 * holds both the button and the menu; `setOpen` is the menu's state setter.
 */
export function useMenuDismiss<T extends HTMLElement>(
  open: boolean,
  setOpen: (open: boolean) => void,
): RefObject<T | null> {
  const wrap = useRef<T>(null)
  useEffect(() => {
    if (!open) return
    const close = (): void => setOpen(false)
    const onDown = (e: PointerEvent): void => {
      if (!wrap.current?.contains(e.target as Node)) close()
    }
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented) return
      e.preventDefault()
      close()
      wrap.current?.querySelector<HTMLElement>('[aria-haspopup]')?.focus()
    }
    document.addEventListener('pointerdown', onDown, true)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('pointerdown', onDown, true)
      document.removeEventListener('keydown', onKey)
    }
  }, [open, setOpen])
  return wrap
}
