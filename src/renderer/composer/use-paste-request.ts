import { useEffect } from 'react'
import { looksLikeCurl } from '../../shared/draft-schemas'
import { useAppStoreApi } from '../store/store-context'
import { selectActiveDraft } from '../tabs/active-draft'

/** Where a paste belongs to the focused field, not to the composer as a whole. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/**
 * Ctrl/Cmd+V with no field focused and an empty URL: a curl command becomes the request, a URL becomes the
 * URL. Anything else is left alone.
 */
export function usePasteRequest(): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const onPaste = (e: ClipboardEvent): void => {
      if (isEditable(e.target)) return
      const s = store.getState()
      if (selectActiveDraft(s).url.trim() !== '') return
      const text = e.clipboardData?.getData('text/plain') ?? ''
      if (looksLikeCurl(text)) {
        e.preventDefault()
        void s.pasteCurl(text)
      } else if (/^\s*https?:\/\/\S+\s*$/i.test(text)) {
        e.preventDefault()
        s.setUrl(text.trim())
      }
    }
    window.addEventListener('paste', onPaste)
    return () => window.removeEventListener('paste', onPaste)
  }, [store])
}
