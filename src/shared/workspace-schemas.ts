import { z } from 'zod'
import { savedRequestSchema } from './collection'
import { MAX_SEND_COUNT } from './constants'
import type { StreamTally } from './stream-tally'
import type { TimelineEvent } from './timeline'
import { lazySchema } from './lazy-schema'

/**
 * The workspace (open tabs with their unsaved drafts, the active collection and its environment, the Send ×N
 * count) and the timeline coming back after a reload or a restart. The workspace is kept in the app's config
 * dir, never in a collection folder (DESIGN.md, "Collections on disk").
 */

/** Tabs a workspace keeps; past it the renderer keeps the first ones and says how many it left out. */
export const MAX_WORKSPACE_TABS = 50
/** A draft's text body (text or JSON) kept in the workspace; a longer one is cut here, and the tab says so. */
export const MAX_WORKSPACE_DRAFT_BODY = 1024 * 1024
/** The whole workspace file: what the engine accepts and writes. */
export const MAX_WORKSPACE_BYTES = 16 * 1024 * 1024
/** Timeline sessions a replay answers with per page (the renderer asks page after page). */
export const MAX_REPLAY_PAGE = 2_000
/** Session ids one `timeline.forget` takes (the renderer sends a larger Clear in several). */
export const MAX_FORGET = 20_000

export const workspaceTabSchema = lazySchema(() =>
  z
    .object({
      /** The collection and request file, or null for a request not saved yet. */
      dir: z.string().min(1).max(4096).nullable(),
      path: z.string().min(1).max(4096).nullable(),
      /**
       * The tab's content as it would be written now (its draft, unsaved edits included); null for a file's tab
       * with no unsaved edits, which comes back from the file itself.
       */
      request: savedRequestSchema.nullable(),
      /**
       * A hash of what the file held when the tab was last in step with it: at restore, the same hash means the
       * draft's base is still what is on disk; another means the file changed meanwhile (a conflict to resolve).
       */
      savedHash: z.string().max(64),
      /** An unsaved tab's number (Untitled 2), so a reload brings it back under the same name. */
      untitled: z.number().int().min(1).max(100_000).optional(),
    })
    .strict(),
)
export type WorkspaceTab = z.infer<typeof workspaceTabSchema>

export const workspaceSchema = lazySchema(() =>
  z
    .object({
      version: z.literal(1),
      tabs: z.array(workspaceTabSchema).max(MAX_WORKSPACE_TABS),
      activeTab: z.number().int().min(0).max(MAX_WORKSPACE_TABS),
      activeDir: z.string().min(1).max(4096).nullable(),
      /** The environment chosen per collection folder ('' = none). */
      envByDir: z.record(z.string().max(4096), z.string().max(256)),
      sendCount: z.number().int().min(1).max(MAX_SEND_COUNT),
      /** The toolbar's Trace switch (absent: off). */
      trace: z.boolean().optional(),
      /** What was cut when the workspace was saved (a draft body past the cap, tabs past the limit). */
      notes: z.array(z.string().max(1000)).max(20),
    })
    .strict(),
)
export type Workspace = z.infer<typeof workspaceSchema>

/** The workspace saved last (null when there is none), and the last session's timeline if one was kept. */
export const workspaceGetPayload = lazySchema(() => z.object({}).strict())

/** Replace the saved workspace (an atomic write of workspace-tabs.json in the config dir). */
export const workspaceSavePayload = lazySchema(() => z.object({ workspace: workspaceSchema }).strict())

/** Put the last session's timeline (kept as a HAR when the engine stopped) on the timeline, read-only. */
export const workspaceOpenLastSessionPayload = lazySchema(() => z.object({}).strict())

/**
 * The timeline as the engine remembers it, to rebuild the rows after a reload: per session its queued event
 * and the latest event of each kind, oldest session first, `MAX_REPLAY_PAGE` sessions a page from `from`.
 */
export const timelineReplayPayload = lazySchema(() =>
  z
    .object({
      from: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(MAX_REPLAY_PAGE).optional(),
    })
    .strict(),
)

/** Sessions the person cleared from the timeline: the engine stops replaying them (bodies stay until evicted). */
export const timelineForgetPayload = lazySchema(() =>
  z.object({ sids: z.array(z.string().min(1).max(64)).max(MAX_FORGET) }).strict(),
)

/** The last session's timeline, kept when the engine stopped. */
export interface LastSessionInfo {
  /** Wall-clock ms when it was written. */
  savedAt: number
  /** HTTP sessions in the HAR. */
  sessions: number
  /** Sessions the engine still remembered but left out (past the limit). */
  omitted: number
  /** Response bodies are in it up to this many bytes each. */
  bodyBytes: number
}

export interface WorkspaceGetResult {
  workspace: Workspace | null
  /** Why a workspace file was not read back (broken, too big): it is left on disk untouched. */
  problem?: string
  lastSession: LastSessionInfo | null
}

export interface TimelineReplayPage {
  events: TimelineEvent[]
  /**
   * The stream sessions' message counts (as their lanes count them), one per stream session of the page that
   * had a message; the events carry only each one's latest message. Absent from older engines.
   */
  tallies?: StreamTally[]
  /** Sessions in this page. */
  sessions: number
  /** Where the next page starts, or null after the last one. */
  next: number | null
  /** Sessions the engine no longer remembers (past its limit, oldest first). */
  forgotten: number
}
