import { randomBytes } from 'node:crypto'
import { constants, rmSync } from 'node:fs'
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, sep } from 'node:path'

/**
 * Every file Flightdeck writes goes through here: the bytes go to a temp file in the same folder (same
 * filesystem, so the rename is atomic), are fsynced, and only then renamed over the target. A crash, a full
 * disk or a failed write at any point leaves the previous file exactly as it was, and the temp file is removed.
 */

/** The filesystem calls an atomic write makes; tests pass a wrapper that fails on purpose. */
export interface AtomicFs {
  open(path: string, flags: number, mode: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  rm(path: string): Promise<void>
}

export const nodeAtomicFs: AtomicFs = {
  open: (path, flags, mode) => open(path, flags, mode),
  rename: (from, to) => rename(from, to),
  rm: (path) => rm(path, { force: true }),
}

let seam: AtomicFs | null = null

/**
 * Test seam: until called again with null, every atomic write that was not given its own `fs` uses `fs` (a
 * full disk, a read-only folder, a writer killed before its rename). Nothing in the app calls it, so it is
 * inert in production.
 */
export function setAtomicFsForTests(fs: AtomicFs | null): void {
  seam = fs
}

export interface AtomicWriteOptions {
  /**
   * The file's mode, whatever it had (secrets use 0o600). Without it a file keeps the mode it has (a 0600
   * request file stays 0600), and a new file gets 0o644 less the umask.
   */
  mode?: number
  fs?: AtomicFs
}

/** Temp files are dot-files with this suffix, so the collection loader and watcher skip them. */
export const TEMP_SUFFIX = '.fdtmp'

export function isTempFile(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX)
}

/**
 * A temp file's name says which process writes it (`.<target>.<pid>-<12 hex>.fdtmp`), so one left by a writer
 * that was killed can be told from one a live writer is still filling.
 */
export function tempNameFor(target: string, pid: number = process.pid): string {
  return `.${target}.${pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`
}

/** What a temp file's name says about its writer: its pid, or `legacy` for names from before pids. */
export function tempWriterOf(name: string): { pid: number } | 'legacy' | null {
  const named = /^\..+\.(\d{1,10})-[0-9a-f]{12}\.fdtmp$/.exec(name)
  if (named) return { pid: Number(named[1]) }
  return /^\..+\.[0-9a-f]{12}\.fdtmp$/.test(name) ? 'legacy' : null
}

/**
 * The temp files this process is filling. When the process ends before their rename (a CLI's process.exit
 * right after its output, a test worker ended, a host stopping mid-save) they are removed on the way out, so
 * the folder is left as if the write had never begun. A kill that gives no 'exit' (SIGKILL, SIGTERM without a
 * handler) is for the start-up sweep (temp-sweep.ts).
 */
const inFlight = new Set<string>()
let exitHooked = false

function trackTemp(tmp: string): void {
  inFlight.add(tmp)
  if (exitHooked) return
  exitHooked = true
  process.once('exit', () => {
    for (const t of inFlight) {
      try {
        rmSync(t, { force: true })
      } catch {
        // Not ours to remove any more (permissions): the sweep of the next start sees it.
      }
    }
  })
}

/**
 * Folders whose writes are not made durable one by one: an import's stage, which is thrown away after a crash
 * anyway. Two fsyncs per file made a 800-request import spend most of its time waiting on the disk; instead the
 * files written under a deferred root are listed and made durable together (flush) before the stage is moved
 * into place, so what lands in the collection is as durable as any other write.
 */
const deferred = new Map<string, { files: Set<string>; dirs: Set<string> }>()

function deferredFor(path: string): { files: Set<string>; dirs: Set<string> } | undefined {
  for (const [root, list] of deferred) if (path.startsWith(root + sep)) return list
  return undefined
}

/** Defer durability for writes under `root` until `flush()`; `end()` stops deferring (call it in a finally). */
export function deferDurability(root: string): { flush(): Promise<void>; end(): void } {
  const list = { files: new Set<string>(), dirs: new Set<string>() }
  deferred.set(root, list)
  return {
    async flush() {
      // Many fsyncs in flight at once: the file system commits them together.
      const syncAll = async (paths: readonly string[], sync: (p: string) => Promise<void>): Promise<void> => {
        let next = 0
        const worker = async (): Promise<void> => {
          while (next < paths.length) await sync(paths[next++] as string)
        }
        await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker))
      }
      await syncAll([...list.files], syncFile)
      await syncAll([...list.dirs], syncDir)
    },
    end() {
      deferred.delete(root)
    },
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close().catch(() => undefined)
  }
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? seam ?? nodeAtomicFs
  const dir = dirname(path)
  const tmp = join(dir, tempNameFor(basename(path)))
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  // The file being replaced keeps its permission bits (a rename would otherwise give it the temp file's).
  const kept = options.mode === undefined ? await modeOf(path) : null
  const mode = options.mode ?? kept ?? 0o644
  let handle: FileHandle | null = null
  trackTemp(tmp)
  try {
    handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode)
    // open() applies the umask; the mode an existing file had (or the one asked for) is set exactly.
    if (kept !== null || options.mode !== undefined) await handle.chmod(mode)
    let written = 0
    // A short write is legal; loop until every byte is down (bounded by the byte count).
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written)
      if (bytesWritten <= 0) throw new Error(`write to ${tmp} made no progress`)
      written += bytesWritten
    }
    const later = deferredFor(path)
    if (!later) await handle.sync()
    await handle.close()
    handle = null
    await fs.rename(tmp, path)
    if (later) {
      later.files.add(path)
      later.dirs.add(dir)
      return
    }
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined)
    await fs.rm(tmp).catch(() => undefined)
    throw e
  } finally {
    inFlight.delete(tmp)
  }
  // Make the rename itself durable. Not every platform lets a directory be opened (Windows); that is fine.
  await syncDir(dir)
}

/** The permission bits of the file at `path`, or null when there is none. */
async function modeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mode & 0o777
  } catch {
    return null
  }
}

/** Make the renames in `dir` durable (best effort: not every platform opens a directory). */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | null = null
  try {
    handle = await open(dir, constants.O_RDONLY)
    await handle.sync()
  } catch {
    // Best effort: the data itself is already synced.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
