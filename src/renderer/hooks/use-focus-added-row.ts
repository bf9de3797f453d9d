import { useEffect, useRef, type RefObject } from 'react'

/**
 * After "+ Add", the new row's first text field gets the focus, so a person types the name at once. Call
 * `added()` in the click handler; the hook focuses once the row is rendered.
 */
export function useFocusAddedRow<T extends HTMLElement>(rowCount: number): [RefObject<T | null>, () => void] {
  const ref = useRef<T>(null)
  const pending = useRef(false)
  useEffect(() => {
    if (!pending.current) return
    pending.current = false
    const field = ref.current?.querySelector<HTMLInputElement>(
      'tr:last-child input:not([type="checkbox"]):not([type="radio"])',
    )
    field?.focus()
  }, [rowCount])
  return [ref, () => (pending.current = true)]
}
