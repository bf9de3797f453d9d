import { mkdirSync, statSync } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` (Node 20 and 22) never settles when a
 * folder's parent exists but cannot hold it: under /proc, mkdir says ENOENT, Node reads that as "the parent is
 * missing", makes the parent (EEXIST), tries the child again, and spins at full CPU forever, so a CI job given
 * such a path hangs with no output. Here the missing folders are made one at a time, outermost first, each once:
 * an error from any of them is thrown as it is.
 */

/** Path parts walked up, at most (a real path is far shorter; this bounds the walk whatever it is given). */
const MAX_DEPTH = 256

/**
 * Make `path` and any folder missing above it, each with `mode` when given (as Node's recursive mkdir does).
 * Resolves to the first (outermost) folder it made, undefined when `path` was already there, as Node's does.
 */
export async function makeFolder(path: string, mode?: number): Promise<string | undefined> {
  const missing: string[] = []
  for (let p = resolve(path); ; p = dirname(p)) {
    if (missing.length >= MAX_DEPTH) throw new Error(`${path}: more than ${MAX_DEPTH} folders to make`)
    // Something that exists ends the walk: a folder to make the rest in, or what is in the way of one.
    const found = await stat(p).catch(() => null)
    if (found) {
      if (!found.isDirectory()) throw notAFolder(p)
      break
    }
    missing.unshift(p)
    if (dirname(p) === p) break
  }
  let first: string | undefined
  for (const folder of missing) {
    try {
      await mkdir(folder, mode === undefined ? undefined : { mode })
      first ??= folder
    } catch (e) {
      // Made by someone else meanwhile, or a link to a folder stat could not follow a moment ago: mkdir below it
      // says what is wrong, if anything.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  return first
}

/** The same, synchronously (the CLI's code cache is written while nothing else runs). */
export function makeFolderSync(path: string, mode?: number): void {
  const missing: string[] = []
  for (let p = resolve(path); ; p = dirname(p)) {
    if (missing.length >= MAX_DEPTH) throw new Error(`${path}: more than ${MAX_DEPTH} folders to make`)
    const found = statSync(p, { throwIfNoEntry: false })
    if (found) {
      if (!found.isDirectory()) throw notAFolder(p)
      break
    }
    missing.unshift(p)
    if (dirname(p) === p) break
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}

/** What mkdir says of a path under a file. */
function notAFolder(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path })
}
