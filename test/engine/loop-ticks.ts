import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'

/**
 * Counts turns of the event loop, to check that a timeout fired when it was due without measuring wall time.
 *
 * A tick runs on every turn of the loop that reaches its timers (a 1 ms interval) and is stamped with
 * performance.now(). Node runs timers in the order they are due, so once a tick stamped after a timeout's due
 * time has run, so has that timeout's own timer, and its error takes only a few more turns to come through: a
 * handful of ticks lie between the due time and the error. A timeout timed on a coarse tick (undici's, about a
 * second) fires hundreds of milliseconds late, and hundreds of ticks lie in between. A busy machine makes each
 * turn late; it does not make more of them, so the count holds however loaded the machine is.
 */
export class LoopTicks {
  /** At most this many stamps are kept (a minute of ticks): memory stays bounded if a test runs long. */
  private static readonly MAX_STAMPS = 60_000
  private readonly stamps: number[] = []
  private readonly timer: ReturnType<typeof setInterval>
  private readonly watchers: ((t: number) => void)[] = []

  constructor() {
    this.timer = setInterval(() => {
      const t = performance.now()
      if (this.stamps.length < LoopTicks.MAX_STAMPS) this.stamps.push(t)
      for (const watch of this.watchers) watch(t)
    }, 1)
  }

  /** Calls `watch` on every tick with its stamp (to notice a server-side change at most one turn late). */
  onTick(watch: (t: number) => void): void {
    this.watchers.push(watch)
  }

  /** How many ticks were stamped after `from` and before `to`. */
  between(from: number, to: number): number {
    if (this.stamps.length >= LoopTicks.MAX_STAMPS) throw new Error('LoopTicks ran past its bound of stamps')
    // A time never seen (NaN) would count nothing and pass: say so instead.
    if (!Number.isFinite(from) || !Number.isFinite(to))
      throw new Error(`no time to count from (${from} to ${to})`)
    return this.stamps.filter((t) => t > from && t < to).length
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

/**
 * At most this many ticks may lie between a timeout's due time and its error: the few turns the error takes
 * (0-8 seen, under two busy loops too). A timeout 600 ms late let 73-450 pass, under the same load too.
 */
export const TURNS_TO_REPORT = 25

/**
 * When the last byte of an upload was handed to a client socket to `port` (its bytesWritten last grew), noticed
 * on the ticks of `ticks`: at most one turn after the write, as the engine's own note of its last piece.
 */
export function lastUploadWrite(ticks: LoopTicks, port: number): { at(): number; dispose(): void } {
  const sockets: Socket[] = []
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket }
    sockets.push(socket)
  }
  subscribe('net.client.socket', onSocket)
  let written = 0
  let at = Number.NaN
  ticks.onTick((t) => {
    const socket = sockets.find((s) => s.remotePort === port)
    if (socket && socket.bytesWritten !== written) {
      written = socket.bytesWritten
      at = t
    }
  })
  return {
    at: () => at,
    dispose: () => unsubscribe('net.client.socket', onSocket),
  }
}
