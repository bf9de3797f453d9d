import { basename, join } from 'node:path'
import { tempWriterOf } from './atomic-write'
import { lstat, opendir, rm } from './callback-fs'

/**
 * Temp files an atomic write leaves when its process is killed between writing and renaming (`kill -9`, a
 * power cut) are removed when the collection is opened, so they do not pile up in the folder and in
 * `git status`. Only names the atomic writer makes are touched, and only regular files: never a file the
 * person made. A temp file names its writer's pid: it goes when that process is gone, and stays while the
 * writer lives (another window, a CLI run), up to STALE_TEMP_AGE_MS. Temp files from before pids were in the name go once they are
 * older than any write takes.
 */

/** A temp file without a pid in its name older than this has no writer left. */
export const LEGACY_TEMP_AGE_MS = 10 * 60_000
/**
 * A temp file this old goes even when its pid answers: no write takes an hour, so that pid is another process
 * now (pids wrap around on a machine that stays up).
 */
export const STALE_TEMP_AGE_MS = 60 * 60_000
/** Stray temp files one open looks at, at most (the loader collects no more). */
export const MAX_STRAY_TEMPS = 1000

/** Whether a process with this pid exists (one we may not signal exists too). */
export function processAlive(pid: number): boolean {
  // Our own writes clean up after themselves; pid 0 would address our process group, not a process.
  if (pid === process.pid || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Remove the temp files in `paths` whose writer is gone; returns those removed. */
export async function removeStrayTemps(paths: readonly string[], now = Date.now()): Promise<string[]> {
  const removed: string[] = []
  for (const path of paths.slice(0, MAX_STRAY_TEMPS)) {
    const writer = tempWriterOf(basename(path))
    if (writer === null) continue
    const st = await lstat(path).catch(() => null)
    if (!st?.isFile()) continue
    const age = now - st.mtimeMs
    const gone =
      writer === 'legacy' ? age > LEGACY_TEMP_AGE_MS : age > STALE_TEMP_AGE_MS || !processAlive(writer.pid)
    if (!gone) continue
    try {
      await rm(path)
      removed.push(path)
    } catch {
      // Already gone, or not ours to remove (permissions): leave it.
    }
  }
  return removed
}

/** Entries of one folder `sweepFolderTemps` looks at, at most (a config folder holds a handful). */
export const MAX_SWEEP_ENTRIES = 10_000

/**
 * Remove the stray temp files directly in `dir` (the config folder: workspace.json, secrets, the last session),
 * by the same rules as a collection's. Never descends, never follows a symlink; a folder that is not there
 * sweeps nothing. Returns the paths removed.
 */
export async function sweepFolderTemps(dir: string): Promise<string[]> {
  const temps: string[] = []
  let seen = 0
  try {
    const folder = await opendir(dir)
    for await (const entry of folder) {
      if (++seen > MAX_SWEEP_ENTRIES || temps.length >= MAX_STRAY_TEMPS) break
      if (entry.isFile() && tempWriterOf(entry.name) !== null) temps.push(join(dir, entry.name))
    }
  } catch {
    return []
  }
  return removeStrayTemps(temps)
}
