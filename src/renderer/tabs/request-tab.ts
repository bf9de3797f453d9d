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
}

let nextTab = 1

/** What an untouched Untitled tab would write: a tab that writes this has nothing to lose. */
export function scratchKey(): string {
  return savedKey(draftToSaved(emptyDraft(), extrasOf(emptySavedRequest('Untitled')), {}))
}

export function scratchTab(): RequestTab {
  return {
    id: `t${nextTab++}`,
    dir: null,
    path: null,
    extras: extrasOf(emptySavedRequest('Untitled')),
    draft: emptyDraft(),
    baseOptions: {},
    baseRun: {},
    savedKey: scratchKey(),
    version: null,
    conflict: null,
    pendingKey: null,
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
  return withFile({ ...scratchTab(), dir, path }, req, version)
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
