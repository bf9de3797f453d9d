import { abortableSleep } from '../abortable-sleep'

/** How a run spaces its work: a gate on concurrent requests and a pacer for their starts. */

export class Semaphore {
  private waiting: (() => void)[] = []
  constructor(private free: number) {}
  /** Take a slot if one is free now (no promise made, no turn waited): false when the caller must `acquire`. */
  tryAcquire(): boolean {
    if (this.free <= 0) return false
    this.free--
    return true
  }
  /**
   * A slot, now or when one is released. Not async: a step that waits for the gate (most of a collection's, whose
   * steps all start at once) makes one promise here, not an async frame's as well.
   */
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--
      return Promise.resolve()
    }
    return new Promise<void>((r) => this.waiting.push(r))
  }
  release(): void {
    const w = this.waiting.shift()
    if (w) w()
    else this.free++
  }
}

/** Spaces request starts by a fixed delay or a rate; free-running when neither is set. */
export class Pacer {
  private nextAt = 0
  private readonly gap: number
  constructor(delayMs: number | undefined, ratePerSecond: number | undefined) {
    this.gap = Math.max(delayMs ?? 0, ratePerSecond && ratePerSecond > 0 ? 1000 / ratePerSecond : 0)
  }
  /** False when free-running: callers skip `next()` (and its await) entirely. */
  get paced(): boolean {
    return this.gap > 0
  }
  async next(): Promise<void> {
    if (this.gap <= 0) return
    const now = Date.now()
    const at = Math.max(now, this.nextAt)
    this.nextAt = at + this.gap
    if (at > now) await abortableSleep(at - now)
  }
}
