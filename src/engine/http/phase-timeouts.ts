import type { Clock } from '../clock'
import { deadlinesOf, type Deadline, type Deadlines } from './deadlines'
import { EngineError, classifyError } from './errors'

/**
 * An exchange's headers and idle timeouts, timed by the engine itself. undici times both on its "fast timers",
 * which it batches on a ~1 s tick: a 400 ms headers timeout fired at ~1 s, a 2 s idle timeout at ~2.6 s. Here
 * each phase has one deadline, armed once on the clock's shared timer (deadlines.ts: no native timer per
 * exchange): it does not re-arm on every chunk, each chunk only notes when bytes last moved, and a deadline that
 * comes before the phase's time is up re-arms for what is left.
 *
 * The headers phase runs, as undici's did, from the request being put on the connection: each piece of a body
 * going out restarts it (an upload the server does not read stalls), and so does the request's end.
 */

export interface PhaseTimeoutOwner {
  /** A phase ran out: stop the exchange with this error. */
  stopWith(error: EngineError): void
}

type Phase = 'none' | 'headers' | 'idle' | 'over'

export class PhaseTimeouts implements Deadline {
  private phase: Phase = 'none'
  /** Whether the deadline is armed on the shared timer. */
  private armed = false
  /** When the armed deadline comes, on the engine clock. */
  due = 0
  /** When bytes last moved: a piece of the request out, the request's end, a piece of the response in. */
  private lastByteAt = 0
  /** The exchange stopped reading (its body store is behind): not a stall of the server's. */
  private paused = false
  /** The clock's shared timer, which this arms its deadline on. */
  private readonly deadlines: Deadlines

  constructor(
    private readonly owner: PhaseTimeoutOwner,
    private readonly clock: Clock,
    private readonly host: string,
    private readonly headersMs: number,
    private readonly idleMs: number,
  ) {
    this.deadlines = deadlinesOf(clock)
  }

  /** The request is being written (`t`): from here, the request goes out and the response's headers come. */
  sending(t: number): void {
    if (this.phase !== 'none') return
    this.phase = 'headers'
    this.lastByteAt = t
    if (this.headersMs > 0) this.arm(this.headersMs, t)
  }

  /** The whole request is sent: the final response's headers are due within the headers timeout from now. */
  requestSent(t: number): void {
    if (this.phase === 'none') this.sending(t)
    else if (this.phase === 'headers') this.lastByteAt = t
  }

  /** An interim (1xx) response came: its own deadline (informational.ts) takes over the headers phase. */
  interim(): void {
    if (this.phase === 'over') return
    this.phase = 'over'
    this.clear()
  }

  /** The final response's headers came: the body is due, each piece within the idle timeout of the last. */
  headers(t: number): void {
    this.phase = this.idleMs > 0 ? 'idle' : 'over'
    this.lastByteAt = t
    if (this.idleMs <= 0) return this.clear()
    // The headers phase's deadline, when it comes by the idle one, serves the idle phase too (it re-arms for
    // what is left): a request with both timeouts at their defaults arms once, not twice.
    if (this.armed && this.due <= t + this.idleMs) return
    this.clear()
    this.arm(this.idleMs, t)
  }

  /** A piece of the request went out, or of the response came, at `t`: one store, no timer work (per chunk). */
  moved(t: number): void {
    this.lastByteAt = t
  }

  /** Whether the exchange reads on, passed through; when not, the body's stall is ours, not the server's. */
  reading(more: boolean): boolean {
    if (!more) this.paused = true
    return more
  }

  pause(): void {
    this.paused = true
  }

  /** The exchange reads again: the stall was ours, so the idle time starts over. */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    if (this.phase !== 'idle') return
    this.lastByteAt = this.clock.now()
    if (!this.armed && this.idleMs > 0) this.arm(this.idleMs, this.lastByteAt)
  }

  /** The exchange has all it waits for (or ended): no phase is timed any more. */
  stop(): void {
    this.phase = 'over'
    this.clear()
  }

  /** Arm the deadline to come `ms` after `now`. */
  private arm(ms: number, now: number): void {
    this.due = now + ms
    this.armed = true
    this.deadlines.add(this, now)
  }

  private clear(): void {
    if (!this.armed) return
    this.armed = false
    this.deadlines.remove(this)
  }

  /** The deadline came (called by the shared timer, at `now`). */
  expired(now: number): void {
    this.armed = false
    const headers = this.phase === 'headers'
    if (!headers && (this.phase !== 'idle' || this.paused)) return
    const left = (headers ? this.headersMs : this.idleMs) - (now - this.lastByteAt)
    // Node may also run a timer a fraction of a millisecond before the clock reads its full delay.
    if (left >= 1) {
      this.arm(left, now)
      return
    }
    this.phase = 'over'
    this.owner.stopWith(
      headers
        ? timeoutError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error', this.host)
        : timeoutError('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error', this.host),
    )
  }
}

/** The same words (code, message, detail) as when undici's own timer fired. */
function timeoutError(code: string, message: string, host: string): EngineError {
  const e = classifyError({ code, message }, host)
  return new EngineError(e.code, e.message, e.detail)
}
