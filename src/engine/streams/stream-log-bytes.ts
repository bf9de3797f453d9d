import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs'

/**
 * A stream log's bytes: records and SSE block texts, one after another, addressed by their offset in the log.
 * They live in 1 MB memory blocks while the log's share of memory lasts, then in a temp file (what is in memory
 * is written out first, in order); writes to the file are batched a block at a time.
 *
 * Disk I/O here is synchronous on purpose: writes go out in 1 MB batches (well under a millisecond to the page
 * cache) and reads are bounded by the page size a reader may ask for, so a reader always sees a consistent
 * log without a second, asynchronous copy of the tail.
 */

export const BLOCK = 1024 * 1024
/** Bytes read from the temp file at once when a reader asks for a small range. */
const READ_AHEAD = 256 * 1024

export interface LogBytesHost {
  /** May the log keep `len` more bytes in memory? (Counted by the store when it says yes.) */
  mayKeep(len: number): boolean
  /** Memory given back to the store. */
  release(bytes: number): void
  /** The temp file to spill to. */
  spillPath(): string
}

export class LogBytes {
  /** Bytes recorded so far (memory + file): the next record's offset. */
  size = 0
  /** Memory the blocks take, as counted in the store. */
  memoryHeld = 0
  /** Where the last `space` put its room in the returned buffer (a field: no tuple per message). */
  reservedAt = 0
  private blocks: Buffer[] = []
  /** Log byte offset where each memory block's first record starts. */
  private blockStarts: number[] = []
  private blockUsed = 0
  /** The last block holds one large record, or is a network chunk kept as it came, and takes no more. */
  private blockFull = false
  private fd: number | null = null
  private filePath: string | null = null
  /** The file's bytes end here; bytes from `fileEnd` on are in `pending`. */
  private fileEnd = 0
  private pending: Buffer[] = []
  /** Where each pending piece starts in the log (a reader finds its piece by binary search, not a walk). */
  private pendingStarts: number[] = []
  private pendingBytes = 0

  constructor(private readonly host: LogBytesHost) {}

  get onDisk(): boolean {
    return this.fd !== null
  }

  /**
   * Where the next `len` bytes of the log go, at `reservedAt` in the returned buffer: in memory while the store
   * lets this log keep them, else (spilling to the temp file first) a buffer queued for the file. The caller
   * fills it, then calls `commit(len)`.
   */
  space(len: number): Buffer {
    if (this.fd === null && this.host.mayKeep(len)) {
      this.memoryHeld += len
      return this.reserve(len)
    }
    if (this.fd === null) this.spill()
    const out = Buffer.allocUnsafe(len)
    this.pendingStarts.push(this.fileEnd + this.pendingBytes)
    this.pending.push(out)
    this.pendingBytes += len
    this.reservedAt = 0
    return out
  }

  /** The `len` bytes given by `space` are written. */
  commit(len: number): void {
    this.size += len
    if (this.pendingBytes >= BLOCK) this.flushPending()
  }

  /** Append `bytes` to the file (spilling first); returns their offset. */
  queue(bytes: Buffer): number {
    if (this.fd === null) this.spill()
    const at = this.size
    this.pendingStarts.push(this.fileEnd + this.pendingBytes)
    this.pending.push(bytes)
    this.pendingBytes += bytes.length
    this.commit(bytes.length)
    return at
  }

  /** The log bytes from `start` (a view when they lie in one piece, else a copy; do not keep it). */
  at(start: number, length: number): Buffer {
    if (length <= 0) return Buffer.alloc(0)
    if (this.fd === null) return this.memoryRange(start, length)
    if (start >= this.fileEnd) return this.pendingRange(start, length)
    if (start + length <= this.fileEnd) return this.fileRange(start, length)
    const head = this.fileEnd - start
    return Buffer.concat([this.fileRange(start, head), this.pendingRange(this.fileEnd, length - head)])
  }

  dispose(): void {
    this.window = null
    this.blocks = []
    this.pending = []
    this.pendingStarts = []
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
    if (this.filePath !== null) rmSync(this.filePath, { force: true })
    this.filePath = null
  }

  /** Room for a record of `len` bytes in memory: the current block, a new one, or (large) its own. */
  private reserve(len: number): Buffer {
    if (len >= BLOCK / 4) {
      const own = Buffer.allocUnsafe(len)
      this.blockStarts.push(this.size)
      this.blocks.push(own)
      this.blockUsed = len
      this.blockFull = true
      this.reservedAt = 0
      return own
    }
    let block = this.blocks[this.blocks.length - 1]
    if (!block || this.blockFull || this.blockUsed + len > block.length) {
      block = Buffer.allocUnsafe(BLOCK)
      this.blockStarts.push(this.size)
      this.blocks.push(block)
      this.blockUsed = 0
      this.blockFull = false
    }
    const at = this.blockUsed
    this.blockUsed += len
    this.reservedAt = at
    return block
  }

  private spill(): void {
    this.filePath = this.host.spillPath()
    this.fd = openSync(this.filePath, 'w+')
    // The file is read and written through its descriptor only: take its name away at once, so nothing is
    // left behind however the session or the process ends (a cancel, a failure, a crash); the space returns
    // when the log is let go. Where an open file cannot be unlinked (Windows), dispose removes it.
    try {
      unlinkSync(this.filePath)
      this.filePath = null
    } catch {
      // Kept for dispose.
    }
    // Rewrite what is in memory, in order, then let the memory go. Records never straddle blocks, so each
    // block holds the bytes from its start to the next block's start.
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b] as Buffer
      const start = this.blockStarts[b] ?? 0
      const used = (this.blockStarts[b + 1] ?? this.size) - start
      writeSync(this.fd, block, 0, used, start)
    }
    this.fileEnd = this.size
    this.blocks = []
    this.blockStarts = []
    this.blockUsed = 0
    this.host.release(this.memoryHeld)
    this.memoryHeld = 0
  }

  private flushPending(): void {
    if (this.fd === null || this.pendingBytes === 0) return
    const buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending)
    writeSync(this.fd, buf, 0, buf.length, this.fileEnd)
    this.fileEnd += buf.length
    this.pending = []
    this.pendingStarts = []
    this.pendingBytes = 0
  }

  /**
   * File bytes from `start`. Small ranges are served from a window read ahead (a search or a page reads entry
   * after entry: one read of READ_AHEAD bytes instead of a read each). The file's bytes never change once
   * written, so the window never goes stale; a new window is a new buffer, so views given out stay intact.
   */
  private fileRange(start: number, len: number): Buffer {
    const w = this.window
    if (w !== null && start >= this.windowStart && start + len <= this.windowStart + w.length)
      return w.subarray(start - this.windowStart, start - this.windowStart + len)
    if (len > READ_AHEAD / 4) {
      const buf = Buffer.allocUnsafe(len)
      const n = readSync(this.fd as number, buf, 0, len, start)
      return buf.subarray(0, n)
    }
    const size = Math.min(READ_AHEAD, this.fileEnd - start)
    const buf = Buffer.allocUnsafe(Math.max(size, len))
    const n = readSync(this.fd as number, buf, 0, buf.length, start)
    this.window = buf.subarray(0, n)
    this.windowStart = start
    return buf.subarray(0, Math.min(n, len))
  }

  /** The file's bytes read ahead last, from `windowStart`. */
  private window: Buffer | null = null
  private windowStart = 0

  /** Bytes in the unflushed tail (from `fileEnd` on). */
  private pendingRange(start: number, len: number): Buffer {
    // The last piece starting at or before `start`.
    let p = 0
    let hi = this.pendingStarts.length - 1
    while (p < hi) {
      const mid = (p + hi + 1) >> 1
      if ((this.pendingStarts[mid] ?? 0) <= start) p = mid
      else hi = mid - 1
    }
    let at = this.pendingStarts[p] ?? this.fileEnd
    const first = this.pending[p]
    if (!first) return Buffer.alloc(0)
    if (start + len <= at + first.length) return first.subarray(start - at, start - at + len)
    const out = Buffer.allocUnsafe(len)
    let got = 0
    for (; p < this.pending.length && got < len; p++) {
      const piece = this.pending[p] as Buffer
      const from = Math.max(0, start + got - at)
      got += piece.copy(out, got, from, Math.min(piece.length, from + len - got))
      at += piece.length
    }
    return out.subarray(0, got)
  }

  private memoryRange(start: number, len: number): Buffer {
    // Binary search for the last block starting at or before `start`.
    let lo = 0
    let hi = this.blockStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.blockStarts[mid] ?? 0) <= start) lo = mid
      else hi = mid - 1
    }
    const block = this.blocks[lo]
    if (!block) return Buffer.alloc(0)
    const at = start - (this.blockStarts[lo] ?? 0)
    const blockEnd = (this.blockStarts[lo + 1] ?? this.size) - (this.blockStarts[lo] ?? 0)
    if (at + len <= blockEnd) return block.subarray(at, at + len)
    // Raw bytes run on from one block into the next: copy the pieces together.
    const out = Buffer.allocUnsafe(len)
    let got = 0
    for (let b = lo; b < this.blocks.length && got < len; b++) {
      const from = b === lo ? at : 0
      const used = (this.blockStarts[b + 1] ?? this.size) - (this.blockStarts[b] ?? 0)
      got += (this.blocks[b] as Buffer).copy(out, got, from, Math.min(used, from + len - got))
    }
    return out.subarray(0, got)
  }
}
