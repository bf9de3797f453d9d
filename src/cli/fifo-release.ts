import { closeSync, constants, openSync, statSync } from 'node:fs'

/**
 * A FIFO named as a command's input (`grpc -d @fifo`) waits for its writer, as curl waits: opening it to read
 * blocks (off the main thread) until a writer opens it, and Ctrl+C or SIGTERM could not end that wait in the
 * command's words. `releaseFifo` ends it: the FIFO is opened to write without waiting, and closed, so the read
 * that waited opens and finds its end at once. A FIFO no one reads, or a path that is not a FIFO, is left alone.
 */
export function releaseFifo(path: string): void {
  try {
    if (!statSync(path).isFIFO()) return
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK))
  } catch {
    // No reader waits on it (ENXIO), or it went away: nothing to release.
  }
}
