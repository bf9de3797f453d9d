import type { RequestSpec } from './request'

/**
 * Replies of the response viewer's and HAR commands (schemas in timeline-schemas.ts). No schema library here,
 * so the renderer can import these types and constants without pulling zod into its bundle.
 */

/** `pretty`: JSON laid out as JSON.stringify(v, null, 2) does, with fold pairs; `raw`: the text as sent. */
export type BodyView = 'pretty' | 'raw'

/** Most lines one `body.lines` returns. */
export const MAX_BODY_LINES = 2000
/** Bodies past this cannot be shown (they are offered as "save to file"); matches the engine's limit. */
export const MAX_VIEWABLE_BODY = 512 * 1024 * 1024

export interface BodyLines {
  bodyId: string
  view: BodyView
  /** Line number of `lines[0]`. */
  from: number
  lines: string[]
  /** For each returned line: the line closing the container it opens (pretty view), or -1. */
  closes: number[]
  /** Lines known so far (the whole body once `complete`). */
  total: number
  /** The body has been indexed to its end. */
  complete: boolean
  /** Bytes indexed so far, of `size`. */
  scanned: number
  size: number
  /** Pretty view only: the body is not JSON; where parsing stopped. */
  invalid?: { message: string; offset: number }
  /**
   * Pretty view only: lines nested deeper than `levels` are indented as if at `levels` (so a line's indentation
   * stays short however deep the body goes); `deepest` is the deepest level indexed so far.
   */
  indentCap?: { levels: number; deepest: number }
}

export interface BodySearchMatch {
  /** Byte offset of the match in the body. */
  offset: number
  /** The view line it is on. */
  line: number
}

export interface BodySearchResult {
  bodyId: string
  view: BodyView
  matches: BodySearchMatch[]
  /** Byte offset to continue from when more matches may follow; null when the search reached the end. */
  next: number | null
}

/**
 * The response bodies one HAR holds, all together: past it (in the entries' time order) a body is left out
 * with a comment saying why. Without it a few hundred bodies of a megabyte ran the building worker out of
 * memory, and the export (a run's run.har) failed whole.
 */
export const MAX_EXPORT_BODIES_TOTAL = 64 * 1024 * 1024

export interface HarExportResult {
  /** The HAR 1.2 document, as JSON text. */
  har: string
  entries: number
  /** Sessions asked for that the engine no longer (or never) knew. */
  missing: string[]
  /** Credentials and secret values were replaced by "[redacted]" (the default). */
  redacted: boolean
  /** Response bodies left out because the HAR's bodies reached their total (each entry's comment says so). */
  bodiesLeftOut?: number
}

export interface HarImportResult {
  /** The imported entries' session ids, in the HAR's order; they arrive on the timeline as events. */
  sids: string[]
  /** The batch id the imported sessions carry (`har:<uuid>`), so the timeline can name the group. */
  batchId: string
  /** Entries left out (unreadable), with why. */
  skipped: { index: number; reason: string }[]
  /** Entries imported with less than they recorded (a multipart body past its part limit): place in `sids`, what was cut. */
  cut: { index: number; reason: string }[]
  /**
   * Entries whose multipart file parts came without their files (a HAR keeps a file's name, not its bytes): place
   * in `sids`, and each such part's name and recorded file name. Sending one again needs its file chosen.
   */
  filesToChoose: HarFilesToChoose[]
}

/** An imported entry's file parts that have no file until the person chooses one. */
export interface HarFilesToChoose {
  index: number
  parts: { name: string; fileName: string }[]
}

/**
 * `session.request`: a session's request, ready to edit and send again; `note` says what it could not carry (a
 * HAR's binary body).
 */
export type SessionRequest = Pick<RequestSpec, 'method' | 'url' | 'headers' | 'body'> & { note?: string }

/** Code snippet languages offered: the one list, shared with the composer. */
export { SNIPPET_TARGETS, type SnippetTarget } from './snippet-targets'
