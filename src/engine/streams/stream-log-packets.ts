import type { LogBytes } from './stream-log-bytes'
import { groupAtOrBefore, grown } from './stream-log-index'

/**
 * Messages a stream log keeps where they already lie: the connection's bytes, as its reader was handed them
 * (MQTT's paced slices, `slice`), are kept among the log's bytes once, and a message parsed from them is indexed
 * by where its packet starts instead of being copied again with an index entry of its own. Consecutive packets
 * that arrived at one time with one delivery (the entry's id) form a group: its first seq, time, start in the
 * log and id. A message is read back by walking its group's packets (each a type byte, a variable-length
 * remaining length, then that many bytes) to its own, whose topic, and payload after its properties, are read
 * from the packet as MQTT lays it out (3.1.1 and 5).
 *
 * A message is held only when its packet lies whole within one kept slice (its payload a view into it, as the
 * parser hands over a packet that a single read carried) and names its topic (not by an MQTT 5 alias alone);
 * one that straddles two slices (the parser copied it together), came from a slice not kept, has no payload or
 * an alias for its topic is recorded whole by the caller, as before.
 */

/** Slices remembered to find a payload in: the parser is at most a few slices behind the reads handed on. */
const SLICES_KEPT = 8
/** Bytes of a packet read at once to find its topic and payload: its head, a topic of most lengths, properties'. */
const PEEK_BYTES = 256

/** The head of an MQTT packet: a type byte, then the remaining length in 1 to 4 bytes of 7 bits. */
export function headBytes(remaining: number): number {
  return remaining < 0x80 ? 2 : remaining < 0x4000 ? 3 : remaining < 0x200000 ? 4 : 5
}

/** A held packet's parts: where its topic and payload lie in the log, and their bytes. */
interface PacketParts {
  topicAt: number
  topicBytes: number
  payloadAt: number
  payloadBytes: number
}

export class HeldPackets {
  /** The slices kept lately (a ring), and where each starts in the log. */
  private readonly slices: (Buffer | null)[] = new Array<Buffer | null>(SLICES_KEPT).fill(null)
  private readonly sliceAt = new Float64Array(SLICES_KEPT)
  private nextSlice = 0

  private groupSeq = new Float64Array(0)
  private groupT = new Float64Array(0)
  private groupAt = new Float64Array(0)
  private groupId: string[] = []
  /** 1 where the group's packets are MQTT 5's (properties before the payload). */
  private groupV5 = new Uint8Array(0)
  private groups = 0
  /** The group found last (readers page through neighbouring entries). */
  private lastGroup = 0
  /** The last held message: its seq and where its packet ends in the log (the next one of its group starts there). */
  private lastSeq = -1
  private lastEnd = -1
  /** The last message walked to, and where its packet starts (a reader pages forward through a group). */
  private walkedSeq = -1
  private walkedAt = 0
  /** Where the packet of the last message walked to ends. */
  private walkedEnd = 0
  /** Whether the packet `locate` found last has MQTT 5 properties (a length, at least, before its payload). */
  private locatedV5 = 0
  /** The head and body bytes of the packet `locate` found last (its length may be written in more bytes than it needs). */
  locatedLength = 0

  constructor(private readonly bytes: LogBytes) {}

  /** `slice` of the connection's bytes is kept in the log from `at`. */
  slice(slice: Buffer, at: number): void {
    const s = this.nextSlice
    this.nextSlice = (s + 1) % SLICES_KEPT
    this.slices[s] = slice
    this.sliceAt[s] = at
  }

  /**
   * Where in the log the packet whose payload is `payload` (the last bytes of a packet of `remaining` bytes
   * after its head) starts, or -1 when it does not lie whole in a kept slice or names no topic of its own.
   */
  locate(payload: Buffer, remaining: number): number {
    if (payload.length === 0) return -1
    const memory = payload.buffer
    const to = payload.byteOffset + payload.length
    for (let k = 1; k <= SLICES_KEPT; k++) {
      const s = (this.nextSlice - k + SLICES_KEPT) % SLICES_KEPT
      const slice = this.slices[s]
      if (slice === null || slice === undefined || slice.buffer !== memory) continue
      const bodyAt = to - remaining - slice.byteOffset
      if (bodyAt < 0 || to > slice.byteOffset + slice.length) continue
      const head = headBefore(slice, bodyAt, remaining)
      if (head < 0) return -1
      const at = bodyAt - head
      this.locatedLength = head + remaining
      // A topic given by its MQTT 5 alias alone is not in the packet: the caller records the one it stands for.
      const topic = remaining < 2 ? 0 : ((slice[at + head] as number) << 8) | (slice[at + head + 1] as number)
      if (topic === 0) return -1
      const packetId = (slice[at] as number) & 0x06 ? 2 : 0
      this.locatedV5 = remaining - payload.length > 2 + topic + packetId ? 1 : 0
      return (this.sliceAt[s] as number) + at
    }
    return -1
  }

  /** Does a message at `seq` and `t`, its packet starting at `at`, with this `id`, go on the last group? */
  continues(seq: number, t: number, at: number, id: string): boolean {
    const g = this.groups - 1
    return (
      g >= 0 &&
      seq === this.lastSeq + 1 &&
      at === this.lastEnd &&
      this.groupT[g] === t &&
      this.groupId[g] === id &&
      this.groupV5[g] === this.locatedV5
    )
  }

  /**
   * Message `seq`'s packet, `length` bytes from `at` (as `locate` found it last), is held: in a new group unless
   * it `continues` the last.
   */
  held(seq: number, t: number, at: number, length: number, id: string, continues: boolean): void {
    if (!continues) {
      if (this.groups === this.groupSeq.length) {
        const next = Math.max(64, this.groups * 2)
        this.groupSeq = grown(this.groupSeq, new Float64Array(next))
        this.groupT = grown(this.groupT, new Float64Array(next))
        this.groupAt = grown(this.groupAt, new Float64Array(next))
        this.groupV5 = grown(this.groupV5, new Uint8Array(next))
      }
      const g = this.groups++
      this.groupSeq[g] = seq
      this.groupT[g] = t
      this.groupAt[g] = at
      this.groupId[g] = id
      this.groupV5[g] = this.locatedV5
    }
    this.lastSeq = seq
    this.lastEnd = at + length
  }

  /** When held message `i` arrived. */
  timeOf(i: number): number {
    return this.groupT[this.groupOf(i)] ?? 0
  }

  /** Held message `i`'s id (its delivery). */
  idOf(i: number): string {
    return this.groupId[this.groupOf(i)] ?? ''
  }

  /** Where held message `i`'s topic and payload lie in the log. */
  partsOf(i: number): PacketParts {
    const g = this.groupOf(i)
    const first = this.groupSeq[g] as number
    let at = this.groupAt[g] as number
    let k = first
    if (this.walkedSeq + 1 === i && i > first) {
      // The next of the last message read (a page or a filter reads on): its packet starts where that one ends.
      k = i
      at = this.walkedEnd
    } else if (this.walkedSeq >= first && this.walkedSeq <= i) {
      k = this.walkedSeq
      at = this.walkedAt
    }
    for (; k < i; k++) {
      const b = this.bytes.at(at, 5)
      at += 1 + lengthBytes(b, 1) + varint(b, 1)
    }
    this.walkedSeq = i
    this.walkedAt = at
    // Type and flags, remaining length, topic (2-byte length first), packet id past QoS 0, MQTT 5 properties:
    // read at once with the packet's first bytes (a filter reads topic after topic), again only when longer.
    let b = this.bytes.at(at, PEEK_BYTES)
    const remaining = varint(b, 1)
    const head = 1 + lengthBytes(b, 1)
    const topicBytes = b.readUInt16BE(head)
    const topicAt = head + 2
    let payloadAt = topicAt + topicBytes + ((b[0] as number) & 0x06 ? 2 : 0)
    if (this.groupV5[g] === 1) {
      if (payloadAt + 4 > b.length) b = this.bytes.at(at, Math.min(head + remaining, payloadAt + 4))
      payloadAt += lengthBytes(b, payloadAt) + varint(b, payloadAt)
    }
    this.peeked = b
    this.walkedEnd = at + head + remaining
    return {
      topicAt: at + topicAt,
      topicBytes,
      payloadAt: at + payloadAt,
      payloadBytes: head + remaining - payloadAt,
    }
  }

  /** The first bytes of the packet `partsOf` read last (a view or a copy: not kept past the next append). */
  private peeked: Buffer = Buffer.alloc(0)

  /** Held message `i`'s topic bytes (a view or a copy: do not keep it). */
  topicOf(i: number): Buffer {
    const p = this.partsOf(i)
    const from = p.topicAt - this.walkedAt
    if (from + p.topicBytes <= this.peeked.length) return this.peeked.subarray(from, from + p.topicBytes)
    return this.bytes.at(p.topicAt, p.topicBytes)
  }

  /** Held message `i` as a record (stream-log-records.ts): topic, id, payload. */
  recordOf(i: number): Buffer {
    const p = this.partsOf(i)
    const id = Buffer.from(this.idOf(i))
    const out = Buffer.allocUnsafe(4 + p.topicBytes + id.length + p.payloadBytes)
    out.writeUInt16LE(p.topicBytes, 0)
    this.bytes.at(p.topicAt, p.topicBytes).copy(out, 2)
    out.writeUInt16LE(id.length, 2 + p.topicBytes)
    id.copy(out, 4 + p.topicBytes)
    this.bytes.at(p.payloadAt, p.payloadBytes).copy(out, 4 + p.topicBytes + id.length)
    return out
  }

  /** The group of held message `i`: the last one starting at or before it. */
  private groupOf(i: number): number {
    this.lastGroup = groupAtOrBefore(this.groupSeq, this.groups, i, this.lastGroup)
    return this.lastGroup
  }

  dispose(): void {
    this.slices.fill(null)
    this.groupSeq = new Float64Array(0)
    this.groupT = new Float64Array(0)
    this.groupAt = new Float64Array(0)
    this.groupId = []
    this.groups = 0
    this.walkedSeq = -1
  }
}

/**
 * Bytes of the head (type byte and remaining length) that ends at `bodyAt` in `slice`, for a body of `remaining`
 * bytes, or -1 when the slice does not hold it. A broker may write the length in more bytes than it needs (MQTT.js
 * reads it), so each head size from the fewest is tried: only the real one ends in a PUBLISH type byte.
 */
function headBefore(slice: Buffer, bodyAt: number, remaining: number): number {
  for (let head = headBytes(remaining); head <= 5; head++) {
    const at = bodyAt - head
    if (at < 0) return -1
    if ((slice[at] as number) >> 4 !== 3) continue
    let value = 0
    let mult = 1
    let ok = true
    for (let i = at + 1; i < bodyAt; i++) {
      const b = slice[i] as number
      if (((b & 0x80) !== 0) !== i < bodyAt - 1) ok = false
      value += (b & 0x7f) * mult
      mult *= 128
    }
    if (ok && value === remaining) return head
  }
  return -1
}

/** The variable-length integer at `from` in `b` (MQTT's remaining length, property length). */
function varint(b: Buffer, from: number): number {
  let value = 0
  let mult = 1
  for (let n = from; n < b.length && n < from + 4; n++) {
    const byte = b[n] as number
    value += (byte & 0x7f) * mult
    mult *= 128
    if ((byte & 0x80) === 0) break
  }
  return value
}

/** Bytes of the variable-length integer at `from` in `b`. */
function lengthBytes(b: Buffer, from: number): number {
  let n = from
  while (n < b.length - 1 && n < from + 3 && (b[n] as number) & 0x80) n++
  return n - from + 1
}
