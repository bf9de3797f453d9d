import { useEffect, useRef, type RefObject } from 'react'

/** A `<dialog>` shown modal as soon as it mounts (focus trapped, Esc closes it through its `onClose`). */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = dialog.current
    if (d && !d.open) d.showModal()
  }, [])
  return dialog
}
