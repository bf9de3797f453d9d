import type { QueuedEvent, TimelineEvent } from '../../shared/timeline'
import { MAX_KEPT_INFORMATIONAL } from '../../shared/timeline'
import { MAX_REPLAY_PAGE, type TimelineReplayPage } from '../../shared/workspace-schemas'
import { DEFAULT_RECORD_LIMIT } from './session-records'

/**
 * What the timeline needs to draw its rows again after the page reloads (the browser host), every session
 * kind included: per session its `queued` event and the latest event of each other kind, as the renderer's
 * rows keep them (apply-batch.ts). Replaying them in order rebuilds each row with its phases, status and end;
 * bodies stay in the engine, readable by id as before.
 *
 * Bounded like the rows: the newest DEFAULT_RECORD_LIMIT sessions, each a handful of events it already holds
 * (no copies). Stream messages are kept as their latest one only, so a restored stream row ends where it did
 * but its lane's ticks are not drawn again (the log is still read by id).
 */
/**
 * A page stops past about this many bytes of JSON (at least one session a page), so a page of sessions with
 * large headers stays far under what a transport carries in one message (the browser host's socket).
 */
export const MAX_REPLAY_PAGE_BYTES = 8 * 1024 * 1024
/** A rough JSON size of an event without headers; headers count twice their wire size (quoting, arrays). */
const EVENT_BYTES = 300

interface Entry {
  seq: number
  queued: QueuedEvent
  /** Latest event per kind, in the order each kind first arrived (phases come out in their order). */
  latest: Map<string, TimelineEvent>
  /** Interim responses: the first MAX_KEPT_INFORMATIONAL with headers and the latest count. */
  informational?: TimelineEvent[]
  terminal?: TimelineEvent
  job?: TimelineEvent
  /** Cleared from the timeline by the person: not replayed, dropped from the array at its next compaction. */
  gone?: true
}

export class TimelineJournal {
  /** Arrival order (sequence numbers increase along it); entries before `head` were evicted. */
  private entries: Entry[] = []
  private head = 0
  private readonly bySid = new Map<string, Entry>()
  private nextSeq = 0
  private forgottenCount = 0

  constructor(private readonly limit = DEFAULT_RECORD_LIMIT) {}

  get size(): number {
    return this.bySid.size
  }

  record(e: TimelineEvent): void {
    if (e.type === 'queued') {
      if (this.bySid.has(e.sid)) return
      const entry: Entry = { seq: this.nextSeq++, queued: e, latest: new Map() }
      this.bySid.set(e.sid, entry)
      this.entries.push(entry)
      while (this.bySid.size > this.limit) this.evictOldest()
      this.compact()
      return
    }
    const entry = this.bySid.get(e.sid)
    if (!entry) return
    switch (e.type) {
      case 'done':
      case 'error':
      case 'cancelled':
      case 'redirect':
      case 'webhook-call':
        entry.terminal = e
        return
      case 'job':
        entry.job = e
        return
      case 'informational': {
        const list = (entry.informational ??= [])
        // The row keeps the first few with their headers and takes the count from the latest.
        if (list.length < MAX_KEPT_INFORMATIONAL) list.push(e)
        else list[list.length - 1] = e
        return
      }
      default:
        entry.latest.set(e.type, e)
    }
  }

  /** Sessions the person cleared from the timeline: a reload does not bring them back. */
  forget(sids: readonly string[]): number {
    let n = 0
    for (const sid of sids) {
      const entry = this.bySid.get(sid)
      if (!entry) continue
      entry.gone = true
      this.bySid.delete(sid)
      n++
    }
    this.compact()
    return n
  }

  private evictOldest(): void {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head++]
      if (entry && !entry.gone) {
        this.bySid.delete(entry.queued.sid)
        this.forgottenCount++
        return
      }
    }
  }

  /** Keep the array about as long as the sessions remembered: evicted and cleared entries go, now and then. */
  private compact(): void {
    const frontConsumed = this.head >= 1024 && this.head * 2 >= this.entries.length
    const manyGone = this.entries.length - this.head > 2 * this.bySid.size + 1024
    if (!frontConsumed && !manyGone) return
    this.entries = this.entries.slice(this.head).filter((e) => !e.gone)
    this.head = 0
  }

  /** Sessions from sequence number `from` (0: the oldest remembered), at most `limit`, oldest first. */
  page(from = 0, limit = MAX_REPLAY_PAGE): TimelineReplayPage {
    const events: TimelineEvent[] = []
    // Binary search for the first entry at or after `from` (sequence numbers increase along the array).
    let lo = this.head
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.entries[mid]?.seq ?? Infinity) < from) lo = mid + 1
      else hi = mid
    }
    let i = lo
    let sessions = 0
    let bytes = 0
    for (; i < this.entries.length && sessions < limit && bytes < MAX_REPLAY_PAGE_BYTES; i++) {
      const entry = this.entries[i]
      if (!entry || entry.gone) continue
      sessions++
      events.push(entry.queued)
      bytes += EVENT_BYTES + entry.queued.url.length
      for (const e of entry.latest.values()) {
        events.push(e)
        bytes += EVENT_BYTES + ('headersBytes' in e ? e.headersBytes * 2 : 0)
      }
      if (entry.informational) events.push(...entry.informational)
      // The end comes last: the row takes no events after it. A job's state applies at any point.
      if (entry.terminal) events.push(entry.terminal)
      if (entry.job) events.push(entry.job)
    }
    // The next live entry, if any, is where the next page starts.
    while (i < this.entries.length && this.entries[i]?.gone) i++
    const after = this.entries[i]
    return { events, sessions, next: after ? after.seq : null, forgotten: this.forgottenCount }
  }
}
