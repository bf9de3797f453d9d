import { useEffect } from 'react'
import { useAppStoreApi } from '../store/store-context'

/**
 * Keys that work anywhere in the window: Ctrl/Cmd+Enter sends the composed request once; Esc cancels the
 * selected request while it is in flight. (Arrow keys belong to the timeline grid, which handles them.)
 */
export function useGlobalShortcuts(): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented) return
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault()
        void store.getState().send(1)
        return
      }
      if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey) {
        void store.getState().cancelSelected()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}
