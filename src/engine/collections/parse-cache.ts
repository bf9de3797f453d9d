import { readFileSync, type Stats } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import type { Parsed } from './collection-file-format'
import type { TreeMemo } from './collection-tree'
import { readListedFile, readSmallListedText } from './listed-file-read'
import { statFile, type Slicer } from './scan-slicer'

/**
 * The scan's cache of parsed files, keyed by absolute path and judged by (mtime, size): the rescan after an
 * external edit re-reads and re-parses only what changed, and says which relative paths those were.
 */

/** Request files larger than this are reported, not parsed (a body that big belongs in a file body). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024
/** Why a collection path that is a pipe, a device or a folder is not read (reading one may never end). */
export const NOT_A_FILE = 'Not a file (a pipe, a device or a folder); not read'

interface CacheEntry {
  mtimeMs: number
  size: number
  result: Parsed<unknown>
  /** The last scan that found the file (ParseCache.scan): an entry a scan did not reach is a file gone. */
  scan: number
}

export class ParseCache {
  readonly entries = new Map<string, CacheEntry>()
  /** Counts scans, so that each entry notes the last that saw it (no set of every path seen, a scan). */
  scan = 0
  /** Relative paths whose content changed (or appeared, or went) in the last scan. */
  changed: string[] = []
  /** The folders the last scan found to be collections of their own (left out, named among the problems). */
  nested: ReadonlySet<string> = new Set()
  /** The last scan's tree, folder by folder, for the next scan to reuse what did not change. */
  readonly tree: TreeMemo = new Map()

  /**
   * `keepStats: false`: nothing will rescan soon (no watcher: a `flightdeck run`), so a listed file under 64 KiB
   * is read without its mtime and size (./listed-file-read.ts). Its entry then matches no stat: a rescan reads
   * it again (once: that read keeps its stats) and counts it changed only if it reads differently.
   */
  constructor(readonly options: { keepStats?: boolean } = {}) {}
}

/**
 * Each item in turn, the event loop given its turn between slices (./scan-slicer.ts). The reads are synchronous,
 * so a plain loop: a pool of async workers cost two promises and their microtasks a file, for the same order.
 */
export async function eachSliced<T>(
  items: readonly T[],
  slicer: Slicer,
  fn: (item: T) => void,
): Promise<void> {
  for (const item of items) {
    const wait = slicer.turn()
    if (wait) await wait
    fn(item)
  }
}

export async function readParsed<T>(
  cache: ParseCache,
  abs: string,
  rel: string,
  parse: (text: string, rel: string) => Parsed<T>,
  slicer: Slicer,
): Promise<Parsed<T> | null> {
  const wait = slicer.turn()
  if (wait) await wait
  return readParsedNow(cache, abs, rel, parse)
}

/**
 * The file's parse, from the cache when its (mtime, size) is what the cache saw. `listedFile`: the folder's
 * listing said a regular file (not a link); a file the cache does not hold is then opened and looked at through
 * its descriptor (./listed-file-read.ts), one path lookup instead of a stat's and a read's.
 */
export function readParsedNow<T>(
  cache: ParseCache,
  abs: string,
  rel: string,
  parse: (text: string, rel: string) => Parsed<T>,
  listedFile = false,
): Parsed<T> | null {
  const hit = cache.entries.get(abs)
  if (hit) hit.scan = cache.scan
  if (!hit && listedFile && cache.options.keepStats === false) {
    const text = readSmallListedText(abs)
    if (text !== null) {
      const result = parseText(text, rel, parse)
      cache.entries.set(abs, { mtimeMs: Number.NaN, size: -1, result, scan: cache.scan })
      cache.changed.push(rel)
      return result
    }
  }
  // A file that cannot be opened (gone, no permission) takes the stat path, which words it as before.
  const opened = !hit && listedFile ? readListedFile(abs, MAX_FILE_BYTES) : null
  let result: Parsed<T>
  let st: Stats
  if (opened) {
    st = opened.stats
    result =
      notRead(st) ?? ('error' in opened ? cannotRead(opened.error) : parseText(opened.text, rel, parse))
  } else {
    const found = statFile(abs)
    if (!found) return null
    st = found
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result as Parsed<T>
    // stat follows links: a shared collection's `local.yaml -> /dev/zero` (git keeps symlinks) or a named pipe
    // would be read forever, on the engine's thread, by the synchronous read below.
    result = notRead(st) ?? parseText(() => readFileSync(abs, 'utf8'), rel, parse)
    // Read before without its stats: changed only if it now reads differently (it keeps its stats from here on).
    if (hit && Number.isNaN(hit.mtimeMs) && isDeepStrictEqual(hit.result, result)) {
      cache.entries.set(abs, { mtimeMs: st.mtimeMs, size: st.size, result: hit.result, scan: cache.scan })
      return hit.result as Parsed<T>
    }
  }
  cache.entries.set(abs, { mtimeMs: st.mtimeMs, size: st.size, result, scan: cache.scan })
  cache.changed.push(rel)
  return result
}

/** Why a file is not read (not a regular file, or over the limit), or null to read it. */
function notRead<T>(st: Stats): Parsed<T> | null {
  if (!st.isFile()) return { ok: false, problem: { line: 0, column: 0, message: NOT_A_FILE } }
  if (st.size > MAX_FILE_BYTES)
    return {
      ok: false,
      problem: { line: 0, column: 0, message: `File is larger than ${MAX_FILE_BYTES} bytes` },
    }
  return null
}

/** The text parsed; a read that fails, or a parse that throws, is the file's problem. */
function parseText<T>(
  text: string | (() => string),
  rel: string,
  parse: (text: string, rel: string) => Parsed<T>,
): Parsed<T> {
  try {
    return parse(typeof text === 'string' ? text : text(), rel)
  } catch (e) {
    return cannotRead(e)
  }
}

function cannotRead<T>(e: unknown): Parsed<T> {
  const message = e instanceof Error ? e.message : String(e)
  return { ok: false, problem: { line: 0, column: 0, message: `Cannot read: ${message}` } }
}
