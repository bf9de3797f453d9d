import type { AuthSpec, RequestScripts, SavedRequest, Variable } from '../../shared/collection'
import { emptySavedRequest } from '../../shared/collection'
import { counted } from '../../shared/format'
import type { KeyValue } from '../../shared/request'
import { groupDigits } from '../../shared/group-digits'

/**
 * What an importer produces before anything is written: a tree of folders and requests, variables, auth,
 * environments, and the report of everything it could not map. Importers are pure (text in, plan out); the
 * writer (./write-plan.ts) turns a plan into files.
 */

export interface PlanFolder {
  name: string
  variables: Variable[]
  auth: AuthSpec
  /** The folder's own scripts (folder.yaml): they run around every request below it. */
  scripts?: RequestScripts
  children: PlanNode[]
}

/**
 * A request may name the requests it depends on by `ref` (an id of the importer's choosing), since their file
 * paths are only known once written: the writer turns `dependsOnRefs` into `dependsOn` paths. A ref must name
 * a request written before this one (earlier in the plan's depth-first order).
 */
export type PlanNode =
  | { type: 'folder'; folder: PlanFolder }
  | { type: 'request'; request: SavedRequest; ref?: string; dependsOnRefs?: string[] }

export interface PlanEnvironment {
  name: string
  variables: Variable[]
}

export interface ImportPlan {
  name: string
  variables: Variable[]
  auth: AuthSpec
  /** The collection's own scripts (collection.yaml; the import's folder when it goes into a collection). */
  scripts?: RequestScripts
  children: PlanNode[]
  environments: PlanEnvironment[]
  /** One plain line per thing not carried over: never silently dropped. */
  unmapped: string[]
  /**
   * Files the import writes beside its requests (a recorded binary body), each at `path` below the import's own
   * folder; a request's `file` body naming that path reads it (write-plan.ts puts the folder before it).
   */
  files?: PlanFile[]
  /** The Bruno collection folder a folder import read: its relative file paths are re-pointed from it. */
  sourceDir?: string
}

export interface PlanFile {
  path: string
  bytes: Uint8Array
  /** What the file is, for the report; the writer adds where it was written (a path a person can open). */
  said: string
  /** What the request does with it, for the report ('sends' when absent; a proto is 'loads its schema from'). */
  use?: string
}

export class ImportError extends Error {}

/**
 * Most requests and folders one import writes. Each is a file written atomically (with an fsync), so an
 * export with hundreds of thousands of items would keep the disk busy for many minutes: it is refused, whole,
 * before anything is written, rather than half-imported.
 */
export const MAX_IMPORT_ITEMS = 10_000

/** An import with more items than one import writes: refused whole, nothing written. */
export class ImportTooLarge extends ImportError {}

/**
 * Refuse an import over MAX_IMPORT_ITEMS. Checked where the items are counted: before any per-request work
 * when an importer can count its source, and on the plan in the worker, so a refused plan is never built in
 * full or copied back to the engine's thread.
 */
export function refuseTooLarge(counts: { requests: number; folders: number }): void {
  if (counts.requests + counts.folders <= MAX_IMPORT_ITEMS) return
  throw new ImportTooLarge(
    `The file has ${counted(counts.requests, 'request')} in ${counted(counts.folders, 'folder')}; Flightdeck imports at most ${groupDigits(MAX_IMPORT_ITEMS)} at a time (nothing was written)`,
  )
}

export function emptyPlan(name: string): ImportPlan {
  return { name, variables: [], auth: { type: 'inherit' }, children: [], environments: [], unmapped: [] }
}

/**
 * A request of the plan. Its name is one line: a source whose "name" is a whole paragraph (an OpenAPI summary
 * written as prose, a Postman name pasted from docs) gets its first line as the name, and the paragraph moves to
 * the description when that is empty, so nothing is lost and the sidebar and file name stay readable.
 */
export function request(name: string, patch: Partial<SavedRequest>): SavedRequest {
  const lines = name
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
  const first = Array.from(lines[0] ?? '')
  const short = first.length > 120 ? `${first.slice(0, 119).join('')}…` : first.join('')
  const out: SavedRequest = { ...emptySavedRequest(short || 'request'), ...patch }
  if ((lines.length > 1 || first.length > 120) && out.description === '') out.description = name.trim()
  return out
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function str(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return fallback
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

const VAR_NAME = /^[A-Za-z_][\w.-]*$/

/** A variable name Flightdeck accepts, or null (then it is reported). */
export function varName(name: string): string | null {
  const n = name.trim()
  return VAR_NAME.test(n) && n.length <= 256 ? n : null
}

/** A value percent-encoded as one path segment (encodeURIComponent), its `{{references}}` kept as written. */
export function encodeSegment(value: string): string {
  return value
    .split(/(\{\{[^{}]*\}\})/)
    .map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part)))
    .join('')
}

/** Switched-off query parameters, kept beside the URL (unticked in the Params table), never sent. */
export function offParams(list: readonly KeyValue[]): { disabledParams?: KeyValue[] } {
  const off = list.filter((p) => !p.enabled).map(({ name, value }) => ({ name, value, enabled: false }))
  return off.length > 0 ? { disabledParams: off } : {}
}

/**
 * Append query parameters to a URL, keeping `{{variables}}` readable (not percent-encoded). A parameter marked
 * `bare` (a Postman row whose value is null) goes as its name alone, `?flag`, as the tool sends it.
 */
export function withQuery(url: string, params: readonly (KeyValue & { bare?: boolean })[]): string {
  const enabled = params.filter((p) => p.enabled && p.name !== '')
  if (enabled.length === 0) return url
  const enc = (s: string): string => (s.includes('{{') ? s : encodeURIComponent(s))
  const q = enabled.map((p) => (p.bare ? enc(p.name) : `${enc(p.name)}=${enc(p.value)}`)).join('&')
  return url.includes('?') ? `${url}&${q}` : `${url}?${q}`
}

export function countPlan(children: readonly PlanNode[]): { requests: number; folders: number } {
  let requests = 0
  let folders = 0
  const walk = (nodes: readonly PlanNode[], depth: number): void => {
    if (depth > 64) return
    for (const n of nodes) {
      if (n.type === 'request') requests++
      else {
        folders++
        walk(n.folder.children, depth + 1)
      }
    }
  }
  walk(children, 0)
  return { requests, folders }
}

/**
 * Where a note comes from: the folder path and a name, the name cut to 80 characters. Every note below a folder
 * repeats its path, so a long name kept whole would grow the report as name length times request count.
 */
export function notePlace(path: string, name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name
  return path ? `${path} / ${shown}` : shown
}

/** Methods must be HTTP tokens; anything else becomes GET and is reported. */
export function method(v: unknown, unmapped: string[], where: string): string {
  const m = str(v, 'GET').toUpperCase()
  if (/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(m) && m.length <= 64) return m
  unmapped.push(`${where}: method "${m.slice(0, 40)}" is not an HTTP method; imported as GET`)
  return 'GET'
}

/**
 * Headers a folder (or the collection) sends with every request below it, as Bruno, Insomnia, Hoppscotch and
 * Yaak do: Flightdeck folders hold no headers, so each request below gets them in its own list, before its own
 * headers. A request's own switched-on header of the same name wins (as in those tools), and so does an inner
 * folder's, copied first. Switched-off folder headers are not sent there either and are not copied. Reported
 * in one line per folder: how many requests got them. `grpcToo`: gRPC requests get them as metadata (Yaak sends
 * them so).
 */
export function copyFolderHeaders(
  nodes: readonly PlanNode[],
  headers: readonly KeyValue[],
  report: (line: string) => void,
  where: string,
  grpcToo = false,
): void {
  const on = headers.filter((h) => h.enabled && h.name.trim() !== '')
  if (on.length === 0) return
  let requests = 0
  const stack: { list: readonly PlanNode[]; depth: number }[] = [{ list: nodes, depth: 0 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    for (const n of top.list) {
      if (n.type === 'folder') {
        if (top.depth < 64) stack.push({ list: n.folder.children, depth: top.depth + 1 })
        continue
      }
      const r = n.request
      // gRPC metadata, MQTT and Socket.IO are not HTTP headers; the others send these.
      const http = r.kind === 'http' || r.kind === 'graphql' || r.kind === 'sse' || r.kind === 'ws'
      if (!http && !(grpcToo && r.kind === 'grpc')) continue
      const own = new Set(r.headers.filter((h) => h.enabled).map((h) => h.name.trim().toLowerCase()))
      const added = on.filter((h) => !own.has(h.name.trim().toLowerCase())).map((h) => ({ ...h }))
      // A request file holds at most 1,000 headers: past that, said, not cut silently.
      const room = Math.max(0, 1000 - r.headers.length)
      if (added.length > room)
        report(
          `${where} / ${r.name}: ${added.length - room} of the folder's headers not copied (a request holds at most 1,000)`,
        )
      r.headers = [...added.slice(0, room), ...r.headers]
      requests++
    }
  }
  const names = on.map((h) => h.name.trim()).join(', ')
  report(
    `${where}: ${on.length === 1 ? 'header' : 'headers'} ${names.slice(0, 200)} (sent with every request below it) copied into ${counted(requests, 'request')} (Flightdeck folders have no headers)`,
  )
}

/**
 * A form-data text part's own Content-Type, sent with the part as Postman, Bruno, Hoppscotch and Yaak send it.
 * One a part cannot carry (not printable ASCII on one line, or past 256 characters) is left off, and the report
 * names it.
 */
export function partContentType(
  type: string,
  name: string,
  unmapped: string[],
  where: string,
): { contentType?: string } {
  if (type === '') return {}
  if (/^[\x20-\x7e]{1,256}$/.test(type)) return { contentType: type }
  unmapped.push(
    `${where}: form-data part "${name}" is sent without its Content-Type "${type.slice(0, 80)}" (not printable ASCII on one line within 256 characters)`,
  )
  return {}
}
