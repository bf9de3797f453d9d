import { readFileSync } from 'node:fs'
import type { Parsed } from './collection-file-format'
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
}

export class ParseCache {
  readonly entries = new Map<string, CacheEntry>()
  /** Relative paths whose content changed (or appeared, or went) in the last scan. */
  changed: string[] = []
  /** The folders the last scan found to be collections of their own (left out, named among the problems). */
  nested: ReadonlySet<string> = new Set()
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
  seen: Set<string>,
  abs: string,
  rel: string,
  parse: (text: string) => Parsed<T>,
  slicer: Slicer,
): Promise<Parsed<T> | null> {
  const wait = slicer.turn()
  if (wait) await wait
  return readParsedNow(cache, seen, abs, rel, parse)
}

export function readParsedNow<T>(
  cache: ParseCache,
  seen: Set<string>,
  abs: string,
  rel: string,
  parse: (text: string) => Parsed<T>,
): Parsed<T> | null {
  seen.add(abs)
  const st = statFile(abs)
  if (!st) return null
  const hit = cache.entries.get(abs)
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result as Parsed<T>
  let result: Parsed<T>
  // stat follows links: a shared collection's `local.yaml -> /dev/zero` (git keeps symlinks) or a named pipe
  // would be read forever, on the engine's thread, by the synchronous read below.
  if (!st.isFile()) {
    result = {
      ok: false,
      problem: { line: 0, column: 0, message: NOT_A_FILE },
    }
  } else if (st.size > MAX_FILE_BYTES) {
    result = {
      ok: false,
      problem: { line: 0, column: 0, message: `File is larger than ${MAX_FILE_BYTES} bytes` },
    }
  } else {
    try {
      result = parse(readFileSync(abs, 'utf8'))
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      result = { ok: false, problem: { line: 0, column: 0, message: `Cannot read: ${message}` } }
    }
  }
  cache.entries.set(abs, { mtimeMs: st.mtimeMs, size: st.size, result })
  cache.changed.push(rel)
  return result
}
