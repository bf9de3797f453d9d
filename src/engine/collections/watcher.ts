import { watch, type FSWatcher } from 'node:fs'
import { isTempFile } from './atomic-write'

/**
 * Tells when anything under a collection folder changed (an editor's save, `git pull`, a delete). Events are
 * coalesced: one callback per quiet period, after which the caller rescans (cheap: unchanged files are cached).
 * Node's recursive fs.watch covers Linux (Node 20+), macOS and Windows; where it fails, a slow poll takes over.
 */

export interface DirWatcher {
  close(): void
}

export interface WatchOptions {
  /** Quiet time before the callback runs (default 80 ms). */
  debounceMs?: number
  /** Poll period when fs.watch is unavailable (default 2 s). */
  pollMs?: number
}

export function watchDir(dir: string, onChange: () => void, options: WatchOptions = {}): DirWatcher {
  const debounceMs = options.debounceMs ?? 80
  let timer: ReturnType<typeof setTimeout> | null = null
  let closed = false
  const schedule = (): void => {
    if (closed) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      if (!closed) onChange()
    }, debounceMs)
  }

  let watcher: FSWatcher | null = null
  let poll: ReturnType<typeof setInterval> | null = null
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, (_event, name) => {
      // Our own temp files come and go on every save; the rename that follows is the event that matters.
      if (typeof name === 'string' && isTempFile(name)) return
      schedule()
    })
    watcher.on('error', () => {
      // The folder itself went away or the watch broke: fall back to polling, which also notices recovery.
      watcher?.close()
      watcher = null
      startPoll()
    })
  } catch {
    startPoll()
  }

  function startPoll(): void {
    if (closed || poll) return
    poll = setInterval(schedule, options.pollMs ?? 2000)
    poll.unref()
  }

  return {
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      watcher?.close()
      if (poll) clearInterval(poll)
    },
  }
}
