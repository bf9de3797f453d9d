/**
 * A long build on the engine's thread, made to let traffic through: `await pause()` between steps gives the
 * event loop a turn (sockets read, timers fire) once a slice of work has run, and costs nothing before that.
 */

export type Breather = () => Promise<void>

/** A slice of this long runs before the thread is let go. */
export const BUILD_SLICE_MS = 10

export function breather(sliceMs = BUILD_SLICE_MS): Breather {
  let since = performance.now()
  return async () => {
    if (performance.now() - since < sliceMs) return
    // setImmediate, not a resolved promise: the event loop polls I/O before it runs.
    await new Promise<void>((resolve) => setImmediate(resolve))
    since = performance.now()
  }
}
