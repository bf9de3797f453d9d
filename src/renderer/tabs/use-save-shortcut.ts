import { useEffect } from 'react'
import { useAppStoreApi } from '../store/store-context'

/**
 * Ctrl/Cmd+S saves the active request tab, wherever the focus is (the browser's "save page" never opens);
 * Ctrl/Cmd+K opens the quick-open finder.
 */
export function useSaveShortcut(onQuickOpen: () => void): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return
      const key = e.key.toLowerCase()
      if (key === 's') {
        e.preventDefault()
        void store.getState().saveActiveTab()
      } else if (key === 'k') {
        e.preventDefault()
        onQuickOpen()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store, onQuickOpen])
}
