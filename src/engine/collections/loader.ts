import { createHash } from 'node:crypto'
import { basename, join, sep } from 'node:path'
import type { CollectionInfo, EnvironmentInfo, FileProblem, SavedRequest } from '../../shared/collection'
import { isTempFile, tempWriterOf } from './atomic-write'
import { readdirEntries, readUtf8, realpath } from './callback-fs'
import { Slicer, statFile } from './scan-slicer'
import { buildTree } from './collection-tree'
import { isYamlName, stemOf } from './file-names'
import { linkProblem } from './linked-entry'
import { eachSliced, MAX_FILE_BYTES, NOT_A_FILE, ParseCache, readParsed, readParsedNow } from './parse-cache'
import {
  COLLECTION_FILE,
  ENVIRONMENTS_DIR,
  FOLDER_FILE,
  type CollectionSettings,
  type FolderSettings,
  type Parsed,
} from './collection-file-format'
import {
  parseCollectionText,
  parseEnvironmentText,
  parseFolderText,
  parseRequestText,
} from './collection-file-read'

/**
 * Reads a collection folder into a `CollectionInfo`. A file that fails to parse becomes a problem (path, line,
 * reason) and is left out; everything else loads. Parsed files are cached by (mtime, size), so the rescan after
 * an external edit re-reads only what changed (./parse-cache.ts). The tree is put together in
 * ./collection-tree.ts.
 */

export { isYamlName, stemOf } from './file-names'
export { MAX_FILE_BYTES, ParseCache } from './parse-cache'

/** Bounds, so a folder that is not a collection (a home directory) cannot make a scan run forever. */
export const MAX_DEPTH = 24
export const MAX_FILES = 50_000

function skipped(name: string): boolean {
  return name.startsWith('.') || isTempFile(name) || name === 'node_modules'
}

export interface LoadedCollection {
  info: CollectionInfo
  settings: CollectionSettings
  /** Folder settings by folder path ('' is the collection's own). */
  folders: Map<string, FolderSettings>
  /** Temp files of the atomic writer found in the folder (absolute; ./temp-sweep.ts judges them). */
  temps: string[]
}

/** Temp files one scan lists, at most. */
const MAX_TEMPS = 1000

interface Found {
  rel: string
  abs: string
}

/** A request file's parse; its name on disk (the stem) is its name when the file gives none. */
function parseRequestAt(text: string, rel: string): Parsed<SavedRequest> {
  return parseRequestText(text, stemOf(rel.slice(rel.lastIndexOf('/') + 1)))
}

function problemOf(rel: string, r: Parsed<unknown>): FileProblem | null {
  return r.ok ? null : { path: rel, ...r.problem }
}

export async function loadCollection(
  dir: string,
  cache: ParseCache = new ParseCache(),
): Promise<LoadedCollection> {
  cache.changed = []
  cache.scan++
  const slicer = new Slicer()
  const problems: FileProblem[] = []
  const folders = new Map<string, FolderSettings>()
  let count = 0

  const colResult = await readParsed(
    cache,
    join(dir, COLLECTION_FILE),
    COLLECTION_FILE,
    (t) => parseCollectionText(t, basename(dir)),
    slicer,
  )
  const colProblem = colResult && problemOf(COLLECTION_FILE, colResult)
  if (colProblem) problems.push(colProblem)
  const settings: CollectionSettings =
    colResult?.ok === true
      ? colResult.value
      : { name: basename(dir), variables: [], auth: { type: 'inherit' }, order: [] }
  folders.set('', settings)

  // Walk the tree first (directory listings only), then read every file with bounded concurrency.
  const requestFiles: Found[] = []
  const folderFiles: Found[] = []
  const folderPaths: string[] = ['']
  const nested = new Set<string>()
  const temps: string[] = []
  const noteTemp = (abs: string, name: string): void => {
    if (temps.length < MAX_TEMPS && tempWriterOf(name) !== null) temps.push(abs)
  }
  // Links are listed, not read (./linked-entry.ts); judged against the collection's real path, found once.
  const links: Promise<FileProblem | null>[] = []
  let realRoot: Promise<string> | null = null
  const noteLink = (abs: string, rel: string): void => {
    realRoot ??= realpath(dir).catch(() => dir)
    links.push(linkProblem(abs, rel, realRoot))
  }
  const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      problems.push({
        path: rel,
        line: 0,
        column: 0,
        message: `Folders nested deeper than ${MAX_DEPTH} are not read`,
      })
      return
    }
    let entries
    try {
      entries = await readdirEntries(abs)
    } catch (e) {
      problems.push({
        path: rel,
        line: 0,
        column: 0,
        message: `Cannot list: ${e instanceof Error ? e.message : String(e)}`,
      })
      return
    }
    // A folder with a collection.yaml is a collection of its own (an import into a subfolder makes one): its
    // requests belong to it, under its own variables, so this collection leaves it out and says so.
    if (rel !== '' && entries.some((e) => e.isFile() && e.name === COLLECTION_FILE)) {
      nested.add(rel)
      problems.push({
        path: `${rel}/${COLLECTION_FILE}`,
        line: 0,
        column: 0,
        message: 'A collection of its own: open it as one; its requests are not part of this collection',
      })
      return
    }
    const subdirs: Promise<void>[] = []
    for (const entry of entries) {
      if (skipped(entry.name)) {
        if (entry.isFile()) noteTemp(join(abs, entry.name), entry.name)
        continue
      }
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      const childAbs = listedPath(abs, entry.name)
      if (entry.isSymbolicLink()) {
        if (!(rel === '' && entry.name === ENVIRONMENTS_DIR)) noteLink(childAbs, childRel)
      } else if (entry.isDirectory()) {
        if (rel === '' && entry.name === ENVIRONMENTS_DIR) continue
        folderPaths.push(childRel)
        subdirs.push(walk(childAbs, childRel, depth + 1))
      } else if (entry.isFile() && isYamlName(entry.name)) {
        if (entry.name === FOLDER_FILE) {
          if (rel !== '') folderFiles.push({ rel: childRel, abs: childAbs })
        } else if (!(rel === '' && entry.name === COLLECTION_FILE)) {
          if (++count > MAX_FILES) continue
          requestFiles.push({ rel: childRel, abs: childAbs })
        }
      }
    }
    await Promise.all(subdirs)
  }
  await walk(dir, '', 0)
  if (count > MAX_FILES) {
    problems.push({
      path: '',
      line: 0,
      column: 0,
      message: `More than ${MAX_FILES} request files; the rest were not read`,
    })
  }

  const requests = new Map<string, SavedRequest>()
  await eachSliced(requestFiles, slicer, (f) => {
    const r = readParsedNow(cache, f.abs, f.rel, parseRequestAt, true)
    if (!r) return
    if (r.ok) requests.set(f.rel, r.value)
    else problems.push({ path: f.rel, ...r.problem })
  })
  await eachSliced(folderFiles, slicer, (f) => {
    const r = readParsedNow(cache, f.abs, f.rel, parseFolderText, true)
    if (!r) return
    const folder = f.rel.slice(0, -FOLDER_FILE.length - 1)
    if (r.ok) folders.set(folder, r.value)
    else problems.push({ path: f.rel, ...r.problem })
  })

  const environments: EnvironmentInfo[] = []
  const envDir = join(dir, ENVIRONMENTS_DIR)
  let envNames: string[] = []
  try {
    const entries = await readdirEntries(envDir)
    for (const e of entries) noteTemp(join(envDir, e.name), e.name)
    const yaml = entries.filter((e) => isYamlName(e.name) && !skipped(e.name))
    for (const e of yaml)
      if (e.isSymbolicLink()) noteLink(join(envDir, e.name), `${ENVIRONMENTS_DIR}/${e.name}`)
    envNames = yaml
      .filter((e) => !e.isSymbolicLink())
      .map((e) => e.name)
      .sort()
  } catch {
    // No environments folder: none defined.
  }
  for (const name of envNames.slice(0, 1000)) {
    const rel = `${ENVIRONMENTS_DIR}/${name}`
    const id = stemOf(name)
    const r = await readParsed(cache, join(envDir, name), rel, (t) => parseEnvironmentText(t, id), slicer)
    if (!r) continue
    if (r.ok)
      environments.push({
        id,
        name: r.value.name,
        variables: r.value.variables,
        ...(r.value.traceLink !== undefined ? { traceLink: r.value.traceLink } : {}),
      })
    else problems.push({ path: rel, ...r.problem })
  }

  // Files that were cached but are gone count as changed too (a delete, a rename, a checkout).
  for (const [abs, entry] of cache.entries) {
    if (entry.scan !== cache.scan) {
      cache.entries.delete(abs)
      const rel = abs
        .slice(dir.length + 1)
        .split(/[\\/]/)
        .join('/')
      cache.changed.push(rel)
    }
  }

  // A collection of its own that appeared or went inside this one changes what the tree and problems show,
  // though none of this collection's files did (its collection.yaml is not read here).
  for (const rel of nested) if (!cache.nested.has(rel)) cache.changed.push(`${rel}/${COLLECTION_FILE}`)
  for (const rel of cache.nested) if (!nested.has(rel)) cache.changed.push(`${rel}/${COLLECTION_FILE}`)
  cache.nested = nested

  for (const p of await Promise.all(links)) if (p) problems.push(p)

  const shownFolders = nested.size === 0 ? folderPaths : folderPaths.filter((p) => !nested.has(p))
  const foldersBefore = new Set(cache.tree.keys())
  const root = buildTree(settings.name, shownFolders, folders, requests, cache.tree)
  // A folder that appeared or went with no file of its own (an empty one made, a folder removed) changes the
  // tree though no file the cache knows did.
  for (const rel of cache.tree.keys()) if (!foldersBefore.delete(rel)) cache.changed.push(rel)
  for (const rel of foldersBefore) cache.changed.push(rel)
  problems.sort((a, b) => a.path.localeCompare(b.path))

  return {
    info: {
      dir,
      name: settings.name,
      variables: settings.variables,
      auth: settings.auth,
      root,
      environments,
      problems,
      requestCount: requests.size,
    },
    settings,
    folders,
    temps,
  }
}

/**
 * `name` in the folder `abs` (normalised): what join() gives for a listed name (or names joined by `sep`),
 * without its normalising.
 */
function listedPath(abs: string, name: string): string {
  return abs.endsWith(sep) ? abs + name : abs + sep + name
}

/**
 * The request the scan of `dir` that filled `cache` parsed at `rel` (a path of its tree, `/`-separated), or null
 * when it parsed none there. Looked up by the path the scan's walk made, so no path is joined and normalised
 * again (a plan of 1,000 requests spent a third of its time there). The scan's own object: read it, never
 * change it. Only for a scan that ran just now (a plan that opened the collection): else see currentRequestFile.
 */
export function scannedRequest(cache: ParseCache, dir: string, rel: string): SavedRequest | null {
  const hit = cache.entries.get(listedPath(dir, sep === '/' ? rel : rel.replaceAll('/', sep)))
  return hit?.result.ok ? (hit.result.value as SavedRequest) : null
}

/**
 * A request file as the last scan parsed it when it has not changed since (same mtime and size, as the scan's
 * own cache judges it), else read and parsed now: a run planned right after the collection loaded does not read
 * and parse every file a second time. `scannedNow`: the scan that filled the cache ran as part of the caller's
 * own step (a plan that opened the collection), so its look at the file is this one. The request is the scan's
 * own object: read it, never change it.
 */
export async function currentRequestFile(
  cache: ParseCache,
  abs: string,
  stem: string,
  scannedNow = false,
): Promise<
  { ok: true; request: SavedRequest } | { ok: false; problem: FileProblem['message']; line: number }
> {
  const hit = cache.entries.get(abs)
  if (hit?.result.ok) {
    if (scannedNow) return { ok: true, request: hit.result.value as SavedRequest }
    const st = statFile(abs)
    if (st && st.mtimeMs === hit.mtimeMs && st.size === hit.size)
      return { ok: true, request: hit.result.value as SavedRequest }
  }
  return readRequestFile(abs, stem)
}

/** A request file's content with its version (a hash of the bytes), for conflict checks on save. */
export async function readRequestFile(
  abs: string,
  stem: string,
): Promise<
  | { ok: true; request: SavedRequest; version: string; text: string }
  | { ok: false; problem: FileProblem['message']; line: number }
> {
  // A path named by hand (--request, a run's step) may be a pipe, a device or a folder: read as a file, a pipe
  // waits for a writer for good and /dev/zero fills memory. stat follows links, as the read would.
  const st = statFile(abs)
  if (st && !st.isFile()) return { ok: false, problem: NOT_A_FILE, line: 0 }
  if (st && st.size > MAX_FILE_BYTES)
    return { ok: false, problem: `File is larger than ${MAX_FILE_BYTES} bytes`, line: 0 }
  const text = await readUtf8(abs)
  const r = parseRequestText(text, stem)
  if (!r.ok) return { ok: false, problem: r.problem.message, line: r.problem.line }
  return { ok: true, request: r.value, version: versionOf(text), text }
}

export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}
