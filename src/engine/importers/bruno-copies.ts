import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { realPathOf, within } from '../files/confine'
import { readRegularFile } from '../files/read-regular-file'
import type { PlanFile } from './plan'

/**
 * The files a Bruno folder import copies into the collection it writes: each below the import's own hidden
 * folder `.bruno-files`, at its path in the Bruno folder, so a proto's imports (looked up beside it) are found
 * beside its copy. Only a regular file inside the Bruno folder after every link is followed is read, from its
 * real path; a copy is bounded in size and count, and past a bound the file is left where it is. A proto's imports
 * are looked up as the schema loader looks them up: in the request's import paths (bruno.json's), then beside the
 * first proto; each import path is a folder inside the Bruno folder, and the request names its copy's place.
 */

/** Below the import's own folder; hidden, so the collection's tree shows no folder of copies. */
export const COPIES_FOLDER = '.bruno-files'
const MAX_FILE_BYTES = 32 * 1024 * 1024
const MAX_TOTAL_BYTES = 128 * 1024 * 1024
const MAX_FILES = 1000

/** Where a path of the Bruno folder leads: the real file, and its place in the folder (`a/b.txt`). */
export interface Located {
  real: string
  rel: string
}

/** Why a file was not copied: `missing` when it is not there (or not a file), else it was past a bound. */
export interface NotCopied {
  missing: boolean
}

/** What a request does with a proto, in the report's line for its copy. */
const LOADS = 'loads its schema from'

/** `import "x.proto";` (public and weak alike), at a line's start; a match in a comment only costs a look. */
const PROTO_IMPORT = /^\s*import\s+(?:public\s+|weak\s+)?["']([^"'\n]{1,1024})["']\s*;/gm

export class BrunoCopies {
  private readonly copied = new Map<string, PlanFile>()
  private bytes = 0
  readonly limits = `${MAX_FILE_BYTES / 1024 / 1024} MiB a file, ${MAX_TOTAL_BYTES / 1024 / 1024} MiB and ${MAX_FILES} files in all`

  /** `source`: the Bruno folder's real path. */
  constructor(readonly source: string) {}

  /** Where `path` (relative to the Bruno folder) leads, or null when it leads outside it. */
  async locate(path: string): Promise<Located | null> {
    const named = resolve(this.source, path.trim())
    const real = await realPathOf(named)
    if (!within(this.source, real)) return null
    // The place as named, so a file's neighbours keep theirs; the real one for a name that climbs out and back.
    const lexical = relative(this.source, named)
    const inside =
      lexical !== '' && !isAbsolute(lexical) && lexical !== '..' && !lexical.startsWith(`..${sep}`)
    return { real, rel: (inside ? lexical : relative(this.source, real)).split(sep).join('/') }
  }

  /**
   * Copy the file (once, however many requests name it); the path the request names it by (below the import's
   * folder), or why not. A copy of a copy (`.bruno-files/…` in a Bruno export of an import) keeps its place.
   */
  async copy(at: Located, said: string, use?: string): Promise<string | NotCopied> {
    const path = copyPlace(at.rel)
    if (this.copied.has(path)) return path
    if (this.copied.size >= MAX_FILES) return { missing: false }
    const left = Math.min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - this.bytes)
    const read = await readRegularFile(at.real, left).catch(() => null)
    if (read === null || (!read.ok && read.why !== 'too_large')) return { missing: true }
    if (!read.ok) return { missing: false }
    this.bytes += read.bytes.length
    const file = { path, bytes: new Uint8Array(read.bytes), said: `${said} copied from the Bruno collection` }
    this.copied.set(path, use === undefined ? file : { ...file, use })
    return path
  }

  /**
   * The import paths (relative to the Bruno folder) that lead to a folder inside it, after links are followed;
   * one leading outside is not looked in, and said (`note`).
   */
  async importDirs(paths: readonly string[], note: (line: string) => void): Promise<Located[]> {
    const dirs: Located[] = []
    for (const p of paths) {
      const at = await this.locate(p)
      if (at === null)
        note(
          `its proto import path ${JSON.stringify(p.slice(0, 120))} leads outside the Bruno collection's folder; no import is looked up there`,
        )
      else dirs.push(at)
    }
    return dirs
  }

  /**
   * The imported request's import paths: each import folder's copy, then the first proto's copy's folder (the
   * schema loader looks beside the first proto only when it is given no import paths).
   */
  copiedImportPaths(dirs: readonly Located[], firstProto: string): string[] {
    return [...new Set([...dirs.map((d) => copyPlace(d.rel)), dirname(firstProto).split(sep).join('/')])]
  }

  /**
   * Copy a proto and the files it imports, as the schema loader finds them: in the import folders `dirs` (in
   * order), then beside the first proto. An import that leads outside the Bruno folder is not copied and said
   * (`note`); one not there (Google's well-known types come built in) is passed over. Bounded by the copy limits.
   */
  async copyProto(
    at: Located,
    said: string,
    note: (line: string) => void,
    dirs: readonly Located[] = [],
  ): Promise<string | NotCopied> {
    const first = await this.copy(at, `${said} ${JSON.stringify(at.rel.slice(0, 120))}`, LOADS)
    if (typeof first !== 'string') return first
    const beside = dirname(resolve(this.source, at.rel))
    const queue = [first]
    const seen = new Set(queue)
    for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
      const bytes = this.copied.get(queue[i] as string)?.bytes
      if (bytes === undefined) continue
      for (const m of Buffer.from(bytes).toString('utf8').matchAll(PROTO_IMPORT)) {
        const name = m[1] as string
        const places = [...dirs.map((d) => join(d.rel, name)), relative(this.source, resolve(beside, name))]
        const got = await this.copyImport(places, name, said, note)
        if (got !== null && !seen.has(got)) {
          seen.add(got)
          queue.push(got)
        }
      }
    }
    return first
  }

  /** The first of `places` that is there, copied; null when none is (or one leads outside, which is said). */
  private async copyImport(
    places: readonly string[],
    name: string,
    said: string,
    note: (line: string) => void,
  ): Promise<string | null> {
    for (const place of places) {
      const imported = await this.locate(place)
      if (imported === null) {
        note(
          `the proto file ${JSON.stringify(name.slice(0, 120))} it imports leads outside the Bruno collection's folder; not copied`,
        )
        return null
      }
      const got = await this.copy(
        imported,
        `${said} ${JSON.stringify(imported.rel.slice(0, 120))} (imported)`,
        LOADS,
      )
      if (typeof got === 'string') return got
      if (!got.missing) return null
    }
    return null
  }

  files(): PlanFile[] {
    return [...this.copied.values()]
  }
}

/** Where a file at `rel` in the Bruno folder is copied; a copy of a copy (an export of an import) keeps its place. */
function copyPlace(rel: string): string {
  const own = rel.replace(/^(\.bruno-files(\/|$))+/, '')
  return own === '' ? COPIES_FOLDER : `${COPIES_FOLDER}/${own}`
}
