import { emptySavedRequest, type SavedRequest } from '../../shared/collection'
import { emptyDraft, type ComposerDraft } from '../composer/composer-draft'
import { runFieldsOf, type RunFields } from '../composer/run-draft'
import { draftToSaved, extrasOf, savedKey, savedToDraft, type TabExtras } from './draft-convert'

/**
 * One open request. Its draft is the one truth for what the person is editing: the composer shows and edits
 * the active tab's (`selectActiveDraft`, `editDraft`), other tabs keep theirs, and nothing is copied when the
 * active tab changes. A tab is dirty when what it would write differs from what the file holds (`savedKey`).
 */

export type TabConflict = 'changed' | 'deleted' | null

export interface RequestTab {
  id: string
  /** The collection and file, or null for a request not saved yet. */
  dir: string | null
  path: string | null
  extras: TabExtras
  draft: ComposerDraft
  baseOptions: SavedRequest['options']
  /** The file's run fields as last read or written (a field emptied in the tab must be written to go). */
  baseRun: RunFields
  savedKey: string
  version: string | null
  conflict: TabConflict
  /** The content a save in flight is writing, so its own change event is not taken for someone else's. */
  pendingKey: string | null
  /**
   * The number an unsaved tab is told apart by while it keeps the default name (tabDisplayName): given when the
   * tab opens, the lowest no other open tab holds, and kept until it closes, so closing one never renames another.
   */
  untitled?: number
}

/** The default name of a request not saved yet; shown numbered beside others (tabDisplayName). */
export const UNTITLED = 'Untitled'

/** The lowest number (from 1) no unsaved tab in `tabs` holds. */
function freeUntitled(tabs: readonly RequestTab[]): number {
  const taken = new Set(tabs.filter((t) => t.path === null).map((t) => t.untitled))
  let n = 1
  while (taken.has(n)) n++
  return n
}

/**
 * `tabs` with every unsaved tab numbered apart, in order: a tab keeps the number it has (a restored tab the one
 * it was saved with) unless a tab before it holds that number; a tab without one, or whose number is taken, gets
 * the lowest number no tab holds or was saved with. Saved tabs are unchanged.
 */
export function numberUntitled(tabs: readonly RequestTab[]): RequestTab[] {
  const held = new Set<number>()
  const claimed = new Set(tabs.filter((t) => t.path === null).map((t) => t.untitled))
  const out: RequestTab[] = []
  for (const tab of tabs) {
    if (tab.path !== null) {
      out.push(tab)
      continue
    }
    let n = tab.untitled
    if (n === undefined || held.has(n)) {
      n = 1
      while (held.has(n) || claimed.has(n)) n++
    }
    held.add(n)
    out.push(n === tab.untitled ? tab : { ...tab, untitled: n })
  }
  return out
}

/**
 * The name a tab is shown and spoken of by: its request's name, except that an unsaved tab still called
 * "Untitled" is "Untitled 1", "Untitled 2"... by its number (as editors number new documents), so two of them
 * are never both "Untitled" in the tab strip or in a Publish / Emit box naming the session's tab.
 */
export function tabDisplayName(tab: RequestTab): string {
  const name = tab.extras.name
  if (tab.path !== null || name !== UNTITLED || tab.untitled === undefined) return name
  return `${name} ${tab.untitled}`
}

let nextTab = 1

/** What an untouched Untitled tab would write: a tab that writes this has nothing to lose. */
export function scratchKey(): string {
  return savedKey(draftToSaved(emptyDraft(), extrasOf(emptySavedRequest(UNTITLED)), {}))
}

/** A new Untitled tab, numbered apart from the open `tabs`. */
export function scratchTab(tabs: readonly RequestTab[] = []): RequestTab {
  return {
    id: `t${nextTab++}`,
    dir: null,
    path: null,
    extras: extrasOf(emptySavedRequest(UNTITLED)),
    draft: emptyDraft(),
    baseOptions: {},
    baseRun: {},
    savedKey: scratchKey(),
    version: null,
    conflict: null,
    pendingKey: null,
    untitled: freeUntitled(tabs),
  }
}

/**
 * `tab` showing `req` as read from its file (the file is the truth): nothing unsaved, no conflict. The SSE
 * reconnect choice is not in the file and stays the tab's.
 */
export function withFile(tab: RequestTab, req: SavedRequest, version: string): RequestTab {
  return {
    ...tab,
    extras: extrasOf(req),
    draft: { ...savedToDraft(req), sseReconnect: tab.draft.sseReconnect },
    baseOptions: req.options,
    baseRun: runFieldsOf(req),
    savedKey: savedKey(req),
    version,
    conflict: null,
    pendingKey: null,
  }
}

export function tabFromFile(dir: string, path: string, req: SavedRequest, version: string): RequestTab {
  const { untitled: _unsaved, ...tab } = scratchTab()
  return withFile({ ...tab, dir, path }, req, version)
}

/** What the tab would write now. */
export function tabContent(tab: RequestTab): SavedRequest {
  return draftToSaved(tab.draft, tab.extras, tab.baseOptions, tab.baseRun)
}

/**
 * Tabs are replaced, never changed in place, so a tab object's dirtiness never changes: computed once per
 * version of the tab (a store update that leaves tabs alone, such as a timeline batch, costs nothing here).
 */
const dirtyByTab = new WeakMap<RequestTab, boolean>()

export function isTabDirty(tab: RequestTab): boolean {
  let dirty = dirtyByTab.get(tab)
  if (dirty === undefined) {
    dirty = savedKey(tabContent(tab)) !== tab.savedKey
    dirtyByTab.set(tab, dirty)
  }
  return dirty
}

/** A readable default name for a new request: "GET users" from GET {{base}}/users?page=1. */
export function defaultRequestName(method: string, url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? ''
  const last = path
    .split('/')
    .filter((p) => p !== '' && !p.startsWith('{{'))
    .pop()
  return `${method} ${last ?? 'request'}`.slice(0, 120)
}
