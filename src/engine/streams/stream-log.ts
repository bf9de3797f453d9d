import { isUtf8 } from 'node:buffer'
import { join } from 'node:path'
import type { StreamLogCut } from '../../shared/stream-log-cut'
import type { StreamEntry, StreamFilter, StreamPage } from '../../shared/streams'
import type { StreamDirection, StreamMessageKind } from '../../shared/timeline'
import type { ReplayedEvent } from '../sse/sse-ids'
import {
  HELD_GROUP_BYTES,
  HELD_INDEX_BYTES,
  RECORD_INDEX_BYTES,
  type StreamLogStore,
} from './stream-log-store'
import type { TopicMatcher } from './stream-log-topic'
import { LogBytes } from './stream-log-bytes'
import { HeldEvents } from './stream-log-held'
import { EntryIndex } from './stream-log-index'
import { HELD, KIND_CODE, KINDS, MAYBE_TEXT_KINDS, OUT, TEXT_KINDS } from './stream-log-kinds'
import {
  decodeRecord,
  encodeInto,
  putString,
  recordLength,
  utf8Boundary,
  utf8Length,
  type Decoded,
} from './stream-log-records'
import { LogFilter, type FilterableLog } from './stream-log-filter'
import { heldContains, isEmptyFilter, recordContains } from './stream-log-search'

/**
 * The full message log of every stream session, kept by the engine (never pushed to the UI whole). Each log
 * keeps per-entry metadata in typed arrays (about 30 bytes an entry) and the entries' bytes in 1 MB memory
 * blocks; past its memory share the bytes spill to a temp file, so a session that receives a million messages
 * costs disk, not heap. Readers ask for a range of entries (optionally filtered), as the UI's windowed list
 * scrolls.
 *
 * SSE events are kept more cheaply still, as the text of their blocks plus a flag byte each (`holdEvents`,
 * `holdBlocks`; stream-log-held.ts).
 *
 * Its other parts: the store of all logs and their memory (stream-log-store.ts), the entry index
 * (stream-log-index.ts), the bytes in memory or the temp file (stream-log-bytes.ts), the record format
 * (stream-log-records.ts), the kind and flag codes (stream-log-kinds.ts) and filtered reads (stream-log-filter.ts,
 * stream-log-search.ts).
 */

/** Bytes of a record's head read to match its name (most topics fit; a longer one is read again whole). */
const NAME_HEAD = 256

export interface AppendInput {
  t: number
  dir: StreamDirection
  kind: StreamMessageKind
  data: Buffer
  event?: string | undefined
  id?: string | undefined
  code?: number | undefined
}

export class StreamLog implements FilterableLog {
  /** Per-entry fields, in typed-array pages. */
  private readonly ix = new EntryIndex()
  /** SSE events kept as the text of their blocks (`holdEvents`, `holdBlocks`). */
  private readonly held: HeldEvents
  /** The records' and SSE texts' bytes, in memory blocks, then a temp file. */
  private readonly bytes: LogBytes
  /** Messages not recorded because the log was full. */
  dropped = 0
  /** Where and why the log stopped keeping messages; null while it keeps them. Once cut, it stays cut. */
  cut: StreamLogCut | null = null
  /** Index and message bytes this log took from the store's budget (given back on dispose). */
  private indexBytes = 0
  private keptBytes = 0
  /** Filtered reads, and the matches of the last filter read. */
  private readonly filter = new LogFilter(this)
  private disposed = false

  constructor(
    readonly sid: string,
    private readonly store: StreamLogStore,
  ) {
    const host = {
      mayKeep: (len: number) => store.mayKeep(this, len),
      release: (n: number) => store.release(n),
      spillPath: () => join(store.dir(), `${sid}-${process.pid}.log`),
    }
    this.bytes = new LogBytes(host)
    this.held = new HeldEvents(this.bytes, host)
  }

  get entries(): number {
    return this.ix.count
  }

  get onDisk(): boolean {
    return this.bytes.onDisk
  }

  /** Record one message; returns its seq, or -1 when the log is full (the message is counted as dropped). */
  append(input: AppendInput): number {
    if (this.disposed) return -1
    // Event names and ids are rare (SSE only); WebSocket messages encode with no allocation of their own.
    const event = input.event === undefined ? null : Buffer.from(input.event)
    const id = input.id === undefined ? null : Buffer.from(input.id)
    const len = recordLength(event, id, input.data)
    if (!this.admits(1, RECORD_INDEX_BYTES, len)) return -1
    const i = this.ix.add(
      input.t,
      this.bytes.size,
      len,
      input.data.length,
      KIND_CODE[input.kind] | (input.dir === 'out' ? OUT : 0),
    )
    if (input.code) this.ix.setCode(i, input.code)
    // Encoded straight into its place: the caller's buffer (often a view into a socket's) is copied once and
    // never kept.
    encodeInto(this.bytes.space(len), this.bytes.reservedAt, event, id, input.data)
    this.bytes.commit(len)
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
    const dataBytes = utf8Length(data)
    const evBytes = event === undefined ? 0 : Math.min(utf8Length(event), 0xfffe)
    const idBytes = id === undefined ? 0 : Math.min(utf8Length(id), 0xfffe)
    if ((event !== undefined && evBytes === 0xfffe) || (id !== undefined && idBytes === 0xfffe)) {
      // Absurdly long names or ids take the general path, which cuts them safely.
      return this.append({ t, dir, kind, data: Buffer.from(data), event, id })
    }
    const len = 4 + evBytes + idBytes + dataBytes
    if (!this.admits(1, RECORD_INDEX_BYTES, len)) return -1
    const i = this.ix.add(t, this.bytes.size, len, dataBytes, KIND_CODE[kind] | (dir === 'out' ? OUT : 0))
    const out = this.bytes.space(len)
    const at = this.bytes.reservedAt
    const ev = event === undefined ? 0xffff : evBytes
    out[at] = ev & 0xff
    out[at + 1] = ev >> 8
    if (event !== undefined) putString(out, at + 2, event, evBytes)
    const idn = id === undefined ? 0xffff : idBytes
    out[at + 2 + evBytes] = idn & 0xff
    out[at + 3 + evBytes] = idn >> 8
    if (id !== undefined) putString(out, at + 4 + evBytes, id, idBytes)
    putString(out, at + 4 + evBytes + idBytes, data, dataBytes)
    this.bytes.commit(len)
    return i
  }

  /**
   * Record a message with a name and an id (an MQTT message's topic and delivery) whose data is bytes already:
   * the bytes are copied straight into the log, never decoded to a string, and the name's and id's bytes are
   * encoded once while they repeat (a flood of one topic encodes its name once).
   */
  appendNamed(
    t: number,
    dir: StreamDirection,
    kind: StreamMessageKind,
    event: string,
    id: string,
    data: Buffer,
  ): number {
    if (this.disposed) return -1
    if (event !== this.lastName || id !== this.lastId) {
      // The record's head (name and id, each after its 2-byte length), made once while they repeat: one copy a
      // message for it, not two (a typed array's set costs more to call than a few dozen bytes take to copy).
      const ev = event === this.lastName ? this.lastNameBytes : Buffer.from(event).subarray(0, 0xfffe)
      const idb = id === this.lastId ? this.lastIdBytes : Buffer.from(id).subarray(0, 0xfffe)
      this.lastName = event
      this.lastNameBytes = ev
      this.lastId = id
      this.lastIdBytes = idb
      const head = Buffer.allocUnsafe(4 + ev.length + idb.length)
      head.writeUInt16LE(ev.length, 0)
      head.set(ev, 2)
      head.writeUInt16LE(idb.length, 2 + ev.length)
      head.set(idb, 4 + ev.length)
      this.lastHead = head
    }
    const head = this.lastHead
    const len = head.length + data.length
    if (!this.admits(1, RECORD_INDEX_BYTES, len)) return -1
    const i = this.ix.add(t, this.bytes.size, len, data.length, KIND_CODE[kind] | (dir === 'out' ? OUT : 0))
    const out = this.bytes.space(len)
    const at = this.bytes.reservedAt
    out.set(head, at)
    out.set(data, at + head.length)
    this.bytes.commit(len)
    return i
  }

  /** The name and id `appendNamed` encoded last, their bytes, and the record head made of them. */
  private lastName = ''
  private lastNameBytes = Buffer.alloc(0)
  private lastId = ''
  private lastIdBytes = Buffer.alloc(0)
  private lastHead = Buffer.from([0, 0, 0, 0])

  /**
   * Whether the log keeps `n` more entries costing `index` bytes of index and `kept` bytes of messages: they
   * are taken from the store's budget if so; if not, the log is cut here, for good, and the `n` are counted as
   * dropped.
   */
  private admits(n: number, index: number, kept: number): boolean {
    if (this.cut === null) {
      const cut = this.store.cutFor(this.ix.count, n, index, kept)
      if (cut === null) {
        this.store.take(index, kept)
        this.indexBytes += index
        this.keptBytes += kept
        return true
      }
      this.cut = cut
    }
    this.dropped += n
    return false
  }

  /** Message bytes kept for entries already indexed (a held chunk's blocks text), taken without a check. */
  private keep(kept: number): void {
    this.store.take(0, kept)
    this.keptBytes += kept
  }

  /** Held SSE events the log still takes in one group (0 once it is cut or disposed). */
  get room(): number {
    if (this.disposed || this.cut !== null) return 0
    const own = this.store.maxEntries - this.ix.count
    return Math.max(0, Math.min(own, this.store.roomFor(HELD_INDEX_BYTES, HELD_GROUP_BYTES)))
  }

  /** A message the log had no room for (its tick still shows it): the log is cut here if it was not yet. */
  countDropped(): void {
    if (this.disposed) return
    if (this.cut === null)
      this.cut = this.store.cutFor(this.ix.count, 1, HELD_INDEX_BYTES + HELD_GROUP_BYTES, 0) ?? {
        reason: 'entries',
        limit: this.store.maxEntries,
        at: this.ix.count,
      }
    this.dropped++
  }

  /**
   * `count` SSE events that arrived at `t`, consecutive events of the network chunk being read from its
   * `ordinal`th: they take the next `count` seqs (the caller made sure of the `room`). Returns the first seq,
   * or -1 (nothing kept) when the log has no room. Only a group and a flag byte an event are written here: the
   * events are read back from the text of the chunk's blocks, given once the chunk is read (`holdBlocks`).
   */
  holdEvents(t: number, ordinal: number, count: number): number {
    if (this.disposed || count <= 0) return -1
    if (!this.admits(count, count * HELD_INDEX_BYTES + HELD_GROUP_BYTES, 0)) return -1
    const first = this.ix.addFlagged(count, KIND_CODE.event | HELD)
    this.held.group(first, t, ordinal)
    return first
  }

  /**
   * The text of the blocks the chunk just read ended (the events given to `holdEvents` since the last call, in
   * order), and the last event id where it starts; `ascii`: the text is known to be ASCII. Past the log's
   * memory share, the texts are written out to the temp file.
   */
  holdBlocks(text: string, startId: string, ascii: boolean): void {
    if (this.disposed) return
    this.keep(text.length)
    this.held.holdBlocks(text, startId, ascii)
  }

  /**
   * As `holdBlocks`, for ASCII blocks: `head` (ASCII text) then the first `length` bytes of `chunk`, kept as
   * bytes among the log's own (copied into its memory blocks, off the JS heap, or to its temp file).
   */
  holdBlockBytes(head: string, chunk: Buffer, length: number, startId: string): void {
    if (this.disposed) return
    this.keep(head.length + length)
    this.held.holdBlockBytes(head, chunk, length, startId)
  }

  /** Held entry `i` read back, or undefined when it is a record. */
  private heldAt(i: number): ReplayedEvent | undefined {
    return this.ix.flagsAt(i) & HELD ? this.held.event(i) : undefined
  }

  /** True once the log takes no more entries (messages are then counted as dropped). */
  get full(): boolean {
    return this.disposed || this.cut !== null || this.ix.count >= this.store.maxEntries
  }

  /** Bytes of entry `seq`'s data (`fallback` is its text, for an entry the log did not keep). */
  sizeOf(seq: number, fallback: string): number {
    return seq >= 0 ? this.ix.sizeAt(seq) : Buffer.byteLength(fallback)
  }

  /** The stored bytes of entry `i` (a copy or a view; do not keep it past the next append). */
  private recordOf(i: number): Buffer {
    return this.bytes.at(this.ix.offsetAt(i), this.ix.lengthAt(i))
  }

  memoryInUse(): number {
    return this.bytes.memoryHeld + this.held.counted
  }

  /** One entry, its data cut to `maxData` bytes. */
  entry(i: number, maxData: number): StreamEntry | null {
    if (i < 0 || i >= this.ix.count) return null
    const decoded = this.decoded(i)
    const flags = this.ix.flagsAt(i)
    const kind = KINDS[flags & 15] ?? 'binary'
    const dir: StreamDirection = flags & OUT ? 'out' : 'in'
    // A held event's size is its data's, read back whole.
    const held = (flags & HELD) !== 0
    const size = held ? decoded.data.length : this.ix.sizeAt(i)
    const data = decoded.data.subarray(0, Math.min(maxData, decoded.data.length))
    const text = TEXT_KINDS.has(kind) || (MAYBE_TEXT_KINDS.has(kind) && isUtf8(decoded.data))
    const cut = text ? data.subarray(0, utf8Boundary(data, data.length < decoded.data.length)) : data
    const out: StreamEntry = {
      seq: i,
      t: held ? this.held.timeOf(i) : this.ix.tAt(i),
      dir,
      kind,
      size,
      encoding: text ? 'utf8' : 'base64',
      data: cut.toString(text ? 'utf8' : 'base64'),
      truncated: cut.length < size,
    }
    if (decoded.event !== undefined) out.event = decoded.event
    if (decoded.id !== undefined) out.id = decoded.id
    const code = this.ix.codeAt(i)
    if (code !== 0) out.code = code
    return out
  }

  /**
   * The raw bytes of one message from `offset`, up to `length` bytes: a reader pages through a large message
   * by range (the message view, the CLI's `--json`). A record's range is read alone (not the whole record); a
   * held event's data is read back once and kept while its ranges are asked for in turn.
   */
  dataOf(i: number, offset: number, length: number): Buffer | null {
    if (i < 0 || i >= this.ix.count) return null
    if (!(this.ix.flagsAt(i) & HELD)) {
      const start = this.ix.offsetAt(i)
      const size = this.ix.sizeAt(i)
      const from = Math.min(Math.max(0, offset), size)
      const n = Math.max(0, Math.min(length, size - from))
      // The data is the record's last `size` bytes (after its type and id).
      return Buffer.from(this.bytes.at(start + this.ix.lengthAt(i) - size + from, n))
    }
    if (this.lastData?.i !== i) this.lastData = { i, data: this.decoded(i).data }
    return Buffer.from(this.lastData.data.subarray(offset, offset + length))
  }

  /** The data of the held event read by range last. */
  private lastData: { i: number; data: Buffer } | null = null

  /** Entry `i`'s data, event type and id, from its record. */
  private decoded(i: number): Decoded {
    const held = this.heldAt(i)
    if (held === undefined) return decodeRecord(this.recordOf(i))
    const out: Decoded = { data: Buffer.from(held.data), event: held.event ?? 'message' }
    if (held.id !== '') out.id = held.id
    return out
  }

  read(from: number, count: number, maxData: number, filter?: StreamFilter): StreamPage {
    if (filter && !isEmptyFilter(filter)) return this.filter.read(from, count, maxData, filter)
    const entries: StreamEntry[] = []
    const end = Math.min(this.ix.count, from + count)
    for (let i = Math.max(0, from); i < end; i++) {
      const e = this.entry(i, maxData)
      if (e) entries.push(e)
    }
    return { total: this.ix.count, complete: true, from, entries, ...this.cutFields() }
  }

  /** `read` for a command: a filtered read scans in slices with the event loop's turn between them. */
  async readSliced(from: number, count: number, maxData: number, filter?: StreamFilter): Promise<StreamPage> {
    if (!filter || isEmptyFilter(filter)) return this.read(from, count, maxData)
    return this.filter.readSliced(from, count, maxData, filter)
  }

  /** What a page says of the log's cut: the messages not kept, and where and why it was cut. */
  cutFields(): Pick<StreamPage, 'dropped' | 'cut'> {
    return this.cut === null ? { dropped: this.dropped } : { dropped: this.dropped, cut: this.cut }
  }

  // ---- FilterableLog: what a filtered read (stream-log-filter.ts) asks of the log. ----

  get live(): boolean {
    return !this.disposed
  }

  flagsAt(i: number): number {
    return this.ix.flagsAt(i)
  }

  /** Is entry `i` a message (not a control entry) whose name (an MQTT topic) matches the topic filter? */
  nameMatches(i: number, flags: number, topic: TopicMatcher): boolean {
    if ((flags & 15) === KIND_CODE.control) return false
    if (flags & HELD) {
      const name = Buffer.from(this.held.event(i).event ?? 'message')
      return topic.matches(name, 0, name.length)
    }
    // The name is at the record's head: read that, not the data (a spilled log reads it from its file).
    const at = this.ix.offsetAt(i)
    let head = this.bytes.at(at, Math.min(this.ix.lengthAt(i), NAME_HEAD))
    const evLen = head.readUInt16LE(0)
    if (evLen === 0xffff) return false
    if (2 + evLen > head.length) head = this.bytes.at(at, 2 + evLen)
    return topic.matches(head, 2, 2 + evLen)
  }

  /** Does entry `i` (its event type, id or data) contain the lower-cased `needle`, ignoring ASCII case? */
  contains(i: number, needle: Buffer, needleText: string): boolean {
    const held = this.heldAt(i)
    return held !== undefined ? heldContains(held, needleText) : recordContains(this.recordOf(i), needle)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.store.release(this.bytes.memoryHeld + this.held.counted)
    this.store.take(-this.indexBytes, -this.keptBytes)
    this.indexBytes = 0
    this.keptBytes = 0
    this.bytes.memoryHeld = 0
    this.held.dispose()
    this.lastData = null
    this.filter.clear()
    this.bytes.dispose()
  }
}
