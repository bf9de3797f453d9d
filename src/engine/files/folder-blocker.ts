import { lstat, readlink, stat } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'

/**
 * Why a folder cannot be made at a path: the first part of the path that exists and is not a folder (a file
 * someone committed under that name, a link to a file, a link to nothing). `mkdir` only says EEXIST or
 * ENOTDIR about the path it was given; a person needs to hear which path is in the way.
 */

/** Path parts looked at, at most (a real path is far shorter; this bounds the walk whatever it is given). */
const MAX_DEPTH = 256

export interface FolderBlocker {
  /** The path that is in the way. */
  path: string
  /** What it is, as a phrase: `is a file, not a folder`. */
  what: string
}

/** The first part of `abs` (outermost first) that exists and is not a folder or a link to one; null if none. */
export async function folderBlocker(abs: string): Promise<FolderBlocker | null> {
  const chain: string[] = []
  for (let p = resolve(abs); chain.length < MAX_DEPTH; p = dirname(p)) {
    chain.unshift(p)
    if (dirname(p) === p) break
  }
  for (const p of chain) {
    const st = await lstat(p).catch(() => null)
    if (!st) return null
    if (st.isDirectory()) continue
    if (st.isSymbolicLink()) {
      const target = await readlink(p).catch(() => '?')
      const shown = isAbsolute(target) ? target : resolve(dirname(p), target)
      const to = await stat(p).catch(() => null)
      if (!to) return { path: p, what: `is a symbolic link to ${shown}, which does not exist` }
      if (to.isDirectory()) continue
      return { path: p, what: `is a symbolic link to ${shown}, which is a file, not a folder` }
    }
    return { path: p, what: st.isFile() ? 'is a file, not a folder' : 'is not a folder' }
  }
  return null
}
