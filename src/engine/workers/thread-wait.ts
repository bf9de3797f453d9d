import { readFileSync, readlinkSync } from 'node:fs'

/**
 * How long a thread has waited for a core: Linux's per-thread scheduler figures
 * (`/proc/<pid>/task/<tid>/schedstat`, its second field: ns spent runnable but not running). A task's time limit
 * subtracts it, so a worker that was starved of CPU by a loaded machine is not taken for one that stopped
 * answering. Where there is no /proc, none is known and a limit counts wall time.
 */

/** The calling thread's `/proc` entry (`<pid>/task/<tid>`), or null where the platform has none. */
export function currentThread(): string | null {
  try {
    return readlinkSync('/proc/thread-self')
  } catch {
    return null
  }
}

/** ms `thread` (a `currentThread()` answer) has waited for a core since it started; null when unknown. */
export function threadWaitMs(thread: string): number | null {
  try {
    const waitedNs = Number(readFileSync(`/proc/${thread}/schedstat`, 'utf8').split(' ')[1])
    return Number.isFinite(waitedNs) ? waitedNs / 1e6 : null
  } catch {
    return null
  }
}
