import { randomBytes } from 'node:crypto'
import { lstat, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { syncDir } from '../collections/atomic-write'
import { ENVIRONMENTS_DIR } from '../collections/collection-file-format'
import { processAlive } from '../collections/temp-sweep'
import { makeFolder } from '../files/make-folder'

/**
 * An import writes into a stage, a hidden folder, and only then moves what it wrote into place: a write that
 * fails part-way (a full disk, a read-only folder, a file where a folder must go) leaves the collection as it
 * was, and the message that says "nothing was changed" is true.
 *
 * - A new collection in a folder that does not exist yet, or is empty, is staged beside it
 *   (`.<name>.fd-import-<pid>-<hex>`) and renamed into place in one step.
 * - Into an existing collection (or a folder that already holds files) the stage is a hidden folder inside it
 *   (`.fd-import-…`, which the loader skips); its top-level entries (the import's own folder, each new
 *   environment file) are then moved in one by one. Each move is a rename within one file system, which needs
 *   no space; if one fails, the ones already moved are moved back.
 */

const STAGE_PREFIX = '.fd-import-'

export interface Stage {
  /** Where the import writes: the stand-in for the collection folder, same layout. */
  readonly root: string
  /** Whether a name is taken in the collection (or already in the stage). */
  taken(rel: string): Promise<boolean>
  /** Move everything into place, or leave nothing and throw. */
  commit(): Promise<void>
  /** Remove the stage and anything this import created. Never throws; says what it could not remove. */
  abort(): Promise<string | null>
}

/** A commit that could not complete; the moves already made were undone, so the collection is as it was. */
export class StageCommitError extends Error {
  constructor(
    readonly rel: string,
    override readonly cause: unknown,
  ) {
    super(`could not move ${rel} into place`)
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function isEmptyDir(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0
  } catch {
    return false
  }
}

function stageName(): string {
  return `${STAGE_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`
}

/** A stage's name: `.fd-import-<pid>-<hex>` inside a collection, `.<name>.fd-import-<pid>-<hex>` beside one. */
const STAGE_NAME = /^\.(?:.+\.)?fd-import-(\d{1,10})-[0-9a-f]{12}$/
/** Entries of a folder looked at for stale stages, at most. */
const MAX_SWEEP_ENTRIES = 10_000

/**
 * Remove the stages an import killed mid-way left in `folder` (its process is gone); a live import's stage (in
 * another window, a CLI run) stays. Only folders with a stage's name, never a link.
 */
export async function sweepStaleStages(folder: string): Promise<string[]> {
  const removed: string[] = []
  const names = await readdir(folder).catch(() => [] as string[])
  for (const name of names.slice(0, MAX_SWEEP_ENTRIES)) {
    const pid = STAGE_NAME.exec(name)?.[1]
    if (pid === undefined || processAlive(Number(pid))) continue
    const path = join(folder, name)
    const st = await lstat(path).catch(() => null)
    if (!st?.isDirectory()) continue
    await rm(path, { recursive: true, force: true }).then(
      () => removed.push(path),
      () => undefined,
    )
  }
  return removed
}

export async function openStage(dir: string): Promise<Stage> {
  await sweepStaleStages(dirname(dir))
  await sweepStaleStages(dir)
  const dirExists = await exists(dir)
  if (!dirExists || (await isEmptyDir(dir))) return openBeside(dir, dirExists)
  return openInside(dir)
}

async function openBeside(dir: string, dirExisted: boolean): Promise<Stage> {
  const parent = dirname(dir)
  // The parent may not exist yet (an import into a new path): remember the first folder made, to remove it.
  const madeParent = await makeFolder(parent)
  const root = join(parent, `.${basename(dir)}.${stageName().slice(1)}`)
  await mkdir(root)
  let committed = false
  return {
    root,
    taken: (rel) => exists(join(root, rel)),
    async commit() {
      try {
        // An empty folder the person picked is replaced by the stage (rename onto an empty folder is not
        // portable, so it goes first; it held nothing).
        if (dirExisted && (await isEmptyDir(dir))) await rmdir(dir)
        await rename(root, dir)
        committed = true
        await syncDir(parent)
      } catch (e) {
        if (dirExisted) await makeFolder(dir).catch(() => undefined)
        throw new StageCommitError(basename(dir), e)
      }
    },
    async abort() {
      if (committed) return null
      const failed = await rm(root, { recursive: true, force: true }).then(
        () => null,
        () => root,
      )
      if (madeParent !== undefined)
        await rm(madeParent, { recursive: true, force: true }).catch(() => undefined)
      return failed
    },
  }
}

async function openInside(dir: string): Promise<Stage> {
  const root = join(dir, stageName())
  await mkdir(root)
  return {
    root,
    taken: async (rel) => (await exists(join(dir, rel))) || (await exists(join(root, rel))),
    async commit() {
      const moved: { from: string; to: string }[] = []
      const move = async (rel: string): Promise<void> => {
        const from = join(root, rel)
        const to = join(dir, rel)
        // rename() replaces an existing file without a word: a name taken since the stage was made is a
        // conflict, never an overwrite.
        if (await exists(to)) throw new StageCommitError(rel, new Error(`${rel} already exists`))
        try {
          await rename(from, to)
        } catch (e) {
          throw new StageCommitError(rel, e)
        }
        moved.push({ from, to })
      }
      try {
        for (const name of await readdir(root)) {
          const envDir = join(dir, ENVIRONMENTS_DIR)
          if (name === ENVIRONMENTS_DIR && (await exists(envDir))) {
            for (const file of await readdir(join(root, name))) await move(`${ENVIRONMENTS_DIR}/${file}`)
            continue
          }
          await move(name)
        }
      } catch (e) {
        // Put back what was moved, newest first, so the collection is as it was.
        for (const m of moved.reverse()) await rename(m.to, m.from).catch(() => undefined)
        throw e
      }
      await syncDir(dir)
      await syncDir(join(dir, ENVIRONMENTS_DIR))
      await rm(root, { recursive: true, force: true }).catch(() => undefined)
    },
    async abort() {
      return rm(root, { recursive: true, force: true }).then(
        () => null,
        () => root,
      )
    },
  }
}
