import { lstat, readlink, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileProblem } from '../../shared/collection'
import { within } from '../files/confine'
import { isYamlName } from './file-names'

/**
 * A symbolic link among a collection's request files (or a linked folder, or a linked environment file) is listed
 * as a problem and not read, wherever it leads. Git keeps a committed link as a link, so a shared collection can
 * carry one to ~/.ssh/config; inside the collection it would show one request twice, a save would replace the
 * link with a file (the atomic write renames over it), and on a checkout without links (Windows) it is a text
 * file holding the target's path. A file the user means to share belongs in the collection itself. Links to
 * other files (a body file, a certificate) are left to the send, which confines them (../files/confine.ts).
 */

/** How much of a link's target a problem quotes. */
const MAX_TARGET_CHARS = 300

/** The problem for the link at `abs` (`rel` in the collection whose real path is `root`), or null to ignore it. */
export async function linkProblem(
  abs: string,
  rel: string,
  root: Promise<string>,
): Promise<FileProblem | null> {
  const name = rel.slice(rel.lastIndexOf('/') + 1)
  const yaml = isYamlName(name)
  const folder = !yaml && (await stat(abs).catch(() => null))?.isDirectory() === true
  if (!yaml && !folder) return null
  const target = await readlink(abs).catch(() => '?')
  const shown = target.length > MAX_TARGET_CHARS ? `${target.slice(0, MAX_TARGET_CHARS)}…` : target
  const real = await realpath(abs).catch(() => null)
  const where =
    real === null
      ? 'which does not exist'
      : within(await root, real)
        ? 'inside the collection'
        : 'outside the collection'
  const message = folder
    ? `A symbolic link to the folder ${shown} (${where}); not followed: a collection's folders are read only when they are real folders (put the folder itself here)`
    : `A symbolic link to ${shown} (${where}); not read: a collection's files are read only when they are regular files (put the file itself here)`
  return { path: rel, line: 0, column: 0, message }
}

/**
 * The first link on the way to `rel` in the collection `dir` (a linked folder, or the file itself), as the problem
 * the scan lists for it, or null when every part is a real folder or file. A request named by hand (`--request`,
 * a read of one file) is read only where the scan would read it: through a linked folder it would be a file of
 * somewhere else (a link committed to a folder of another collection, of ~/.config), which the scan never follows.
 */
export async function linkOnTheWay(dir: string, rel: string): Promise<FileProblem | null> {
  const root = realpath(dir).catch(() => dir)
  let abs = dir
  let at = ''
  for (const part of rel.split('/')) {
    abs = join(abs, part)
    at = at === '' ? part : `${at}/${part}`
    const st = await lstat(abs).catch(() => null)
    // Missing: the read that follows says so.
    if (st === null) return null
    if (!st.isSymbolicLink()) continue
    const problem = await linkProblem(abs, at, root)
    return problem ?? { path: at, line: 0, column: 0, message: 'A symbolic link; not followed' }
  }
  return null
}
