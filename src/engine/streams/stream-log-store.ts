import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { StreamLogCut } from '../../shared/stream-log-cut'
import { processTempDir } from '../temp-files'
import { StreamLog } from './stream-log'
import { DEFAULT_SCAN_PER_READ } from './stream-log-filter'

/**
 * Every stream session's log, and the memory and disk they share: each log keeps its bytes in memory up to its
 * own share and the store's total, then spills to a temp file in the store's folder (made when a log first
 * spills, removed with the store).
 *
 * Three limits cut a log, loudly (its `cut`, read with every page; stream-log-cut.ts words it): its own entries
 * (`maxEntries`), and across every log the store holds (live sessions and the ended ones still readable) the
 * bytes of their entry indexes (`maxIndexBytes`, memory) and of the messages they keep (`maxKeptBytes`, memory
 * and temp files). A log that reaches one keeps nothing more; the others go on until they reach one too, and
 * room a log let go frees is taken by logs not cut yet.
 */

/** Index bytes a record entry costs (time and place: 8 + 8, length and size: 4 + 4, flags: 1). */
export const RECORD_INDEX_BYTES = 25
/** Index bytes a held SSE event costs (its flags), and each group of them (time, text, first seq, ordinal). */
export const HELD_INDEX_BYTES = 1
export const HELD_GROUP_BYTES = 24
/** Index bytes a group of held packets costs (first seq, time, place: 8 each; its id's reference; MQTT 5 or not). */
export const PACKET_GROUP_BYTES = 32

export const DEFAULT_MAX_ENTRIES = 20_000_000
/** About 20,000,000 record entries' index: one session alone can still reach its entry limit. */
export const DEFAULT_MAX_INDEX_BYTES = 512 * 1024 * 1024
export const DEFAULT_MAX_KEPT_BYTES = 4 * 1024 * 1024 * 1024

export interface StreamLogStoreOptions {
  tempDir?: string
  /** Bytes one log keeps in memory before spilling to its temp file. */
  memoryPerLog?: number
  /** Bytes all logs together keep in memory. */
  totalMemory?: number
  /** Entries one log records at most; later messages are counted (and still shown as ticks) but not kept. */
  maxEntries?: number
  /** Bytes of entry index all logs together keep at most (memory). */
  maxIndexBytes?: number
  /** Bytes of messages all logs together keep at most (in memory and in their temp files). */
  maxKeptBytes?: number
  /**
   * Entries one filtered read scans at most before it answers `complete: false` (the next read goes on from
   * there); DEFAULT_SCAN_PER_READ unless given. A test gives a few, to reach a long search's pause on a small log.
   */
  scanPerRead?: number
}

export class StreamLogStore {
  readonly maxEntries: number
  readonly maxIndexBytes: number
  readonly maxKeptBytes: number
  readonly scanPerRead: number
  /** Index bytes and message bytes all logs hold now. */
  indexUsed = 0
  keptUsed = 0
  private readonly memoryPerLog: number
  private readonly totalMemory: number
  /** Where the logs' folder goes; this process's temp folder when not given, made when a log first spills. */
  private readonly baseDir: string | undefined
  private tempDir: string | null = null
  private used = 0
  private readonly logs = new Map<string, StreamLog>()

  constructor(options: StreamLogStoreOptions = {}) {
    this.memoryPerLog = options.memoryPerLog ?? 32 * 1024 * 1024
    this.totalMemory = options.totalMemory ?? 256 * 1024 * 1024
    this.maxEntries = options.maxEntries ?? entriesFromEnvironment() ?? DEFAULT_MAX_ENTRIES
    this.maxIndexBytes = options.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES
    this.maxKeptBytes = options.maxKeptBytes ?? DEFAULT_MAX_KEPT_BYTES
    this.scanPerRead = Math.max(1, Math.floor(options.scanPerRead ?? DEFAULT_SCAN_PER_READ))
    this.baseDir = options.tempDir
  }

  create(sid: string): StreamLog {
    const log = new StreamLog(sid, this)
    this.logs.set(sid, log)
    return log
  }

  get(sid: string): StreamLog | undefined {
    return this.logs.get(sid)
  }

  remove(sid: string): void {
    this.logs.get(sid)?.dispose()
    this.logs.delete(sid)
  }

  mayKeep(log: StreamLog, extra: number): boolean {
    if (this.used + extra > this.totalMemory) return false
    if (log.memoryInUse() + extra > this.memoryPerLog) return false
    this.used += extra
    return true
  }

  /**
   * The cut a log of `entries` entries would reach by keeping `adding` more costing `index` bytes of index and
   * `kept` bytes of messages, or null when it may (then the caller takes them: `take`). Entries of no bytes of
   * their own (SSE events, whose text comes after) are refused too once the message bytes are used up.
   */
  cutFor(entries: number, adding: number, index: number, kept: number): StreamLogCut | null {
    if (entries + adding > this.maxEntries) return { reason: 'entries', limit: this.maxEntries, at: entries }
    if (this.indexUsed + index > this.maxIndexBytes)
      return { reason: 'index', limit: this.maxIndexBytes, at: entries }
    if (this.keptUsed + Math.max(1, kept) > this.maxKeptBytes)
      return { reason: 'bytes', limit: this.maxKeptBytes, at: entries }
    return null
  }

  /** Index and message bytes a log took (`cutFor` said yes) or, negative, gave back. */
  take(index: number, kept: number): void {
    this.indexUsed += index
    this.keptUsed += kept
  }

  /**
   * Entries of `cost` index bytes each, in one group costing `fixed` more, the store still has index room for (0
   * once the message bytes are used up).
   */
  roomFor(cost: number, fixed: number): number {
    if (this.keptUsed + 1 > this.maxKeptBytes) return 0
    return Math.max(0, Math.floor((this.maxIndexBytes - this.indexUsed - fixed) / cost))
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }

  get memoryUsed(): number {
    return this.used
  }

  dir(): string {
    this.tempDir ??= mkdtempSync(join(this.baseDir ?? processTempDir(), 'flightdeck-streams-'))
    return this.tempDir
  }

  dispose(): void {
    for (const log of this.logs.values()) log.dispose()
    this.logs.clear()
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true })
    this.tempDir = null
  }
}

/**
 * FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: a smaller entry limit for every session of this process (a positive
 * integer), so a person or an end-to-end test sees a cut without twenty million messages. Anything else is
 * said once as a warning and the default kept.
 */
function entriesFromEnvironment(): number | undefined {
  const raw = process.env['FLIGHTDECK_STREAM_LOG_MAX_ENTRIES']
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (Number.isInteger(n) && n > 0 && n <= DEFAULT_MAX_ENTRIES) return n
  if (!warnedOfEnvironment) {
    warnedOfEnvironment = true
    process.emitWarning(
      `FLIGHTDECK_STREAM_LOG_MAX_ENTRIES must be a whole number from 1 to ${DEFAULT_MAX_ENTRIES}, not '${raw}': the default is kept`,
    )
  }
  return undefined
}

let warnedOfEnvironment = false
