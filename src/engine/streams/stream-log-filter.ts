import type { StreamEntry, StreamFilter, StreamPage } from '../../shared/streams'
import { KINDS, OUT } from './stream-log-kinds'
import { makeFilterState, scanInSlices, SCAN_BUDGET_MS, type FilterState } from './stream-log-search'
import type { TopicMatcher } from './stream-log-topic'

/**
 * Most entries one filtered read scans before answering: it says `complete: false` and how far it got
 * (`scanned`), and the next read of the same filter goes on from there.
 */
export const DEFAULT_SCAN_PER_READ = 250_000

/** What a filtered read asks of its log (stream-log.ts). */
export interface FilterableLog {
  readonly entries: number
  /** The page's `dropped` and `cut`: what the log did not keep. */
  cutFields(): Pick<StreamPage, 'dropped' | 'cut'>
  /** Whether the log is still kept (a disposed log's scan stops). */
  readonly live: boolean
  flagsAt(i: number): number
  entry(i: number, maxData: number): StreamEntry | null
  /** Is entry `i` a message whose name (an MQTT topic) matches `topic`? */
  nameMatches(i: number, flags: number, topic: TopicMatcher): boolean
  /** Does entry `i` (its event type, id or data) contain the lower-cased `needle`, ignoring ASCII case? */
  contains(i: number, needle: Buffer, needleText: string): boolean
}

/**
 * A log's filtered reads: the entries that match a filter (kinds, direction, topic, text), found by a scan
 * that goes on from where the last read of the same filter stopped, within a time budget a read, and pages
 * of them. One filter's matches are kept; another filter starts a new scan.
 */
export class LogFilter {
  private state: FilterState | null = null

  constructor(
    private readonly log: FilterableLog,
    /** Entries one read scans at most (StreamLogStoreOptions.scanPerRead). */
    private readonly scanPerRead = DEFAULT_SCAN_PER_READ,
  ) {}

  /** A page of the entries matching `filter`, after scanning on for at most SCAN_BUDGET_MS. */
  read(from: number, count: number, maxData: number, filter: StreamFilter): StreamPage {
    const f = this.stateFor(filter)
    this.extend(f, performance.now() + SCAN_BUDGET_MS, f.scanned + this.scanPerRead)
    return this.page(f, from, count, maxData)
  }

  /**
   * `read` for a command: the scan goes in short slices with the event loop's turn between them
   * (stream-log-search.ts), so traffic and other commands flow while it searches; same answer as `read`.
   */
  async readSliced(from: number, count: number, maxData: number, filter: StreamFilter): Promise<StreamPage> {
    const f = this.stateFor(filter)
    const limit = f.scanned + this.scanPerRead
    await scanInSlices(
      (deadline) => this.extend(f, deadline, limit),
      () => this.log.live,
    )
    return this.page(f, from, count, maxData)
  }

  clear(): void {
    this.state = null
  }

  private stateFor(filter: StreamFilter): FilterState {
    const key = JSON.stringify(filter)
    if (!this.state || this.state.key !== key) this.state = makeFilterState(key, filter)
    return this.state
  }

  private page(f: FilterState, from: number, count: number, maxData: number): StreamPage {
    const entries: StreamEntry[] = []
    const end = Math.min(f.matches.length, from + count)
    for (let j = Math.max(0, from); j < end; j++) {
      const e = this.log.entry(f.matches[j] ?? -1, maxData)
      if (e) entries.push(e)
    }
    return {
      total: f.matches.length,
      complete: f.scanned >= this.log.entries,
      scanned: f.scanned,
      from,
      entries,
      ...this.log.cutFields(),
    }
  }

  /**
   * Scan entries the filter has not seen yet, up to entry `limit` and until `deadline` (looked at every few
   * entries, so a slice overruns by a few entries at most). True when it scanned all it may.
   */
  private extend(f: FilterState, deadline: number, limit: number): boolean {
    const { needle, kinds, dir, topic } = f
    const log = this.log
    const end = Math.min(log.entries, limit)
    // A text search costs at least a few hundred ns an entry (a clock read is ~50): look at the clock often.
    const every = needle ? 3 : topic ? 31 : 255
    for (let i = f.scanned; i < end; i++) {
      if ((i & every) === 0 && i > f.scanned && performance.now() > deadline) {
        f.scanned = i
        return false
      }
      const flags = log.flagsAt(i)
      if (kinds && !kinds.has(KINDS[flags & 15] ?? 'binary')) continue
      if (dir && (flags & OUT ? 'out' : 'in') !== dir) continue
      if (topic && !log.nameMatches(i, flags, topic)) continue
      if (needle && !log.contains(i, needle, f.needleText)) continue
      f.matches.push(i)
    }
    f.scanned = Math.max(f.scanned, end)
    return true
  }
}
