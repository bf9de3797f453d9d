import { join } from 'node:path'
import type { StreamLogCut } from '../../shared/stream-log-cut'
import type { StreamEntry, StreamFilter, StreamPage } from '../../shared/streams'
import type { StreamDirection, StreamMessageKind } from '../../shared/timeline'
import {
  HELD_GROUP_BYTES,
  HELD_INDEX_BYTES,
  PACKET_GROUP_BYTES,
  RECORD_INDEX_BYTES,
  type StreamLogStore,
} from './stream-log-store'
import type { TopicMatcher } from './stream-log-topic'
import { LogBytes } from './stream-log-bytes'
import { HeldEvents } from './stream-log-held'
import { HeldPackets } from './stream-log-packets'
import { EntryIndex } from './stream-log-index'
import { LogEntries } from './stream-log-entries'
import { HELD, KIND_CODE, OUT, PACKET } from './stream-log-kinds'
import { encodeInto, putString, RecordHeads, recordLength, utf8Length } from './stream-log-records'
import { LogFilter, type FilterableLog } from './stream-log-filter'
import { isEmptyFilter } from './stream-log-search'

/**
 * The full message log of every stream session, kept by the engine (never pushed to the UI whole). Each log
 * keeps per-entry metadata in typed arrays (about 30 bytes an entry) and the entries' bytes in 1 MB memory
 * blocks; past its memory share the bytes spill to a temp file, so a session that receives a million messages
 * costs disk, not heap. Readers ask for a range of entries (optionally filtered), as the UI's windowed list
 * scrolls.
 *
 * SSE events are kept more cheaply still, as the text of their blocks plus a flag byte each (`holdEvents`,
 * `holdBlocks`; stream-log-held.ts), and MQTT messages as the packets they came in, among the connection's bytes
 * kept as they were read (`holdSlice`, `appendPacket`; stream-log-packets.ts).
 *
 * Its other parts: the store of all logs and their memory (stream-log-store.ts), the entry index
 * (stream-log-index.ts), the bytes in memory or the temp file (stream-log-bytes.ts), the record format
 * (stream-log-records.ts), the kind and flag codes (stream-log-kinds.ts), entries read back
 * (stream-log-entries.ts) and filtered reads (stream-log-filter.ts, stream-log-search.ts).
 */

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
  /** Messages kept as the packets they came in (`holdSlice`, `appendPacket`). */
  private readonly packets: HeldPackets
  /** The records' and SSE texts' bytes, in memory blocks, then a temp file. */
  private readonly bytes: LogBytes
  /** The entries read back. */
  private readonly reader: LogEntries
  /** Messages not recorded because the log was full. */
  dropped = 0
  /** Where and why the log stopped keeping messages; null while it keeps them. Once cut, it stays cut. */
  cut: StreamLogCut | null = null
  /** Index and message bytes this log took from the store's budget (given back on dispose). */
  private indexBytes = 0
  private keptBytes = 0
  /** Filtered reads, and the matches of the last filter read. */
  private readonly filter: LogFilter
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
    this.packets = new HeldPackets(this.bytes)
    this.reader = new LogEntries(this.ix, this.held, this.packets, this.bytes)
    this.filter = new LogFilter(this, store.scanPerRead)
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
    const head = this.heads.of(event, id)
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

  /**
   * The bytes of the connection a message reader is handed next (MQTT's paced slices), kept in the log as they
   * are: a message parsed from them is then recorded where it lies (`appendPacket`), not copied again.
   */
  holdSlice(slice: Buffer): void {
    if (this.full) return
    const at = this.bytes.size
    this.keep(slice.length)
    slice.copy(this.bytes.space(slice.length), this.bytes.reservedAt)
    this.bytes.commit(slice.length)
    this.packets.slice(slice, at)
  }

  /**
   * As `appendNamed`, for an incoming message parsed from the slices `holdSlice` kept (`payload` the last bytes
   * of a packet of `remaining` bytes after its head): indexed by where its packet lies, a flag byte and a share
   * of its group. A message not found whole in a kept slice is recorded as `appendNamed` does.
   */
  appendPacket(
    t: number,
    kind: StreamMessageKind,
    event: string,
    id: string,
    payload: Buffer,
    remaining: number,
  ): number {
    const at = this.disposed ? -1 : this.packets.locate(payload, remaining)
    if (at < 0) return this.appendNamed(t, 'in', kind, event, id, payload)
    const seq = this.ix.count
    const continues = this.packets.continues(seq, t, at, id)
    if (!this.admits(1, HELD_INDEX_BYTES + (continues ? 0 : PACKET_GROUP_BYTES), 0)) return -1
    this.ix.addFlag(KIND_CODE[kind] | PACKET)
    this.packets.held(seq, t, at, this.packets.locatedLength, id, continues)
    return seq
  }

  /** The record head `appendNamed` made last, kept while its name and id repeat. */
  private readonly heads = new RecordHeads()

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

  /** True once the log takes no more entries (messages are then counted as dropped). */
  get full(): boolean {
    return this.disposed || this.cut !== null || this.ix.count >= this.store.maxEntries
  }

  /** Bytes of entry `seq`'s data (`fallback` is its text, for an entry the log did not keep). */
  sizeOf(seq: number, fallback: string): number {
    if (seq < 0) return Buffer.byteLength(fallback)
    return this.ix.flagsAt(seq) & PACKET ? this.packets.partsOf(seq).payloadBytes : this.ix.sizeAt(seq)
  }

  memoryInUse(): number {
    return this.bytes.memoryHeld + this.held.counted
  }

  /** One entry, its data cut to `maxData` bytes. */
  entry(i: number, maxData: number): StreamEntry | null {
    return this.reader.entry(i, maxData)
  }

  /** The raw bytes of one message from `offset`, up to `length` bytes (a reader pages a large message). */
  dataOf(i: number, offset: number, length: number): Buffer | null {
    return this.reader.dataOf(i, offset, length)
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

  nameMatches(i: number, flags: number, topic: TopicMatcher): boolean {
    return this.reader.nameMatches(i, flags, topic)
  }

  contains(i: number, needle: Buffer, needleText: string): boolean {
    return this.reader.contains(i, needle, needleText)
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
    this.packets.dispose()
    this.reader.clear()
    this.filter.clear()
    this.bytes.dispose()
  }
}
