import { lstat, readlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { realPathOf, within } from '../files/confine'
import { folderBlocker } from '../files/folder-blocker'

/**
 * Every change to a collection folder lands inside it, judged by real paths, not by the text of the path: a
 * folder inside the collection that is a link to somewhere else would otherwise take a save, a new request or
 * a delete out of the collection. A request file that is itself a link is not written through: the loader does
 * not list links, and a save must not quietly turn a link into a plain file (or edit the file it points at,
 * which may belong to something else); the person edits the file the link points to instead.
 */

/**
 * Refuse a change at `abs` (the lexical path of `rel` in the collection `dir`) when its folder really lies
 * outside the collection, or, for a write of the file's content (`content`), when the file is a link.
 */
export async function checkInside(
  dir: string,
  rel: string,
  abs: string,
  content: boolean,
): Promise<Result<null>> {
  const root = await realPathOf(dir)
  // The entry's folder decides where it lands (a link as the entry itself is renamed or removed, not followed).
  const folder = await realPathOf(rel === '' ? abs : dirname(abs))
  if (!within(root, folder)) {
    return fail(
      'forbidden',
      `${rel || 'That folder'} leads outside the collection folder ${dir} (to ${folder}) through a symbolic link; nothing was changed`,
    )
  }
  if (content) {
    const st = await lstat(abs).catch(() => null)
    if (st?.isSymbolicLink()) {
      const target = await readlink(abs).catch(() => '?')
      return fail(
        'forbidden',
        `${rel} is a symbolic link (to ${target}); Flightdeck does not save through links, so nothing was written. ` +
          'Edit the file it points to, or replace the link with a copy of it',
      )
    }
  }
  return ok(null)
}

/**
 * fileFailure, first asking what is in the way when a folder could not be made or entered (EEXIST, ENOTDIR,
 * a link to nothing): a file someone committed where Flightdeck needs a folder (`environments`, a request
 * folder, the collection folder itself) is named, and left as it is.
 */
export async function blockedOrFileFailure(rel: string, e: unknown): Promise<Result<never>> {
  const err = e as NodeJS.ErrnoException | null
  if (
    (err?.code === 'EEXIST' || err?.code === 'ENOTDIR' || err?.code === 'ENOENT') &&
    typeof err.path === 'string'
  ) {
    const blocker = await folderBlocker(err.path)
    if (blocker) {
      return fail(
        'file',
        `Could not save ${rel || 'the collection'}: ${blocker.path} ${blocker.what}, and Flightdeck needs a folder there. ` +
          `It was left as it is and nothing on disk was changed; move or rename ${blocker.path} and try again`,
        err.message,
      )
    }
  }
  return fileFailure(rel, e)
}

/**
 * A write that failed at the filesystem (a full disk, a read-only folder) as a plain refusal. The atomic write
 * guarantees the file on disk is as it was, and the message says so.
 */
export function fileFailure(rel: string, e: unknown): Result<never> {
  const code = (e as NodeJS.ErrnoException | null)?.code
  const what = rel || 'the collection'
  const unchanged = 'nothing on disk was changed'
  const detail = e instanceof Error ? e.message : String(e)
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return fail('file', `Could not save ${what}: the disk is full; ${unchanged}`, detail)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return fail(
      'file',
      `Could not save ${what}: the folder is read-only (permission denied); ${unchanged}`,
      detail,
    )
  if (code === 'EIO')
    return fail('file', `Could not save ${what}: the disk reported an I/O error; ${unchanged}`, detail)
  if (typeof code === 'string') return fail('file', `Could not save ${what}: ${code}; ${unchanged}`, detail)
  throw e
}
