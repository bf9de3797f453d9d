import type { Clock } from '../clock'

/** Something timed by `Deadlines`: when it is due (on the clock's time), and what to do then. */
export interface Deadline {
  due: number
  /** The deadline came (`now` on the clock): it is no longer armed; adding it again arms it anew. */
  expired(now: number): void
}

/**
 * Every armed deadline on one clock, timed by one native timer set for the earliest of them. A run keeps fifty
 * exchanges in flight, each with its headers or idle deadline minutes away: each arms and disarms by a set
 * insert and delete, not a native timer made and cleared per exchange. When the timer fires, the deadlines that
 * are due expire and it is set again for the earliest left. A timer left set after its deadlines went is not
 * cleared (one request after another would otherwise set and clear one each): it fires once, finds nothing due,
 * and is not set again. It is unref'd, so it keeps no process alive.
 */
export class Deadlines {
  private readonly armed = new Set<Deadline>()
  private timer: ReturnType<typeof setTimeout> | null = null
  /** When the native timer fires, on the clock (Infinity: none set). */
  private timerDue = Infinity

  constructor(private readonly clock: Clock) {}

  /** Armed deadlines (tests count them). */
  get size(): number {
    return this.armed.size
  }

  /** Arm `d` (its `due` set) at `now`; arming it again only moves it. */
  add(d: Deadline, now: number): void {
    this.armed.add(d)
    if (d.due < this.timerDue) this.setTimer(d.due, now)
  }

  remove(d: Deadline): void {
    this.armed.delete(d)
  }

  /** The native timer ran out (called by `fire`). */
  fired(): void {
    this.timer = null
    this.timerDue = Infinity
    const now = this.clock.now()
    const due: Deadline[] = []
    let next = Infinity
    for (const d of this.armed) {
      // Node may run a timer a fraction of a millisecond before the clock reads its full delay.
      if (d.due - now < 1) due.push(d)
      else if (d.due < next) next = d.due
    }
    for (const d of due) this.armed.delete(d)
    if (next !== Infinity) this.setTimer(next, now)
    for (const d of due) d.expired(now)
  }

  private setTimer(due: number, now: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timerDue = due
    this.timer = setTimeout(fire, Math.max(1, due - now), this)
    // The sockets keep the process alive while requests run; the timer alone must not.
    this.timer.unref()
  }
}

function fire(deadlines: Deadlines): void {
  deadlines.fired()
}

const byClock = new WeakMap<Clock, Deadlines>()

/** The deadlines of one clock (an engine's): every exchange and stream on it shares the one timer. */
export function deadlinesOf(clock: Clock): Deadlines {
  let d = byClock.get(clock)
  if (!d) {
    d = new Deadlines(clock)
    byClock.set(clock, d)
  }
  return d
}
