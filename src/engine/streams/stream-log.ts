import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { processTempDir } from '../temp-files'
import { join } from 'node:path'
import { isUtf8 } from 'node:buffer'
import type { StreamDirection, StreamMessageKind } from '../../shared/timeline'
import type { StreamEntry, StreamFilter, StreamPage } from '../../shared/streams'
import { replayEvents, type ReplayedEvent } from '../sse/sse-ids'

/**
 * The full message log of every stream session, kept by the engine (never pushed to the UI whole). Each log
 * keeps per-entry metadata in typed arrays (about 30 bytes an entry) and the entries' bytes in 1 MB memory
 * blocks; past its memory share the bytes spill to a temp file, so a session that receives a million messages
 * costs disk, not heap. Readers ask for a range of entries (optionally filtered), as the UI's windowed list
 * scrolls.
 *
 * SSE events are kept more cheaply still: the engine parses each network chunk (`SseLineParser`), and the
 * log keeps the text of the chunk's whole blocks once (not each event's strings: those die young) and indexes
 * the chunk's events as one group (their time, which text, which of its events the first is) plus a flag byte
 * each; an event's data, type, id and size are read back by parsing that text again with the same parser
 * (`holdEvents`, `holdBlocks`). Past the memory share, the texts go to the temp file like everything else.
 *
 * Disk I/O here is synchronous on purpose: writes go out in 1 MB batches (well under a millisecond to the page
 * cache) and reads are bounded by the page size a reader may ask for, so a reader always sees a consistent
 * log without a second, asynchronous copy of the tail.
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

const BLOCK = 1024 * 1024
const KINDS: readonly StreamMessageKind[] = [
  'event',
  'comment',
  'invalid',
  'line',
  'chunk',
  'text',
  'binary',
  'ping',
  'pong',
  'close',
]
/** A plain object, not a Map: looked up once per message. */
const KIND_CODE = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<StreamMessageKind, number>
/** Most entries one filtered read scans before answering (it says `complete: false` and resumes next call). */
const SCAN_PER_CALL = 250_000
/** Entry flags: the kind code in bits 0-3, then these. */
const OUT = 16
/**
 * The entry is an SSE event kept as the text its block came in (`holdEvents`): its group (see `groupSeq`) says
 * when it came, which of the log's blocks texts it is in and which event of that text it is.
 */
const HELD = 32
/** Blocks texts read back and parsed lately (a reader pages through neighbouring entries). */
const REPLAYS_KEPT = 4
/** Index entries per page (see `tPages`). */
const PAGE_BITS = 16
const PAGE = 1 << PAGE_BITS
const IN_PAGE = PAGE - 1
const SCAN_BUDGET_MS = 250

export interface AppendInput {
  t: number
  dir: StreamDirection
  kind: StreamMessageKind
  data: Buffer
  event?: string | undefined
  id?: string | undefined
  code?: number | undefined
}

/** Kinds whose bytes are text by definition (SSE fields, NDJSON lines, WebSocket text frames). */
const TEXT_KINDS = new Set<StreamMessageKind>(['event', 'comment', 'invalid', 'line', 'text', 'close'])
/** Kinds shown as text when their bytes happen to be UTF-8 (raw chunks, ping and pong payloads). */
const MAYBE_TEXT_KINDS = new Set<StreamMessageKind>(['chunk', 'ping', 'pong'])

export class StreamLog {
  private count = 0
  /** Entries the index has room for. */
  private capacity = 0
  // The index, a column per field, in pages of PAGE entries (the first page grows up to that by doubling), so
  // a growing log never copies its index. Every entry has its flags; the time, place and size of a record
  // (anything but a held SSE event) are kept only in pages that have some records, close codes only in pages
  // that have some: a log of SSE events costs a byte an event here, plus its groups.
  private tPages: (Float64Array | undefined)[] = []
  private offsetPages: (Float64Array | undefined)[] = []
  private lengthPages: (Uint32Array | undefined)[] = []
  /** Bytes of the message's data (the stored record also carries the event name and id). */
  private sizePages: (Uint32Array | undefined)[] = []
  /** kind code | OUT | HELD */
  private flagPages: Uint8Array[] = []
  /**
   * Held SSE events, in groups of consecutive seqs that came in one network chunk and are in one blocks text
   * (usually a group per chunk): the group's first seq, the time its events arrived, which blocks text they
   * are in, and which of that text's events the first one is. An event's group is the last one starting at or
   * before its seq.
   */
  private groupSeq = new Float64Array(0)
  private groupT = new Float64Array(0)
  private groupText = new Uint32Array(0)
  private groupOrdinal = new Uint32Array(0)
  private groups = 0
  /** The group found last (readers page through neighbouring entries). */
  private lastGroup = 0
  /** WebSocket close codes. */
  private codePages: (Uint16Array | undefined)[] = []
  /**
   * SSE events, kept as the text of their blocks: one text per network chunk that ended some (whole blocks,
   * from one blank line to another), in memory until the log's share is used up, then in the temp file
   * (`sseAt` there, `sseLength` bytes). Reading an event parses its text again (`replayEvents`, with the same
   * rules), with the last event id where the text starts (`sseIds`).
   */
  private sseTexts: (string | null)[] = []
  private sseIds: string[] = []
  private sseAt: number[] = []
  private sseLength: number[] = []
  /** Memory the blocks texts in memory take, as counted in the store. */
  private sseCounted = 0
  private replays: { c: number; events: ReplayedEvent[] }[] = []
  /** Bytes recorded so far (memory + file). */
  private bytes = 0
  private blocks: Buffer[] = []
  /** Log byte offset where each memory block's first record starts. */
  private blockStarts: number[] = []
  private blockUsed = 0
  /** The last block holds one large record, or is a network chunk kept as it came, and takes no more. */
  private blockFull = false
  /** The file's bytes end here; bytes from `fileEnd` on are in `pending`. */
  private fd: number | null = null
  private filePath: string | null = null
  private fileEnd = 0
  private pending: Buffer[] = []
  private pendingBytes = 0
  private memoryHeld = 0
  /** Messages not recorded because the log was full. */
  dropped = 0
  private filter: FilterState | null = null
  private disposed = false

  constructor(
    readonly sid: string,
    private readonly store: StreamLogStore,
  ) {}

  get entries(): number {
    return this.count
  }

  get onDisk(): boolean {
    return this.fd !== null
  }

  /** Record one message; returns its seq, or -1 when the log is full (the message is counted as dropped). */
  append(input: AppendInput): number {
    if (this.disposed) return -1
    if (this.count >= this.store.maxEntries) {
      this.dropped++
      return -1
    }
    // Event names and ids are rare (SSE only); WebSocket messages encode with no allocation of their own.
    const event = input.event === undefined ? null : Buffer.from(input.event)
    const id = input.id === undefined ? null : Buffer.from(input.id)
    const len = recordLength(event, id, input.data)
    const i = this.index(
      input.t,
      this.bytes,
      len,
      input.data.length,
      KIND_CODE[input.kind] | (input.dir === 'out' ? OUT : 0),
    )
    if (input.code) this.codePage(i)[i & IN_PAGE] = input.code
    this.write(len, event, id, input.data)
    this.bytes += len
    return i
  }

  /**
   * Record a text message without first encoding it into a Buffer of its own: the strings are written as UTF-8
   * straight into the log's memory (this runs once per SSE event, comment or NDJSON line).
   */
  appendText(
    t: number,
    dir: StreamDirection,
    kind: StreamMessageKind,
    data: string,
    event?: string,
    id?: string,
  ): number {
    if (this.disposed) return -1
    if (this.count >= this.store.maxEntries) {
      this.dropped++
      return -1
    }
    const dataBytes = utf8Length(data)
    const evBytes = event === undefined ? 0 : Math.min(utf8Length(event), 0xfffe)
    const idBytes = id === undefined ? 0 : Math.min(utf8Length(id), 0xfffe)
    if ((event !== undefined && evBytes === 0xfffe) || (id !== undefined && idBytes === 0xfffe)) {
      // Absurdly long names or ids take the general path, which cuts them safely.
      return this.append({ t, dir, kind, data: Buffer.from(data), event, id })
    }
    const len = 4 + evBytes + idBytes + dataBytes
    const i = this.index(t, this.bytes, len, dataBytes, KIND_CODE[kind] | (dir === 'out' ? OUT : 0))
    const out = this.space(len)
    const at = this.reservedAt
    const ev = event === undefined ? 0xffff : evBytes
    out[at] = ev & 0xff
    out[at + 1] = ev >> 8
    if (event !== undefined) putString(out, at + 2, event, evBytes)
    const idn = id === undefined ? 0xffff : idBytes
    out[at + 2 + evBytes] = idn & 0xff
    out[at + 3 + evBytes] = idn >> 8
    if (id !== undefined) putString(out, at + 4 + evBytes, id, idBytes)
    putString(out, at + 4 + evBytes + idBytes, data, dataBytes)
    this.bytes += len
    if (this.pendingBytes >= BLOCK) this.flushPending()
    return i
  }

  /** Entries the log still takes (0 once it is full or disposed). */
  get room(): number {
    return this.disposed ? 0 : Math.max(0, this.store.maxEntries - this.count)
  }

  /** A message the log had no room for (its tick still shows it). */
  countDropped(): void {
    this.dropped++
  }

  /**
   * `count` SSE events that arrived at `t`, consecutive events of the network chunk being read from its
   * `ordinal`th: they take the next `count` seqs (the caller made sure of the `room`). Returns the first seq,
   * or -1 (nothing kept) when the log has no room. Only a group and a flag byte an event are written here: the
   * events are read back from the text of the chunk's blocks, given once the chunk is read (`holdBlocks`).
   */
  holdEvents(t: number, ordinal: number, count: number): number {
    if (count <= 0 || count > this.room) {
      this.dropped += Math.max(0, count)
      return -1
    }
    const first = this.count
    const end = first + count
    while (this.capacity < end) this.grow()
    for (let i = first; i < end;) {
      const p = i >>> PAGE_BITS
      const stop = Math.min(end, (p + 1) << PAGE_BITS)
      ;(this.flagPages[p] as Uint8Array).fill(KIND_CODE.event | HELD, i & IN_PAGE, ((stop - 1) & IN_PAGE) + 1)
      i = stop
    }
    if (this.groups === this.groupSeq.length) {
      const next = Math.max(64, this.groups * 2)
      this.groupSeq = grown(this.groupSeq, new Float64Array(next))
      this.groupT = grown(this.groupT, new Float64Array(next))
      this.groupText = grown(this.groupText, new Uint32Array(next))
      this.groupOrdinal = grown(this.groupOrdinal, new Uint32Array(next))
    }
    const g = this.groups++
    this.groupSeq[g] = first
    this.groupT[g] = t
    this.groupText[g] = this.sseTexts.length
    this.groupOrdinal[g] = ordinal
    this.count = end
    return first
  }

  /**
   * The text of the blocks the chunk just read ended (the events given to `holdEvents` since the last call, in
   * order), and the last event id where it starts; `ascii`: the text is known to be ASCII. Past the log's
   * memory share, the texts are written out to the temp file.
   */
  holdBlocks(text: string, startId: string, ascii: boolean): void {
    if (this.disposed) return
    this.sseTexts.push(text)
    this.sseIds.push(startId)
    this.sseAt.push(-1)
    this.sseLength.push(0)
    // Counted by length: a string of only Latin-1 characters takes a byte a character, any other two.
    const cost = ascii || !NON_LATIN1.test(text) ? text.length : text.length * 2
    if (this.store.mayKeep(this, cost)) this.sseCounted += cost
    else this.writeOutBlocks()
  }

  /**
   * As `holdBlocks`, for ASCII blocks: `head` (ASCII text) then the first `length` bytes of `chunk`, kept as
   * bytes among the log's own (copied into its memory blocks, off the JS heap, or to its temp file).
   */
  holdBlockBytes(head: string, chunk: Buffer, length: number, startId: string): void {
    if (this.disposed) return
    const len = head.length + length
    this.sseTexts.push(null)
    this.sseIds.push(startId)
    this.sseAt.push(this.bytes)
    this.sseLength.push(len)
    const out = this.space(len)
    const at = this.reservedAt
    if (head.length > 0) out.write(head, at, head.length, 'latin1')
    chunk.copy(out, at + head.length, 0, length)
    this.bytes += len
    if (this.pendingBytes >= BLOCK) this.flushPending()
  }

  /** Write the blocks texts in memory out to the temp file, as UTF-8, in order. */
  private writeOutBlocks(): void {
    if (this.fd === null) this.spill()
    for (let c = 0; c < this.sseTexts.length; c++) {
      const text = this.sseTexts[c]
      if (text === null || text === undefined) continue
      const bytes = Buffer.from(text)
      this.sseAt[c] = this.bytes
      this.sseLength[c] = bytes.length
      this.sseTexts[c] = null
      this.pending.push(bytes)
      this.pendingBytes += bytes.length
      this.bytes += bytes.length
      if (this.pendingBytes >= BLOCK) this.flushPending()
    }
    this.store.release(this.sseCounted)
    this.sseCounted = 0
  }

  /** The events of blocks text `c`, parsed again (the last few are kept). */
  private replayed(c: number): ReplayedEvent[] {
    for (const r of this.replays) if (r.c === c) return r.events
    const text = this.sseTexts[c] ?? this.bytesAt(this.sseAt[c] ?? 0, this.sseLength[c] ?? 0).toString()
    const events = replayEvents(text, this.sseIds[c] ?? '')
    this.replays.unshift({ c, events })
    if (this.replays.length > REPLAYS_KEPT) this.replays.pop()
    return events
  }

  /** Held entry `i` read back, or undefined when it is a record. */
  private held(i: number): ReplayedEvent | undefined {
    if (!(this.flagsAt(i) & HELD)) return undefined
    const g = this.groupOf(i)
    const c = this.groupText[g] ?? 0
    // An event of the chunk being read (its blocks are not given yet) reads as empty for now.
    if (c >= this.sseTexts.length) return { data: '', event: undefined, id: '' }
    const k = (this.groupOrdinal[g] ?? 0) + i - (this.groupSeq[g] ?? 0)
    return this.replayed(c)[k] ?? { data: '', event: undefined, id: '' }
  }

  /** The group of held entry `i`: the last one starting at or before it. */
  private groupOf(i: number): number {
    const seqs = this.groupSeq
    const n = this.groups
    const g = this.lastGroup
    if (g < n && (seqs[g] as number) <= i && (g + 1 === n || (seqs[g + 1] as number) > i)) return g
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((seqs[mid] as number) <= i) lo = mid
      else hi = mid - 1
    }
    this.lastGroup = lo
    return lo
  }

  /** True once the log takes no more entries (messages are then counted as dropped). */
  get full(): boolean {
    return this.disposed || this.count >= this.store.maxEntries
  }

  /** The log bytes from `start` (a view when they lie in one piece, else a copy; do not keep it). */
  private bytesAt(start: number, length: number): Buffer {
    if (length <= 0) return Buffer.alloc(0)
    if (this.fd === null) return this.memoryRange(start, length)
    if (start >= this.fileEnd) return this.pendingRange(start, length)
    if (start + length <= this.fileEnd) return this.fileRange(start, length)
    const head = this.fileEnd - start
    return Buffer.concat([this.fileRange(start, head), this.pendingRange(this.fileEnd, length - head)])
  }

  /** Bytes of entry `seq`'s data (`fallback` is its text, for an entry the log did not keep). */
  sizeOf(seq: number, fallback: string): number {
    return seq >= 0 ? this.sizeAt(seq) : Buffer.byteLength(fallback)
  }

  /** A new index entry for a record; returns its seq. */
  private index(t: number, offset: number, length: number, size: number, flags: number): number {
    if (this.count === this.capacity) this.grow()
    const i = this.count++
    const p = i >>> PAGE_BITS
    const j = i & IN_PAGE
    ;(this.flagPages[p] as Uint8Array)[j] = flags
    let tp = this.tPages[p]
    if (tp === undefined || tp.length <= j) tp = this.recordPages(p)
    tp[j] = t
    ;(this.offsetPages[p] as Float64Array)[j] = offset
    ;(this.lengthPages[p] as Uint32Array)[j] = length
    ;(this.sizePages[p] as Uint32Array)[j] = size
    return i
  }

  private grow(): void {
    if (this.capacity < PAGE) {
      const next = Math.max(1024, this.capacity * 2)
      this.flagPages[0] = grown(this.flagPages[0], new Uint8Array(next))
      this.capacity = next
      return
    }
    this.flagPages.push(new Uint8Array(PAGE))
    this.capacity += PAGE
  }

  /** Page `p`'s record columns, made (or grown, the first page, up to the capacity) for a record in it. */
  private recordPages(p: number): Float64Array {
    const size = p === 0 ? Math.min(this.capacity, PAGE) : PAGE
    const t = grown(this.tPages[p], new Float64Array(size))
    this.tPages[p] = t
    this.offsetPages[p] = grown(this.offsetPages[p], new Float64Array(size))
    this.lengthPages[p] = grown(this.lengthPages[p], new Uint32Array(size))
    this.sizePages[p] = grown(this.sizePages[p], new Uint32Array(size))
    return t
  }

  private codePage(i: number): Uint16Array {
    const p = i >>> PAGE_BITS
    const have = this.codePages[p]
    if (have !== undefined && have.length > (i & IN_PAGE)) return have
    const codes = grown(have, new Uint16Array(p === 0 ? Math.min(this.capacity, PAGE) : PAGE))
    this.codePages[p] = codes
    return codes
  }

  private tAt(i: number): number {
    return this.tPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private offsetAt(i: number): number {
    return this.offsetPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private lengthAt(i: number): number {
    return this.lengthPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private sizeAt(i: number): number {
    return this.sizePages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private flagsAt(i: number): number {
    return this.flagPages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private codeAt(i: number): number {
    return this.codePages[i >>> PAGE_BITS]?.[i & IN_PAGE] ?? 0
  }

  private write(len: number, event: Buffer | null, id: Buffer | null, data: Buffer): void {
    // Encoded straight into its place: the caller's buffer (often a view into a socket's) is copied once and
    // never kept.
    encodeInto(this.space(len), this.reservedAt, event, id, data)
    if (this.pendingBytes >= BLOCK) this.flushPending()
  }

  /**
   * Where the next `len` bytes of the log go, at `reservedAt` in the returned buffer: in memory while the store
   * lets this log keep them, else (spilling to the temp file first) a buffer queued for the file. The caller
   * fills it, then flushes once `pendingBytes` reaches a block.
   */
  private space(len: number): Buffer {
    if (this.fd === null && this.store.mayKeep(this, len)) {
      this.memoryHeld += len
      return this.reserve(len)
    }
    if (this.fd === null) this.spill()
    const out = Buffer.allocUnsafe(len)
    this.pending.push(out)
    this.pendingBytes += len
    this.reservedAt = 0
    return out
  }

  /** Where the last `reserve` or `space` put its room in the returned buffer (a field: no tuple per message). */
  private reservedAt = 0

  /** Room for a record of `len` bytes in memory: the current block, a new one, or (large) its own. */

  private reserve(len: number): Buffer {
    if (len >= BLOCK / 4) {
      const own = Buffer.allocUnsafe(len)
      this.blockStarts.push(this.bytes)
      this.blocks.push(own)
      this.blockUsed = len
      this.blockFull = true
      this.reservedAt = 0
      return own
    }
    let block = this.blocks[this.blocks.length - 1]
    if (!block || this.blockFull || this.blockUsed + len > block.length) {
      block = Buffer.allocUnsafe(BLOCK)
      this.blockStarts.push(this.bytes)
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
    this.filePath = join(this.store.dir(), `${this.sid}-${process.pid}.log`)
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
      const used = (this.blockStarts[b + 1] ?? this.bytes) - start
      writeSync(this.fd, block, 0, used, start)
    }
    this.fileEnd = this.bytes
    this.blocks = []
    this.blockStarts = []
    this.blockUsed = 0
    this.store.release(this.memoryHeld)
    this.memoryHeld = 0
  }

  private flushPending(): void {
    if (this.fd === null || this.pendingBytes === 0) return
    const buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending)
    writeSync(this.fd, buf, 0, buf.length, this.fileEnd)
    this.fileEnd += buf.length
    this.pending = []
    this.pendingBytes = 0
  }

  /** The stored bytes of entry `i` (a copy or a view; do not keep it past the next append). */
  private recordOf(i: number): Buffer {
    return this.bytesAt(this.offsetAt(i), this.lengthAt(i))
  }

  private fileRange(start: number, len: number): Buffer {
    const buf = Buffer.allocUnsafe(len)
    const n = readSync(this.fd as number, buf, 0, len, start)
    return buf.subarray(0, n)
  }

  /** Bytes in the unflushed tail (from `fileEnd` on). */
  private pendingRange(start: number, len: number): Buffer {
    let at = this.fileEnd
    let p = 0
    while (p < this.pending.length && start >= at + (this.pending[p] as Buffer).length) {
      at += (this.pending[p] as Buffer).length
      p++
    }
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
    const blockEnd = (this.blockStarts[lo + 1] ?? this.bytes) - (this.blockStarts[lo] ?? 0)
    if (at + len <= blockEnd) return block.subarray(at, at + len)
    // Raw bytes run on from one block into the next: copy the pieces together.
    const out = Buffer.allocUnsafe(len)
    let got = 0
    for (let b = lo; b < this.blocks.length && got < len; b++) {
      const from = b === lo ? at : 0
      const used = (this.blockStarts[b + 1] ?? this.bytes) - (this.blockStarts[b] ?? 0)
      got += (this.blocks[b] as Buffer).copy(out, got, from, Math.min(used, from + len - got))
    }
    return out.subarray(0, got)
  }

  memoryInUse(): number {
    return this.memoryHeld + this.sseCounted
  }

  /** One entry, its data cut to `maxData` bytes. */
  entry(i: number, maxData: number): StreamEntry | null {
    if (i < 0 || i >= this.count) return null
    const decoded = this.decoded(i)
    const flags = this.flagsAt(i)
    const kind = KINDS[flags & 15] ?? 'binary'
    const dir: StreamDirection = flags & OUT ? 'out' : 'in'
    // A held event's size is its data's, read back whole.
    const held = (flags & HELD) !== 0
    const size = held ? decoded.data.length : this.sizeAt(i)
    const data = decoded.data.subarray(0, Math.min(maxData, decoded.data.length))
    const text = TEXT_KINDS.has(kind) || (MAYBE_TEXT_KINDS.has(kind) && isUtf8(decoded.data))
    const cut = text ? data.subarray(0, utf8Boundary(data, data.length < decoded.data.length)) : data
    const out: StreamEntry = {
      seq: i,
      t: held ? (this.groupT[this.groupOf(i)] ?? 0) : this.tAt(i),
      dir,
      kind,
      size,
      encoding: text ? 'utf8' : 'base64',
      data: cut.toString(text ? 'utf8' : 'base64'),
      truncated: cut.length < size,
    }
    if (decoded.event !== undefined) out.event = decoded.event
    if (decoded.id !== undefined) out.id = decoded.id
    const code = this.codeAt(i)
    if (code !== 0) out.code = code
    return out
  }

  /**
   * The raw bytes of one message from `offset`, up to `length` bytes: a reader pages through a large message
   * by range (the message view, the CLI's `--json`). A record's range is read alone (not the whole record); a
   * held event's data is read back once and kept while its ranges are asked for in turn.
   */
  dataOf(i: number, offset: number, length: number): Buffer | null {
    if (i < 0 || i >= this.count) return null
    if (!(this.flagsAt(i) & HELD)) {
      const start = this.offsetAt(i)
      const size = this.sizeAt(i)
      const from = Math.min(Math.max(0, offset), size)
      const n = Math.max(0, Math.min(length, size - from))
      // The data is the record's last `size` bytes (after its type and id).
      return Buffer.from(this.bytesAt(start + this.lengthAt(i) - size + from, n))
    }
    if (this.lastData?.i !== i) this.lastData = { i, data: this.decoded(i).data }
    return Buffer.from(this.lastData.data.subarray(offset, offset + length))
  }

  /** The data of the held event read by range last. */
  private lastData: { i: number; data: Buffer } | null = null

  /** Entry `i`'s data, event type and id, from its record. */
  private decoded(i: number): Decoded {
    const held = this.held(i)
    if (held === undefined) return decodeRecord(this.recordOf(i))
    const out: Decoded = { data: Buffer.from(held.data), event: held.event ?? 'message' }
    if (held.id !== '') out.id = held.id
    return out
  }

  read(from: number, count: number, maxData: number, filter?: StreamFilter): StreamPage {
    if (!filter || isEmptyFilter(filter)) {
      const entries: StreamEntry[] = []
      const end = Math.min(this.count, from + count)
      for (let i = Math.max(0, from); i < end; i++) {
        const e = this.entry(i, maxData)
        if (e) entries.push(e)
      }
      return { total: this.count, complete: true, from, entries, dropped: this.dropped }
    }
    const key = JSON.stringify(filter)
    if (!this.filter || this.filter.key !== key) this.filter = makeFilterState(key, filter)
    const f = this.filter
    const deadline = performance.now() + SCAN_BUDGET_MS
    this.extendFilter(f, deadline)
    const entries: StreamEntry[] = []
    const end = Math.min(f.matches.length, from + count)
    for (let j = Math.max(0, from); j < end; j++) {
      const e = this.entry(f.matches[j] ?? -1, maxData)
      if (e) entries.push(e)
    }
    return {
      total: f.matches.length,
      complete: f.scanned >= this.count,
      from,
      entries,
      dropped: this.dropped,
    }
  }

  /** Scan entries the filter has not seen yet, within the per-call count and time budget. */
  private extendFilter(f: FilterState, deadline: number): void {
    const { needle, kinds, dir } = f
    const limit = Math.min(this.count, f.scanned + SCAN_PER_CALL)
    for (let i = f.scanned; i < limit; i++) {
      if ((i & 1023) === 0 && i > f.scanned && performance.now() > deadline) {
        f.scanned = i
        return
      }
      const flags = this.flagsAt(i)
      if (kinds && !kinds.has(KINDS[flags & 15] ?? 'binary')) continue
      if (dir && (flags & OUT ? 'out' : 'in') !== dir) continue
      if (needle && !this.contains(i, needle, f.needleText)) continue
      f.matches.push(i)
    }
    f.scanned = limit
  }

  /** Does entry `i` (its event type, id or data) contain the lower-cased `needle`, ignoring ASCII case? */
  private contains(i: number, needle: Buffer, needleText: string): boolean {
    const held = this.held(i)
    if (held !== undefined) {
      return (
        foldAscii(held.data).includes(needleText) ||
        foldAscii(held.event ?? 'message').includes(needleText) ||
        (held.id !== '' && foldAscii(held.id).includes(needleText))
      )
    }
    // The record's parts, not its length fields: a length byte can look like a letter.
    const buf = this.recordOf(i)
    const evLen = buf.readUInt16LE(0)
    const ev = evLen === 0xffff ? 0 : evLen
    const idLen = buf.readUInt16LE(2 + ev)
    const idn = idLen === 0xffff ? 0 : idLen
    return (
      containsFolded(buf.subarray(4 + ev + idn), needle) ||
      (ev > 0 && containsFolded(buf.subarray(2, 2 + ev), needle)) ||
      (idn > 0 && containsFolded(buf.subarray(4 + ev, 4 + ev + idn), needle))
    )
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.store.release(this.memoryHeld + this.sseCounted)
    this.memoryHeld = 0
    this.sseCounted = 0
    this.sseTexts = []
    this.groupSeq = new Float64Array(0)
    this.groups = 0
    this.replays = []
    this.lastData = null
    this.blocks = []
    this.pending = []
    this.filter = null
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
    if (this.filePath !== null) rmSync(this.filePath, { force: true })
    this.filePath = null
  }
}

export class StreamLogStore {
  readonly maxEntries: number
  private readonly memoryPerLog: number
  private readonly totalMemory: number
  private readonly baseDir: string
  private tempDir: string | null = null
  private used = 0
  private readonly logs = new Map<string, StreamLog>()

  constructor(options: StreamLogStoreOptions = {}) {
    this.memoryPerLog = options.memoryPerLog ?? 32 * 1024 * 1024
    this.totalMemory = options.totalMemory ?? 256 * 1024 * 1024
    this.maxEntries = options.maxEntries ?? 20_000_000
    this.baseDir = options.tempDir ?? processTempDir()
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
    this.tempDir ??= mkdtempSync(join(this.baseDir, 'flightdeck-streams-'))
    return this.tempDir
  }

  dispose(): void {
    for (const log of this.logs.values()) log.dispose()
    this.logs.clear()
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true })
    this.tempDir = null
  }
}

/** `into` holding `from`'s values first (`from` may be missing). */
function grown<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
  from: T | undefined,
  into: T,
): T {
  if (from) into.set(from)
  return into
}

// A record is: u16 event length, event bytes, u16 id length, id bytes, then the data. 0xffff marks "absent", so
// an empty event name or id survives the round trip; names and ids are cut at 65,534 bytes.
function recordLength(event: Buffer | null, id: Buffer | null, data: Buffer): number {
  return (
    4 + (event ? Math.min(event.length, 0xfffe) : 0) + (id ? Math.min(id.length, 0xfffe) : 0) + data.length
  )
}

function encodeInto(out: Buffer, at: number, event: Buffer | null, id: Buffer | null, data: Buffer): void {
  const ev = event ? Math.min(event.length, 0xfffe) : 0
  const idn = id ? Math.min(id.length, 0xfffe) : 0
  out.writeUInt16LE(event ? ev : 0xffff, at)
  if (event) event.copy(out, at + 2, 0, ev)
  out.writeUInt16LE(id ? idn : 0xffff, at + 2 + ev)
  if (id) id.copy(out, at + 4 + ev, 0, idn)
  data.copy(out, at + 4 + ev + idn)
}

interface Decoded {
  event?: string
  id?: string
  data: Buffer
}

function decodeRecord(buf: Buffer): Decoded {
  const evLen = buf.readUInt16LE(0)
  const ev = evLen === 0xffff ? 0 : evLen
  const idLen = buf.readUInt16LE(2 + ev)
  const idn = idLen === 0xffff ? 0 : idLen
  const out: Decoded = { data: buf.subarray(4 + ev + idn) }
  if (evLen !== 0xffff) out.event = buf.toString('utf8', 2, 2 + ev)
  if (idLen !== 0xffff) out.id = buf.toString('utf8', 4 + ev, 4 + ev + idn)
  return out
}

interface FilterState {
  key: string
  needle: Buffer | null
  /** The needle as text (held entries are searched as strings). */
  needleText: string
  kinds: Set<StreamMessageKind> | null
  dir: StreamDirection | undefined
  /** Entries examined so far; matches are seqs in order. */
  scanned: number
  matches: number[]
}

function makeFilterState(key: string, filter: StreamFilter): FilterState {
  return {
    key,
    needle: filter.text ? Buffer.from(filter.text.toLowerCase()) : null,
    needleText: filter.text ? filter.text.toLowerCase() : '',
    kinds: filter.kinds && filter.kinds.length > 0 ? new Set(filter.kinds) : null,
    dir: filter.dir,
    scanned: 0,
    matches: [],
  }
}

/**
 * UTF-8 length of a string. Short ASCII strings (most SSE fields) are measured and written in JS: a call into
 * Buffer's native code costs more than the loop for them, and this runs several times per event.
 */
const NATIVE_FROM = 256

function utf8Length(s: string): number {
  const n = s.length
  if (n > NATIVE_FROM) return Buffer.byteLength(s)
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s)
  return n
}

/** Write `s` (whose UTF-8 length is `bytes`) at `at`. */
function putString(out: Buffer, at: number, s: string, bytes: number): void {
  if (bytes === s.length && bytes <= NATIVE_FROM) {
    for (let i = 0; i < bytes; i++) out[at + i] = s.charCodeAt(i)
    return
  }
  out.write(s, at, bytes, 'utf8')
}

const NON_LATIN1 = /[\u0100-\uffff]/

/** ASCII letters lower-cased, the rest as it is (as the search of records folds bytes). */
function foldAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s
}

function isEmptyFilter(f: StreamFilter): boolean {
  return !f.text && !f.dir && !(f.kinds && f.kinds.length > 0)
}

/** ASCII case-insensitive search for a lower-cased needle (non-ASCII bytes must match exactly). */
function containsFolded(hay: Buffer, needle: Buffer): boolean {
  const n = needle.length
  if (n === 0) return true
  const first = needle[0] as number
  outer: for (let i = 0; i + n <= hay.length; i++) {
    if (lower(hay[i] as number) !== first) continue
    for (let j = 1; j < n; j++) if (lower(hay[i + j] as number) !== needle[j]) continue outer
    return true
  }
  return false
}

function lower(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b
}

/** Cut a cut-off UTF-8 prefix back to a character boundary (only when it was cut). */
function utf8Boundary(buf: Buffer, wasCut: boolean): number {
  if (!wasCut) return buf.length
  const n = buf.length
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buf[n - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}
