import type { ComposerDraft } from '../composer/composer-draft'
import { useAppStore } from '../store/store-context'
import { selectActiveDraft } from './active-draft'

/** Select part of the active tab's draft; the component re-renders only when that part changes. */
export function useActiveDraft<T>(selector: (d: ComposerDraft) => T): T {
  return useAppStore((s) => selector(selectActiveDraft(s)))
}
