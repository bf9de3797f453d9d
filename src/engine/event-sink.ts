import type { TimelineBatch } from '../shared/contract'
import type { SseEventEvent, TimelineEvent, WsMessageEvent } from '../shared/timeline'

/** Stream messages closer together than this travel as one timeline event with a count. */
const MERGE_MS = 1

/**
 * Events per delivered batch. A burst queues thousands of sessions within one flush interval; as one batch the
 * page parsed, applied and drew 10,000 `queued` events in one main-thread task (~65 ms of CPU). A flush with
 * more delivers it as several batches in order, one message and one task each on the page. Smaller parts do not
 * shorten the page's longest tasks: a message's task only parses and holds it, and the page applies up to 4,000
 * held events a frame whatever the parts (renderer/timeline/batch-intake.ts). Parts of 500 were measured in the ui
 * bench's bursts (paired with 2,000, by CPU time) with no shorter task and more CPU in all.
 */
export const MAX_BATCH_EVENTS = 2_000

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
    } else if ((event.type === 'sse-event' || event.type === 'ws-message') && this.mergeMessage(event)) {
      return
    } else {
      // A later lifecycle event must not be overtaken by an older coalesced progress slot being rewritten,
      // so progress after this point starts a fresh slot. (Most flushes hold no progress: skip the lookup.)
      if (this.progressIndex.size > 0) this.progressIndex.delete(event.sid)
    }
    this.pending.push(event)
    this.schedule()
  }

  /**
   * Stream messages: fold `event` into the pending event just before it when that is the previous
   * message of the same session, direction and type, less than MERGE_MS earlier. Returns true if merged.
   */
  private mergeMessage(event: SseEventEvent | WsMessageEvent): boolean {
    const last = this.pending[this.pending.length - 1]
    if (!last || last.sid !== event.sid || last.type !== event.type) return false
    const prev = last as SseEventEvent | WsMessageEvent
    if (prev.dir !== event.dir || prev.kind !== event.kind || event.t - prev.t >= MERGE_MS) return false
    const count = prev.count ?? 1
    if (event.seq !== prev.seq + count || event.seq < 0) return false
    prev.count = count + (event.count ?? 1)
    prev.size += event.size
    prev.preview = event.preview
    if (event.errors) prev.errors = (prev.errors ?? 0) + event.errors
    if (event.type === 'sse-event') {
      const p = prev as SseEventEvent
      if (event.event !== undefined) p.event = event.event
      else delete p.event
      if (event.id !== undefined) p.id = event.id
      else delete p.id
    } else if (event.code !== undefined) (prev as WsMessageEvent).code = event.code
    return true
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
    const events = this.pending
    const dropped = this.dropped
    this.pending = []
    this.progressIndex.clear()
    this.dropped = 0
    if (events.length <= MAX_BATCH_EVENTS) {
      for (const l of this.listeners) l({ events, dropped })
      return
    }
    for (let at = 0; at < events.length; at += MAX_BATCH_EVENTS) {
      // The drop count rides on the last part, after the events it was counted among.
      const last = at + MAX_BATCH_EVENTS >= events.length
      const batch: TimelineBatch = {
        events: events.slice(at, at + MAX_BATCH_EVENTS),
        dropped: last ? dropped : 0,
      }
      for (const l of this.listeners) l(batch)
    }
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
