import type { TimelineBatch } from '../shared/contract'
import type { TimelineEvent } from '../shared/timeline'

/**
 * A bounded, synchronous sink between the engine and whatever host shows the timeline. The engine never
 * waits on the UI: `emit` only appends. Body-progress events are coalesced per session (only the newest
 * survives until the next flush); lifecycle events are always kept. Past `maxPending` events, further
 * progress events are dropped and counted, so a stalled consumer cannot grow memory without bound.
 */
export class EventSink {
  private pending: TimelineEvent[] = []
  /** sid -> index in `pending` of that session's latest body-progress event. */
  private progressIndex = new Map<string, number>()
  private dropped = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private listeners = new Set<(batch: TimelineBatch) => void>()

  constructor(
    private readonly flushEveryMs = 25,
    private readonly maxPending = 200_000,
  ) {}

  emit(event: TimelineEvent): void {
    if (event.type === 'body-progress') {
      const at = this.progressIndex.get(event.sid)
      if (at !== undefined) {
        this.pending[at] = event
        return
      }
      if (this.pending.length >= this.maxPending) {
        this.dropped++
        return
      }
      this.progressIndex.set(event.sid, this.pending.length)
    } else {
      // A later lifecycle event must not be overtaken by an older coalesced progress slot being rewritten,
      // so progress after this point starts a fresh slot.
      this.progressIndex.delete(event.sid)
    }
    this.pending.push(event)
    this.schedule()
  }

  subscribe(listener: (batch: TimelineBatch) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Deliver everything pending now, as one batch. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.pending.length === 0 && this.dropped === 0) return
    const batch: TimelineBatch = { events: this.pending, dropped: this.dropped }
    this.pending = []
    this.progressIndex.clear()
    this.dropped = 0
    for (const l of this.listeners) l(batch)
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.flush()
    }, this.flushEveryMs)
    // A pending flush must never keep a CLI or test process alive on its own.
    this.timer.unref?.()
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.listeners.clear()
    this.pending = []
  }
}
