import { createReadStream, open as openFd } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { releaseFifo } from './fifo-release'

/** How often, and how many times, a FIFO whose open had not begun when the signal came is released again. */
const RELEASE_EVERY_MS = 50
const RELEASE_TRIES = 40

/**
 * What a command is reading before it sends (`-d @-`, `-d @fifo`, `--query @file`), and how Ctrl+C or SIGTERM
 * stops it at once. A FIFO is read through a pipe handle, as stdin is: a plain file read of a FIFO waits in a
 * pool thread while its writer pauses, and the process could not exit until that writer wrote or closed (the
 * first Ctrl+C then waited with it). Its open waits for a writer (off the main thread), as curl waits; `stop`
 * ends that wait (fifo-release.ts) and destroys every stream being read.
 */
export class InputReads {
  private readonly streams = new Set<Readable>()
  private readonly opening = new Set<string>()
  private stopped = false

  /** Whether `stop` was called: what was read since is not to be used. */
  get isStopped(): boolean {
    return this.stopped
  }

  /** `path` opened to read: a FIFO through a pipe handle, anything else as a file stream. */
  async open(path: string): Promise<Readable> {
    const info = await stat(path)
    // Stopped before the open began: a FIFO's open would wait for a writer that no release reaches.
    if (this.stopped) throw new Error('stopped')
    if (!info.isFIFO()) return this.track(createReadStream(path))
    this.opening.add(path)
    let fd: number
    try {
      fd = await new Promise<number>((resolve, reject) =>
        openFd(path, 'r', (e, opened) => (e ? reject(e) : resolve(opened))),
      )
    } finally {
      this.opening.delete(path)
    }
    return this.track(new Socket({ fd, readable: true, writable: false }))
  }

  /** Follows `stream` (stdin, a file), so `stop` destroys it. */
  track<T extends Readable>(stream: T): T {
    if (this.stopped) {
      stream.destroy()
      return stream
    }
    this.streams.add(stream)
    stream.once('close', () => this.streams.delete(stream))
    return stream
  }

  /** Ends every read under way: each stream is destroyed, each FIFO's wait for a writer released. */
  stop(): void {
    this.stopped = true
    for (const stream of this.streams) stream.destroy()
    this.streams.clear()
    // The open may not have reached the kernel when the signal came (a pool thread starts it): released again
    // until it has returned, for at most RELEASE_TRIES × RELEASE_EVERY_MS.
    let tries = 0
    const release = (): boolean => {
      for (const path of this.opening) releaseFifo(path)
      return this.opening.size > 0 && ++tries < RELEASE_TRIES
    }
    if (!release()) return
    const timer = setInterval(() => {
      if (!release()) clearInterval(timer)
    }, RELEASE_EVERY_MS)
  }
}
