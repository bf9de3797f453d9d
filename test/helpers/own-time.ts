import { readFileSync } from 'node:fs'

/**
 * How long a process took over something, less the time it waited for a core. A check that a program acts at
 * once ("Ctrl+C ends the wait promptly") is about the time the program itself lets pass: running, or asleep on a
 * timer, a socket or a lock. On a loaded two-core machine (load 25-40) a process also spends seconds runnable but
 * not running, which says nothing about the program and made such wall-clock checks fail work that was right.
 * Linux counts that wait for each thread (/proc/<pid>/schedstat, second field, in ns); it is taken off here.
 * Only the process's main thread is read: it runs the program's JavaScript, so it is the one that must act.
 */

/** Time (ms) the main thread of process `pid` has waited runnable for a core; null once it is gone or without /proc. */
export function coreWaitMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')
    const waitNs = Number(fields[1])
    return Number.isFinite(waitNs) ? waitNs / 1e6 : null
  } catch {
    return null
  }
}

/** A stopwatch on process `pid` that leaves out its waits for a core; read it with `sample()` while it lives. */
export interface OwnTimeWatch {
  /** Reads the process's wait so far; call it often (every ~20 ms) until the process is gone. */
  sample(): void
  /**
   * Wall time from the start to the last sample taken while the process lived, less the core wait in it (ms). The
   * stretch after the last sample is not counted; a sleep long enough to matter spans samples and is.
   */
  ownMs(): number
}

/** Starts an OwnTimeWatch on `pid` now. */
export function watchOwnTime(pid: number): OwnTimeWatch {
  const startedAt = Date.now()
  const waitAtStart = coreWaitMs(pid)
  let last = { at: startedAt, wait: waitAtStart ?? 0 }
  return {
    sample(): void {
      const at = Date.now()
      const wait = coreWaitMs(pid)
      if (wait !== null && waitAtStart !== null) last = { at, wait }
    },
    ownMs: () => last.at - startedAt - (last.wait - (waitAtStart ?? 0)),
  }
}
