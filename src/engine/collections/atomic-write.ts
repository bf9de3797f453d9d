import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

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
  /** File mode for a new file (default 0o644; secrets use 0o600). */
  mode?: number
  fs?: AtomicFs
}

/** Temp files are dot-files with this suffix, so the collection loader and watcher skip them. */
export const TEMP_SUFFIX = '.fdtmp'

export function isTempFile(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX)
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? seam ?? nodeAtomicFs
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let handle: FileHandle | null = null
  try {
    handle = await fs.open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      options.mode ?? 0o644,
    )
    let written = 0
    // A short write is legal; loop until every byte is down (bounded by the byte count).
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written)
      if (bytesWritten <= 0) throw new Error(`write to ${tmp} made no progress`)
      written += bytesWritten
    }
    await handle.sync()
    await handle.close()
    handle = null
    await fs.rename(tmp, path)
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined)
    await fs.rm(tmp).catch(() => undefined)
    throw e
  }
  // Make the rename itself durable. Not every platform lets a directory be opened (Windows); that is fine.
  await syncDir(dir)
}

async function syncDir(dir: string): Promise<void> {
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
