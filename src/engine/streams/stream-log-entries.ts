import { isUtf8 } from 'node:buffer'
import type { StreamEntry } from '../../shared/streams'
import type { StreamDirection } from '../../shared/timeline'
import type { ReplayedEvent } from '../sse/sse-ids'
import type { LogBytes } from './stream-log-bytes'
import type { HeldEvents } from './stream-log-held'
import type { EntryIndex } from './stream-log-index'
import { HELD, KIND_CODE, KINDS, MAYBE_TEXT_KINDS, OUT, PACKET, TEXT_KINDS } from './stream-log-kinds'
import type { HeldPackets } from './stream-log-packets'
import { decodeRecord, utf8Boundary, type Decoded } from './stream-log-records'
import { heldContains, recordContains } from './stream-log-search'
import type { TopicMatcher } from './stream-log-topic'

/** Bytes of a record's head read to match its name (most topics fit; a longer one is read again whole). */
const NAME_HEAD = 256

/**
 * A stream log's entries read back (stream-log.ts writes them): one entry as a page shows it, a range of one
 * message's bytes, and what a filtered read asks of an entry (its name, its text). A record is read from the
 * log's bytes (in memory or its temp file), a held SSE event from the text of its blocks, a held packet from
 * where it lies among the connection's bytes, with its group's name and id.
 */
export class LogEntries {
  /** The data of the held event read by range last. */
  private lastData: { i: number; data: Buffer } | null = null

  constructor(
    private readonly ix: EntryIndex,
    private readonly held: HeldEvents,
    private readonly packets: HeldPackets,
    private readonly bytes: LogBytes,
  ) {}

  /** One entry, its data cut to `maxData` bytes. */
  entry(i: number, maxData: number): StreamEntry | null {
    if (i < 0 || i >= this.ix.count) return null
    const decoded = this.decoded(i)
    const flags = this.ix.flagsAt(i)
    const kind = KINDS[flags & 15] ?? 'binary'
    const dir: StreamDirection = flags & OUT ? 'out' : 'in'
    // A held event's size is its data's, read back whole.
    const held = (flags & HELD) !== 0
    const size = held || flags & PACKET ? decoded.data.length : this.ix.sizeAt(i)
    const data = decoded.data.subarray(0, Math.min(maxData, decoded.data.length))
    const text = TEXT_KINDS.has(kind) || (MAYBE_TEXT_KINDS.has(kind) && isUtf8(decoded.data))
    const cut = text ? data.subarray(0, utf8Boundary(data, data.length < decoded.data.length)) : data
    const out: StreamEntry = {
      seq: i,
      t: held ? this.held.timeOf(i) : flags & PACKET ? this.packets.timeOf(i) : this.ix.tAt(i),
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
    const flags = this.ix.flagsAt(i)
    if (!(flags & HELD)) {
      // The data is the record's last `size` bytes (after its type and id), or the held packet's payload.
      const packet = flags & PACKET ? this.packets.partsOf(i) : null
      const size = packet ? packet.payloadBytes : this.ix.sizeAt(i)
      const start = packet ? packet.payloadAt : this.ix.offsetAt(i) + this.ix.lengthAt(i) - size
      const from = Math.min(Math.max(0, offset), size)
      const n = Math.max(0, Math.min(length, size - from))
      return Buffer.from(this.bytes.at(start + from, n))
    }
    if (this.lastData?.i !== i) this.lastData = { i, data: this.decoded(i).data }
    return Buffer.from(this.lastData.data.subarray(offset, offset + length))
  }

  /** Is entry `i` a message (not a control entry) whose name (an MQTT topic) matches the topic filter? */
  nameMatches(i: number, flags: number, topic: TopicMatcher): boolean {
    if ((flags & 15) === KIND_CODE.control) return false
    if (flags & HELD) {
      const name = Buffer.from(this.held.event(i).event ?? 'message')
      return topic.matches(name, 0, name.length)
    }
    if (flags & PACKET) {
      const name = this.packets.topicOf(i)
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

  /** Forget the held event kept for reads by range (the log is disposed). */
  clear(): void {
    this.lastData = null
  }

  /** Held entry `i` read back, or undefined when it is a record. */
  private heldAt(i: number): ReplayedEvent | undefined {
    return this.ix.flagsAt(i) & HELD ? this.held.event(i) : undefined
  }

  /** The stored bytes of entry `i` (a copy or a view; do not keep it past the next append). */
  private recordOf(i: number): Buffer {
    if (this.ix.flagsAt(i) & PACKET) return this.packets.recordOf(i)
    return this.bytes.at(this.ix.offsetAt(i), this.ix.lengthAt(i))
  }

  /** Entry `i`'s data, event type and id, from its record. */
  private decoded(i: number): Decoded {
    const held = this.heldAt(i)
    if (held === undefined) return decodeRecord(this.recordOf(i))
    const out: Decoded = { data: Buffer.from(held.data), event: held.event ?? 'message' }
    if (held.id !== '') out.id = held.id
    return out
  }
}
