import { lstat, lstatSync, mkdtempSync, opendir, rm, rmSync, type Dir, type Dirent } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeFolderSync } from './files/make-folder'

/**
 * Where the engine's temp files go (response bodies past the memory limit, long stream logs): one folder per
 * process, `<tmp>/flightdeck-<uid>/pid-<pid>-<random>`, under one root per user. A process that exits removes
 * its folder; one that was killed (SIGKILL, a crash, power loss) cannot, so the next engine to start removes
 * the folders of processes that are gone. Without this, every killed run left its spilled bodies behind, each
 * up to the body limit in size.
 */

const PROCESS_PREFIX = 'pid-'
/** A sweep looks at this many entries of the root at most, and removes this many folders at most. */
export const SWEEP_MAX_SCANNED = 1000
export const SWEEP_MAX_REMOVED = 64

export interface SweepReport {
  /** Folders removed (their names). */
  removed: string[]
  /** Folders of processes still running (kept). */
  kept: number
  /** Entries looked at. */
  scanned: number
}

let processDir: string | null = null
let sweep: Promise<SweepReport> | null = null

function uidPart(): string {
  const uid = process.getuid?.()
  return uid === undefined ? 'user' : String(uid)
}

/** The root every Flightdeck process of this user puts its per-process folder in. */
export function engineTempRoot(base: string = tmpdir()): string {
  return join(base, `flightdeck-${uidPart()}`)
}

/**
 * A shared temp folder is only used when it is a real folder (not a symlink another user planted) that this
 * user owns; anything else falls back to a private folder of our own, which a later sweep does not see.
 */
function usableRoot(root: string): boolean {
  try {
    makeFolderSync(root, 0o700)
    const st = lstatSync(root)
    const uid = process.getuid?.()
    return st.isDirectory() && !st.isSymbolicLink() && (uid === undefined || st.uid === uid)
  } catch {
    return false
  }
}

/** This process's folder, created on first use and removed when the process exits. */
export function processTempDir(): string {
  if (processDir !== null) {
    // Something (a tmp cleaner) may have removed it while we ran: make sure it is there.
    makeFolderSync(processDir, 0o700)
    return processDir
  }
  const root = engineTempRoot()
  const dir = usableRoot(root)
    ? mkdtempSync(join(root, `${PROCESS_PREFIX}${process.pid}-`))
    : mkdtempSync(join(tmpdir(), 'flightdeck-'))
  processDir = dir
  process.once('exit', () => {
    try {
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // Exiting anyway: the next start-up sweep removes what is left.
    }
  })
  return dir
}

/** A fresh folder for one store (bodies, stream logs) inside this process's folder. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(processTempDir(), prefix))
}

/** The pid a per-process folder was made by, or null for anything else in the root. */
export function pidOfTempDir(name: string): number | null {
  const m = /^pid-(\d{1,10})-/.exec(name)
  if (!m) return null
  const pid = Number(m[1])
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but is not ours to signal; only ESRCH means it is gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Remove the folders of processes that are no longer running from `root`. Bounded: at most
 * SWEEP_MAX_SCANNED entries are looked at and SWEEP_MAX_REMOVED folders removed per sweep (the rest wait for
 * the next start). Never throws: a temp file that cannot be removed is not worth failing a start for.
 */
export async function sweepStaleTempDirs(root: string = engineTempRoot()): Promise<SweepReport> {
  const report: SweepReport = { removed: [], kept: 0, scanned: 0 }
  if (!(await mayHoldFolders(root))) return report
  let dir: Dir
  try {
    dir = await new Promise<Dir>((done, fail) => opendir(root, (e, d) => (e ? fail(e) : done(d))))
  } catch {
    return report
  }
  try {
    for (;;) {
      const entry = await nextEntry(dir)
      if (entry === null) break
      if (report.scanned >= SWEEP_MAX_SCANNED || report.removed.length >= SWEEP_MAX_REMOVED) break
      report.scanned++
      const pid = pidOfTempDir(entry.name)
      if (pid === null || !entry.isDirectory()) continue
      if (isAlive(pid)) {
        report.kept++
        continue
      }
      try {
        await new Promise<void>((done, fail) =>
          rm(join(root, entry.name), { recursive: true, force: true, maxRetries: 2 }, (e) =>
            e ? fail(e) : done(),
          ),
        )
        report.removed.push(entry.name)
      } catch {
        // Someone else's file in our root, or a race with another sweep: leave it.
      }
    }
  } catch {
    // The root went away mid-sweep: nothing left to do.
  }
  await new Promise<void>((done) => dir.close(() => done()))
  return report
}

/**
 * Whether `root` may hold a folder to sweep. A folder's link count is 2 plus the number of folders in it on the
 * usual file systems (ext4, xfs, tmpfs, APFS, HFS+), so a root whose count is 2 has none, and is not read: the
 * read (Node's directory reader, which the process loads for it) was ~13M instructions of a `flightdeck send`'s
 * ~330M, at every start, almost always to find nothing. Any other count (1 where a file system does not keep
 * one, as btrfs; a symbolic link's) means the root is read. A root that is not there has nothing to sweep.
 */
function mayHoldFolders(root: string): Promise<boolean> {
  return new Promise((done) => lstat(root, (e, st) => done(!e && (st.nlink !== 2 || !st.isDirectory()))))
}

/**
 * The folder's next entry, or null at its end. node:fs's callbacks, not node:fs/promises: every engine start
 * sweeps, and loading node:fs/promises (with the readline and watcher modules it imports) cost a
 * `flightdeck send` ~16M instructions, a tenth of its own start, on a Node that compiles its own modules.
 */
function nextEntry(dir: Dir): Promise<Dirent | null> {
  return new Promise((done, fail) => dir.read((e, entry) => (e ? fail(e) : done(entry))))
}

/** The start-up sweep, run once per process however many engines it starts. */
export function startTempSweep(): Promise<SweepReport> {
  sweep ??= sweepStaleTempDirs()
  return sweep
}
