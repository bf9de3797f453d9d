import { emptyDraft, type ComposerDraft } from '../composer/composer-draft'
import type { RequestTab } from './request-tab'

/**
 * The active tab's draft: what the composer shows, sends and saves. It lives in `tabs[i].draft` only; this is
 * the one way to read it, and `editDraft` (composer slice) the one way to change it.
 */

/** A change to a draft: the fields to replace, or a function of the draft as it is now. */
export type DraftChange = Partial<ComposerDraft> | ((d: ComposerDraft) => Partial<ComposerDraft>)

interface TabsView {
  tabs: readonly RequestTab[]
  activeTabId: string
}

/** Shown only if no tab is active (the tabs slice always keeps one): one object, so selectors stay stable. */
const NO_DRAFT: ComposerDraft = Object.freeze(emptyDraft())

export function selectActiveTab(s: TabsView): RequestTab | undefined {
  return s.tabs.find((t) => t.id === s.activeTabId)
}

export function selectActiveDraft(s: TabsView): ComposerDraft {
  return selectActiveTab(s)?.draft ?? NO_DRAFT
}

/** `tabs` with the tab `id`'s draft changed by `change`; the same array when there is no such tab. */
export function withDraftChange(tabs: RequestTab[], id: string, change: DraftChange): RequestTab[] {
  const at = tabs.findIndex((t) => t.id === id)
  const tab = tabs[at]
  if (!tab) return tabs
  const patch = typeof change === 'function' ? change(tab.draft) : change
  const next = tabs.slice()
  next[at] = { ...tab, draft: { ...tab.draft, ...patch } }
  return next
}

/**
 * Whether the tab `id`'s draft reads differently in `after` than in `before` (field by field, by identity): an
 * edit that rewrote a field with the same value (an editor echoing its text) is no change.
 */
export function draftEdited(
  before: readonly RequestTab[],
  after: readonly RequestTab[],
  id: string,
): boolean {
  const a = before.find((t) => t.id === id)?.draft
  const b = after.find((t) => t.id === id)?.draft
  if (a === b || !a || !b) return a !== b
  return (Object.keys(b) as (keyof ComposerDraft)[]).some((k) => a[k] !== b[k])
}
