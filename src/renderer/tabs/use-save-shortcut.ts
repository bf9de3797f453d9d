import { useEffect } from 'react'
import { useAppStoreApi } from '../store/store-context'

/**
 * Ctrl/Cmd+S saves the active request tab, wherever the focus is (the browser's "save page" never opens);
 * Ctrl/Cmd+K jumps to the sidebar's request search.
 */
export function useSaveShortcut(): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
        e.preventDefault()
        void store.getState().saveActiveTab()
        return
      }
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        const search = document.querySelector<HTMLInputElement>('input[aria-label="Search requests"]')
        if (search) {
          e.preventDefault()
          search.focus()
          search.select()
        }
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}
