import { subscribe, unsubscribe } from 'node:diagnostics_channel'

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

  constructor() {
    this.timer = setInterval(() => {
      if (this.stamps.length < LoopTicks.MAX_STAMPS) this.stamps.push(performance.now())
    }, 1)
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
 * (0-14 seen in 30 runs under two busy loops, load 13-28). A timeout 600 ms late let 73-521 pass, loaded or not.
 */
export const TURNS_TO_REPORT = 30

/**
 * When undici last handed a piece of a response body to its handler (the engine notes it as bytes moving, at that
 * moment) and last sent the request's headers or a piece of its body, on performance.now(): an idle phase is due
 * its timeout after the first, an upload the server stopped reading the headers timeout after the second (on a
 * busy machine the phase can run out before the first piece of the body went).
 */
export function bodyPieces(): { lastReceived(): number; lastSent(): number; dispose(): void } {
  let received = Number.NaN
  let sent = Number.NaN
  const onReceived = (): void => {
    received = performance.now()
  }
  const onSent = (): void => {
    sent = performance.now()
  }
  subscribe('undici:request:bodyChunkReceived', onReceived)
  subscribe('undici:client:sendHeaders', onSent)
  subscribe('undici:request:bodyChunkSent', onSent)
  return {
    lastReceived: () => received,
    lastSent: () => sent,
    dispose: () => {
      unsubscribe('undici:request:bodyChunkReceived', onReceived)
      unsubscribe('undici:client:sendHeaders', onSent)
      unsubscribe('undici:request:bodyChunkSent', onSent)
    },
  }
}
