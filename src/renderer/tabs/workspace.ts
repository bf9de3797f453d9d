import { emptySavedRequest, type SavedRequest } from '../../shared/collection'
import { formatBytes } from '../../shared/format'
import {
  MAX_WORKSPACE_DRAFT_BODY,
  MAX_WORKSPACE_TABS,
  workspaceTabSchema,
  type Workspace,
  type WorkspaceTab,
} from '../../shared/workspace-schemas'
import { runFieldsOf } from '../composer/run-draft'
import type { AppState } from '../store/app-state'
import { extrasOf, savedKey, savedToDraft } from './draft-convert'
import { isTabDirty, scratchKey, tabContent, tabDisplayName, type RequestTab } from './request-tab'

/**
 * The workspace as the engine keeps it (workspace-tabs.json in the config dir) and back: what is open, with its
 * unsaved drafts. A tab keeps its chosen body only (the composer's other body kinds are not kept), a draft
 * body past MAX_WORKSPACE_DRAFT_BODY is cut there, and tabs past MAX_WORKSPACE_TABS are left out; each cut
 * is written into the workspace's notes, which the restored window shows.
 */

/** FNV-1a over UTF-16 code units, two lanes: a short, stable name for a (possibly megabytes long) key. */
export function keyHash(key: string): string {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ key.length
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}-${key.length}`
}

function tabName(tab: RequestTab): string {
  return tab.path ?? tabDisplayName(tab)
}

/** The request with a text body over the cap cut to it; null when it was within. */
function cutBody(req: SavedRequest): { req: SavedRequest; was: number } | null {
  const body = req.body
  if ((body.kind !== 'text' && body.kind !== 'json') || body.text.length <= MAX_WORKSPACE_DRAFT_BODY)
    return null
  return {
    req: { ...req, body: { ...body, text: body.text.slice(0, MAX_WORKSPACE_DRAFT_BODY) } },
    was: body.text.length,
  }
}

/** The run and After response fields, which a half-typed Tests tab can leave invalid. */
function withoutRunFields(req: SavedRequest): SavedRequest {
  const {
    assertions: _a,
    extract: _e,
    retry: _r,
    dependsOn: _d,
    stop: _s,
    waitForWebhook: _w,
    followJob: _f,
    longPoll: _l,
    ...rest
  } = req
  return rest
}

/** What the window has open now, as the engine's workspace-tabs.json keeps it. */
export function snapshotWorkspace(s: AppState): Workspace {
  const notes: string[] = []
  const tabs: WorkspaceTab[] = []
  let activeTab = 0
  const open = s.tabs.slice(0, MAX_WORKSPACE_TABS)
  if (s.tabs.length > open.length)
    notes.push(
      `${s.tabs.length - open.length} tab(s) past the first ${MAX_WORKSPACE_TABS} were not kept in the workspace.`,
    )
  for (const tab of open) {
    const dirty = isTabDirty(tab)
    const savedHash = keyHash(tab.savedKey)
    let kept: WorkspaceTab | null = null
    if (tab.path !== null && !dirty) {
      kept = { dir: tab.dir, path: tab.path, request: null, savedHash }
    } else {
      let request = tabContent(tab)
      const cut = cutBody(request)
      if (cut) {
        request = cut.req
        notes.push(
          `"${tabName(tab)}": its draft body is ${formatBytes(cut.was)}; the workspace kept the first ${formatBytes(MAX_WORKSPACE_DRAFT_BODY)}.`,
        )
      }
      // An unsaved tab's number goes with it, so it comes back under the name it has now.
      const untitled = tab.path === null && tab.untitled !== undefined ? { untitled: tab.untitled } : {}
      const full = workspaceTabSchema.safeParse({
        dir: tab.dir,
        path: tab.path,
        request,
        savedHash,
        ...untitled,
      })
      if (full.success) kept = full.data
      else {
        const bare = workspaceTabSchema.safeParse({
          dir: tab.dir,
          path: tab.path,
          request: withoutRunFields(request),
          savedHash,
          ...untitled,
        })
        if (bare.success) {
          kept = bare.data
          notes.push(
            `"${tabName(tab)}": its Tests and After response edits were not valid yet and were not kept.`,
          )
        } else {
          const issue = full.error.issues[0]
          notes.push(
            `"${tabName(tab)}": its draft could not be kept (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}).`,
          )
        }
      }
    }
    if (!kept) continue
    if (tab.id === s.activeTabId) activeTab = tabs.length
    tabs.push(kept)
  }
  return {
    version: 1,
    tabs,
    activeTab,
    activeDir: s.activeDir,
    envByDir: s.envByDir,
    sendCount: s.sendCount,
    ...(s.traceSends ? { trace: true } : {}),
    notes: notes.slice(0, 20),
  }
}

let restoredIds = 0

/**
 * The file's options with the draft's default headers left out: that edit lives in the tab's options (the
 * composer has no draft field for it), so a tab restored over its file took the file's list and lost the
 * unsaved change, where every other unsaved edit came back.
 */
function withDraftLeftOut(
  file: SavedRequest['options'],
  draft: SavedRequest['options'],
): SavedRequest['options'] {
  const { omitDefaultHeaders: _file, ...rest } = file
  return draft.omitDefaultHeaders?.length ? { ...rest, omitDefaultHeaders: draft.omitDefaultHeaders } : rest
}

function tabOf(
  dir: string | null,
  path: string | null,
  content: SavedRequest,
  base: { savedKey: string; options: SavedRequest['options']; run: SavedRequest },
  version: string | null,
  conflict: RequestTab['conflict'],
  untitled?: number,
): RequestTab {
  return {
    ...(untitled === undefined ? {} : { untitled }),
    id: `w${++restoredIds}`,
    dir,
    path,
    extras: extrasOf(content),
    draft: savedToDraft(content),
    baseOptions: withDraftLeftOut(base.options, content.options),
    baseRun: runFieldsOf(base.run),
    savedKey: base.savedKey,
    version,
    conflict,
    pendingKey: null,
  }
}

/** A request tab's file as it is on disk now, or null when it cannot be read (deleted, collection closed). */
export type ReadFile = (
  dir: string,
  path: string,
) => Promise<{ request: SavedRequest; version: string } | null>

/**
 * The tabs a saved workspace describes, checked against the files as they are now: a draft whose file is
 * unchanged comes back unsaved over it; one whose file changed meanwhile comes back marked as a conflict; a
 * tab with no unsaved edits simply shows the file as it is (or is dropped when the file is gone).
 */
export async function restoreTabs(ws: Workspace, read: ReadFile): Promise<RequestTab[]> {
  const tabs: RequestTab[] = []
  for (const saved of ws.tabs.slice(0, MAX_WORKSPACE_TABS)) {
    if (saved.dir === null || saved.path === null) {
      if (!saved.request) continue
      const base = { savedKey: scratchKey(), options: {}, run: emptySavedRequest('Untitled') }
      tabs.push(tabOf(null, null, saved.request, base, null, null, saved.untitled))
      continue
    }
    const disk = await read(saved.dir, saved.path)
    if (!saved.request) {
      if (disk)
        tabs.push(tabOf(saved.dir, saved.path, disk.request, baseOf(disk.request), disk.version, null))
      continue
    }
    if (!disk) {
      // The draft is all that is left of it: kept, marked, for the person to save elsewhere or close.
      const base = baseOf(saved.request)
      tabs.push(tabOf(saved.dir, saved.path, saved.request, { ...base, savedKey: '' }, null, 'deleted'))
      continue
    }
    const changed = keyHash(savedKey(disk.request)) !== saved.savedHash
    tabs.push(
      tabOf(
        saved.dir,
        saved.path,
        saved.request,
        baseOf(disk.request),
        disk.version,
        changed ? 'changed' : null,
      ),
    )
  }
  return tabs
}

function baseOf(req: SavedRequest): {
  savedKey: string
  options: SavedRequest['options']
  run: SavedRequest
} {
  return { savedKey: savedKey(req), options: req.options, run: req }
}
