import { lstat, realpath } from 'node:fs/promises'
import { within } from '../files/confine'

/**
 * Symbolic links in a collection folder an import reads (a Bruno or OpenCollection folder from someone else: a
 * clone keeps its links). One rule for both: a linked file is read only when it leads, once every link is
 * resolved, to a file inside the folder; a linked folder is never walked (it may lead anywhere, back up the tree
 * too). What is left out is said.
 */

export const LINK_LEFT_OUT =
  'a symbolic link to a folder; left out (it may lead anywhere, back up the tree too: the import walks the folder’s own folders)'

export const LINK_OUTSIDE =
  'a symbolic link to a file outside the folder (or to nothing); left out (the import reads only the folder’s own files)'

export class ImportFolder {
  private real: Promise<string> | null = null

  constructor(readonly dir: string) {}

  /**
   * Whether the file at `path` is a link that leads outside the folder (or nowhere) once resolved. `isLink`,
   * when the caller's directory listing already says, spares a look at the file.
   */
  async leadsOutside(path: string, isLink?: boolean): Promise<boolean> {
    const link = isLink ?? (await lstat(path).catch(() => null))?.isSymbolicLink() === true
    if (!link) return false
    this.real ??= realpath(this.dir).catch(() => this.dir)
    const target = await realpath(path).catch(() => null)
    return target === null || !within(await this.real, target)
  }
}
