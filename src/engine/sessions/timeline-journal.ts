import type { QueuedEvent, ScriptEvent, TimelineEvent } from '../../shared/timeline'
import { MAX_KEPT_INFORMATIONAL } from '../../shared/timeline'
import { countMessages, emptyTally, messagesIn, type StreamTally } from '../../shared/stream-tally'
import { MAX_REPLAY_PAGE, type TimelineReplayPage } from '../../shared/workspace-schemas'
import { DEFAULT_RECORD_LIMIT } from './session-records'

/**
 * What the timeline needs to draw its rows again after the page reloads (the browser host), every session
 * kind included: per session its `queued` event and the latest event of each other kind, as the renderer's
 * rows keep them (apply-batch.ts). Replaying them in order rebuilds each row with its phases, status and end;
 * bodies stay in the engine, readable by id as before.
 *
 * Bounded like the rows: the newest DEFAULT_RECORD_LIMIT sessions, each a handful of events it already holds
 * (no copies). Stream messages are kept as their latest one only, so a restored stream row ends where it did;
 * its lane's earlier ticks come from the session's log, which the page reads by id after a reload
 * (renderer/streams/lane-restore.ts); what its lane counts (messages in
 * and out, bytes, not kept) comes back whole, as the session's tally (shared/stream-tally.ts): the journal
 * numbers every message event it records (`ordinal`) and counts it, so a page that gets both the tally and
 * live events of the same messages counts each once. A stream's connection attempts are
 * kept as a list (every `stream-open`, `stream-closed` and `retry`, see Lifecycle), so its message log's
 * reconnect separators and its Handshake tab's attempts come back too.
 */
/**
 * A page stops past about this many bytes of JSON (at least one session a page), so a page of sessions with
 * large headers stays far under what a transport carries in one message (the browser host's socket).
 */
export const MAX_REPLAY_PAGE_BYTES = 8 * 1024 * 1024
/** A rough JSON size of an event without headers; headers count twice their wire size (quoting, arrays). */
const EVENT_BYTES = 300

/**
 * Lifecycle events one stream session keeps: about the newest 200 connection attempts (an open, a close and a
 * retry each). Older ones are dropped whole attempts at a time; the attempts kept carry their numbers, so the
 * renderer can say how many came before.
 */
export const MAX_LIFECYCLE_EVENTS = 600
/**
 * Lifecycle events kept over all sessions (about 20 MB at most). Past it the session whose list is oldest
 * gives it up and keeps only its latest event of each kind, as every other kind is kept.
 */
export const MAX_LIFECYCLE_TOTAL = 60_000
const LIFECYCLE_TYPES: ReadonlySet<string> = new Set(['stream-open', 'stream-closed', 'retry'])

/**
 * One session's rows. Every field is set when the entry is made (none added later), and the latest events are a
 * short array, not a Map: an entry is kept for each of the last 20,000 sessions, and a Map's table (~300 bytes)
 * or fields added after creation (an out-of-object property array) were most of what each one cost the heap.
 */
interface Entry {
  seq: number
  queued: QueuedEvent
  /** Latest event per kind, in the order each kind first arrived (phases come out in their order); a
   * session has a handful of kinds, so a scan finds a kind's slot. */
  latest: TimelineEvent[]
  /** Interim responses: the first MAX_KEPT_INFORMATIONAL with headers and the latest count. */
  informational: TimelineEvent[] | undefined
  terminal: TimelineEvent | undefined
  job: TimelineEvent | undefined
  /** The stream's lifecycle events, oldest first (while present, they replace the latest of their kinds). */
  lifecycle: TimelineEvent[] | undefined
  /** A stream's message counts, from its first message on. */
  tally: StreamTally | undefined
  /** Cleared from the timeline by the person: not replayed, dropped from the array at its next compaction. */
  gone: boolean
}

export class TimelineJournal {
  /** Arrival order (sequence numbers increase along it); entries before `head` were evicted. */
  private entries: (Entry | undefined)[] = []
  private head = 0
  private readonly bySid = new Map<string, Entry>()
  private nextSeq = 0
  private forgottenCount = 0
  /** Entries in the order their lifecycle list began (the oldest gives it up first); from `lifecycleHead` on. */
  private lifecycleOrder: Entry[] = []
  private lifecycleHead = 0
  private lifecycleTotal = 0

  /**
   * `limit` 0: a journal that keeps nothing, for a host that never draws a timeline again (the CLI): its
   * `record` returns at once, so a long run neither pays for the entries nor keeps their events alive.
   */
  constructor(
    private readonly limit = DEFAULT_RECORD_LIMIT,
    /**
     * Called before a page is taken: the host's pending live events go out first (the event sink's flush), so
     * no live event merges messages from both sides of a tally.
     */
    private readonly beforePage: () => void = () => {},
  ) {}

  get size(): number {
    return this.bySid.size
  }

  record(e: TimelineEvent): void {
    if (this.limit === 0) return
    if (e.type === 'queued') {
      if (this.bySid.has(e.sid)) return
      const entry: Entry = {
        seq: this.nextSeq++,
        queued: e,
        latest: NO_EVENTS,
        informational: undefined,
        terminal: undefined,
        job: undefined,
        lifecycle: undefined,
        tally: undefined,
        gone: false,
      }
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
      case 'sse-event':
      case 'ws-message': {
        const tally = (entry.tally ??= emptyTally(e.sid))
        e.ordinal = tally.through
        tally.through += messagesIn(e)
        countMessages(tally, e)
        entry.latest = withLatest(entry.latest, e)
        return
      }
      case 'informational': {
        const list = (entry.informational ??= [])
        // The row keeps the first few with their headers and takes the count from the latest (a slot after them).
        if (list.length <= MAX_KEPT_INFORMATIONAL) list.push(e)
        else list[list.length - 1] = e
        return
      }
      default:
        entry.latest = withLatest(entry.latest, e)
        if (LIFECYCLE_TYPES.has(e.type)) this.recordLifecycle(entry, e)
    }
  }

  /** Lifecycle events kept over all sessions (for tests and the bound). */
  get lifecycleEvents(): number {
    return this.lifecycleTotal
  }

  private recordLifecycle(entry: Entry, e: TimelineEvent): void {
    let list = entry.lifecycle
    if (!list) {
      list = entry.lifecycle = []
      this.lifecycleOrder.push(entry)
    }
    list.push(e)
    this.lifecycleTotal++
    // Trimmed in steps of half the bound, so a long-lived stream costs O(1) a event, not a copy each time.
    if (list.length > MAX_LIFECYCLE_EVENTS * 1.5) {
      let cut = list.length - MAX_LIFECYCLE_EVENTS
      // Whole attempts go: the list starts again at a reconnect's `retry`.
      while (cut < list.length && list[cut]?.type !== 'retry') cut++
      if (cut >= list.length) cut = list.length - MAX_LIFECYCLE_EVENTS
      list.splice(0, cut)
      this.lifecycleTotal -= cut
    }
    while (this.lifecycleTotal > MAX_LIFECYCLE_TOTAL) if (!this.dropOldestLifecycle()) break
  }

  /** The oldest list goes (its session keeps the latest of each kind). False when none is left. */
  private dropOldestLifecycle(): boolean {
    while (this.lifecycleHead < this.lifecycleOrder.length) {
      const entry = this.lifecycleOrder[this.lifecycleHead++]
      // Entries evicted or cleared since gave theirs up already: skip them.
      const had = entry?.lifecycle !== undefined
      if (entry) this.dropLifecycle(entry)
      if (this.lifecycleHead >= 1024 && this.lifecycleHead * 2 >= this.lifecycleOrder.length) {
        this.lifecycleOrder = this.lifecycleOrder.slice(this.lifecycleHead)
        this.lifecycleHead = 0
      }
      if (had) return true
    }
    return false
  }

  private dropLifecycle(entry: Entry): void {
    if (!entry.lifecycle) return
    this.lifecycleTotal -= entry.lifecycle.length
    entry.lifecycle = undefined
  }

  /** Sessions the person cleared from the timeline: a reload does not bring them back. */
  forget(sids: readonly string[]): number {
    let n = 0
    for (const sid of sids) {
      const entry = this.bySid.get(sid)
      if (!entry) continue
      entry.gone = true
      this.dropLifecycle(entry)
      this.bySid.delete(sid)
      n++
    }
    this.compact()
    return n
  }

  private evictOldest(): void {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head]
      // The slot lets go of it now: an evicted entry and its events are not kept until the next compaction.
      this.entries[this.head++] = undefined
      if (entry && !entry.gone) {
        this.dropLifecycle(entry)
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
    this.entries = this.entries.slice(this.head).filter((e) => e !== undefined && !e.gone)
    this.head = 0
  }

  /** Sessions from sequence number `from` (0: the oldest remembered), at most `limit`, oldest first. */
  page(from = 0, limit = MAX_REPLAY_PAGE): TimelineReplayPage {
    this.beforePage()
    const events: TimelineEvent[] = []
    const tallies: StreamTally[] = []
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
      // A copy: the entry's tally keeps counting while the page is on its way.
      if (entry.tally) tallies.push({ ...entry.tally })
      bytes += EVENT_BYTES + entry.queued.url.length
      const lifecycle = entry.lifecycle
      for (const e of entry.latest) {
        // A stream's attempts come as their list, after the phases.
        if (lifecycle && LIFECYCLE_TYPES.has(e.type)) continue
        events.push(e)
        bytes += EVENT_BYTES + ('headersBytes' in e ? e.headersBytes * 2 : 0)
      }
      if (entry.informational) events.push(...entry.informational)
      if (lifecycle) {
        events.push(...lifecycle)
        bytes += lifecycle.length * EVENT_BYTES
      }
      // The end comes last: the row takes no events after it. A job's state applies at any point.
      if (entry.terminal) events.push(entry.terminal)
      if (entry.job) events.push(entry.job)
    }
    // The next live entry, if any, is where the next page starts.
    while (i < this.entries.length && this.entries[i]?.gone) i++
    const after = this.entries[i]
    return { events, tallies, sessions, next: after ? after.seq : null, forgotten: this.forgottenCount }
  }
}

/** An entry's `latest` before its first event: shared, never written (withLatest copies it). */
const NO_EVENTS: TimelineEvent[] = []

/**
 * `latest` with `e` in its kind's slot (replacing the previous event of that kind), or with a new slot at the end.
 * A script report's kind is its phase too: the row shows the pre-request and the post-response reports side by
 * side. A new kind makes a copy one longer: an array grown by push holds 17 slots or more, and these arrays are
 * kept for each of the last 20,000 sessions (most hold two to five events).
 */
function withLatest(latest: TimelineEvent[], e: TimelineEvent): TimelineEvent[] {
  const n = latest.length
  for (let i = 0; i < n; i++) {
    const had = latest[i] as TimelineEvent
    if (
      had.type === e.type &&
      (e.type !== 'script' || (had as ScriptEvent).report.phase === e.report.phase)
    ) {
      latest[i] = e
      return latest
    }
  }
  const grown = new Array<TimelineEvent>(n + 1)
  for (let i = 0; i < n; i++) grown[i] = latest[i] as TimelineEvent
  grown[n] = e
  return grown
}
