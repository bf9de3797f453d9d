import { constants } from 'node:fs'
import { copyFile, lstat } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { RequestBody } from '../../shared/request'
import { realPathOf, within } from '../files/confine'
import { makeFolder } from '../files/make-folder'
import { hasControls } from './bruno-holdable'
import type { ExportFolder } from './export-tree'

/**
 * The files a Bruno export's requests send (a file body, multipart file parts). Bruno reads a relative path from
 * its collection folder, so the export copies each file that lies inside this collection (after every link is
 * followed) to the same path in the Bruno folder, and the `.bru` names it there: Bruno sends it, and an import of
 * the export copies it back. A relative path that leads outside this collection (a folder the person allowed)
 * would name another file from the Bruno folder: it is written as its full path. What is not copied (not there,
 * past the limits, or at a place Bruno reads as its own file) is said.
 */

/** A file to copy into the export: `rel` below the Bruno folder, read from `from` (its real path). */
export interface BrunoFileCopy {
  rel: string
  from: string
}

const MAX_COPIES = 1000
const MAX_COPY_BYTES = 1024 * 1024 * 1024

function isRelative(path: string): boolean {
  const p = path.trim()
  return p !== '' && !isAbsolute(p) && !/^([/\\]|[A-Za-z]:[\\/]|\{\{)/.test(p)
}

function filePaths(body: RequestBody): string[] {
  if (body.kind === 'file') return [body.path]
  if (body.kind === 'multipart') return body.parts.flatMap((p) => (p.kind === 'file' ? [p.path] : []))
  return []
}

export class BrunoExportFiles {
  readonly copies: BrunoFileCopy[] = []
  private readonly written = new Map<string, string>()
  private bytes = 0

  private constructor(private readonly root: string) {}

  /** The files of every request below `tree`, read from the collection folder `dir`. */
  static async of(tree: ExportFolder, dir: string, skipped: string[]): Promise<BrunoExportFiles> {
    const files = new BrunoExportFiles(await realPathOf(dir))
    const walk = async (f: ExportFolder): Promise<void> => {
      for (const c of f.children) {
        if (c.type === 'folder') await walk(c)
        else for (const p of filePaths(c.request.body)) await files.add(p, c.path, skipped)
      }
    }
    await walk(tree)
    return files
  }

  /** The path the `.bru` names for a path the collection names. */
  pathOf(path: string): string {
    return this.written.get(path) ?? path
  }

  /**
   * A copy Bruno would read as its own (a `.bru`, bruno.json, a file the export writes), or whose name holds a
   * control character, is taken back, and said.
   */
  dropClashes(taken: ReadonlySet<string>, skipped: string[]): void {
    for (let i = this.copies.length - 1; i >= 0; i--) {
      const c = this.copies[i] as BrunoFileCopy
      const clash = c.rel.toLowerCase().endsWith('.bru') || taken.has(c.rel.toLowerCase())
      // The export's list of files is one a line: a name with a line break in it would read as two.
      const unlisted = hasControls(c.rel)
      if (!clash && !unlisted) continue
      this.copies.splice(i, 1)
      skipped.push(
        `file ${JSON.stringify(c.rel)}: not copied into the Bruno folder (${clash ? 'Bruno would read it as its own file' : 'its name holds a line break or another control character'})`,
      )
    }
  }

  private async add(path: string, where: string, skipped: string[]): Promise<void> {
    if (!isRelative(path) || this.written.has(path)) return
    const named = resolve(this.root, path.trim())
    const real = await realPathOf(named)
    if (!within(this.root, real)) {
      this.written.set(path, named)
      skipped.push(
        `${where}: file ${JSON.stringify(path.slice(0, 120))} is outside the collection: written as its full path (${named}), not copied`,
      )
      return
    }
    const rel = relative(this.root, real).split(sep).join('/')
    const st = await lstat(real).catch(() => null)
    const why = !st?.isFile()
      ? 'not found in the collection'
      : this.copies.length >= MAX_COPIES || this.bytes + st.size > MAX_COPY_BYTES
        ? `past the ${MAX_COPIES} files and ${MAX_COPY_BYTES / 1024 / 1024 / 1024} GiB an export copies`
        : null
    this.written.set(path, why === null ? rel : path)
    if (why !== null) {
      skipped.push(
        `${where}: file ${JSON.stringify(path.slice(0, 120))} not copied into the Bruno folder (${why})`,
      )
      return
    }
    if (!this.copies.some((c) => c.rel === rel)) {
      this.bytes += st?.size ?? 0
      this.copies.push({ rel, from: real })
    }
  }
}

/**
 * Copy the files into the export's folder (being written, so nothing is there to replace). A file that is no
 * longer a regular file (it went, or became a link or a pipe since it was looked at) is passed over.
 */
export async function copyRequestFiles(copies: readonly BrunoFileCopy[], folder: string): Promise<void> {
  for (const c of copies) {
    if (!(await lstat(c.from).catch(() => null))?.isFile()) continue
    const to = join(folder, ...c.rel.split('/'))
    await makeFolder(dirname(to))
    await copyFile(c.from, to, constants.COPYFILE_EXCL)
  }
}
