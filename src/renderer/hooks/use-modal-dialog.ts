import { useEffect, useRef, type RefObject } from 'react'

/**
 * A `<dialog>` shown modal as soon as it mounts (focus trapped, Esc closes it through its `onClose`). Esc hands
 * the focus back to what had it before; a dialog removed while open (Save, Cancel) hands back nothing, so on
 * unmount the focus goes back there too, rather than to the page's start.
 */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null)
  const opener = useRef<Element | null>(null)
  useEffect(() => {
    const d = dialog.current
    opener.current ??= document.activeElement
    if (d && !d.open) d.showModal()
    return () => {
      const back = opener.current
      const now = document.activeElement
      const lost = now === null || now === document.body || !now.isConnected
      if (lost && back instanceof HTMLElement && back.isConnected) back.focus()
    }
  }, [])
  return dialog
}
