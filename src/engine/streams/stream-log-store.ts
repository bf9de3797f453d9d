import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { processTempDir } from '../temp-files'
import { StreamLog } from './stream-log'

/**
 * Every stream session's log, and the memory they share: each log keeps its bytes in memory up to its own
 * share and the store's total, then spills to a temp file in the store's folder (made when a log first spills,
 * removed with the store).
 */

export interface StreamLogStoreOptions {
  tempDir?: string
  /** Bytes one log keeps in memory before spilling to its temp file. */
  memoryPerLog?: number
  /** Bytes all logs together keep in memory. */
  totalMemory?: number
  /** Entries one log records at most; later messages are counted (and still shown as ticks) but not kept. */
  maxEntries?: number
}

export class StreamLogStore {
  readonly maxEntries: number
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
    this.maxEntries = options.maxEntries ?? 20_000_000
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
