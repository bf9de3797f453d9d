import { isUtf8 } from 'node:buffer'

/**
 * A topic's bytes as the broker sent them, kept where they are not UTF-8: the topic a message is shown by is
 * decoded (U+FFFD for each bad byte, as MQTT.js decodes it), so without them the person could not see what
 * the broker sent. Both paths keep them: the engine's quick path from the packet it reads (`topicHex`), and
 * for the packets MQTT.js reads, `RawTopics` notes them as the paced stream hands each packet on, and hands
 * each back as MQTT.js handles that packet (packets are handled in the order they were handed on). A packet
 * handed on in parts (larger than a read) may have its topic cut between reads: its first bytes are kept, as
 * they are handed on, until they hold the topic (65,535 bytes at most), then let go.
 */

/** The hex of `buf[from, to)` when those bytes are not UTF-8, else undefined (ASCII is checked byte by byte). */
export function topicHex(buf: Buffer, from: number, to: number): string | undefined {
  let i = from
  while (i < to && (buf[i] as number) < 0x80) i++
  if (i === to) return undefined
  const bytes = buf.subarray(from, to)
  return isUtf8(bytes) ? undefined : bytes.toString('hex')
}

/** At most this many noted topics wait for MQTT.js (it handles what it is handed within a turn or two). */
const MAX_PENDING = 4096

/** A packet handed on in parts whose topic has not all come yet. */
interface CutPacket {
  /** Its number among the packets handed on. */
  n: number
  /** Its length (head and body). */
  end: number
  /** Its bytes handed on so far. */
  chunks: Buffer[]
  length: number
  /** Where its topic ends, once its head and topic length have come. */
  topicEnd: number | null
}

export class RawTopics {
  /** Packets handed on to MQTT.js so far. */
  private handed = 0
  /** Packets MQTT.js has handled so far. */
  private handled = 0
  private readonly pending: { n: number; hex: string }[] = []
  /** The packets' bounds are no longer known (a malformed length): nothing more is noted. */
  private lost = false
  private partial: CutPacket | null = null

  /**
   * A packet handed on to MQTT.js, starting at `at` in `buf`; `end` is where it ends (past the buffer when only
   * its start is handed on now). A PUBLISH's topic is looked at when the buffer holds it, else as the rest of
   * the packet is handed on (`continued`).
   */
  handedOn(buf: Buffer, at: number, end: number): void {
    this.partial = null
    if (this.lost) return
    const n = this.handed++
    if (((buf[at] as number) & 0xf0) !== 0x30) return
    const have = Math.min(end, buf.length)
    const topicEnd = topicEndOf(buf, at, have)
    if (topicEnd !== -1 && topicEnd <= have) this.note(n, buf, at, topicEnd)
    else if (end > buf.length && topicEnd <= end) {
      // The read cuts its topic: its bytes come through `continued`, from its first.
      this.partial = { n, end: end - at, chunks: [], length: 0, topicEnd: null }
    }
  }

  /** Bytes of the packet handed on in parts, in order from its first (the ones `handedOn` looked at too). */
  continued(slice: Buffer): void {
    const p = this.partial
    if (p === null) return
    p.chunks.push(slice)
    p.length += slice.length
    if (p.topicEnd !== null && p.length < p.topicEnd) return
    // Joined only when there may be enough: before the topic's length is known the bytes are a few.
    const buf = Buffer.concat(p.chunks, p.length)
    p.chunks = [buf]
    const to = Math.min(p.length, p.end)
    p.topicEnd = p.topicEnd ?? topicEndOf(buf, 0, to)
    if (p.topicEnd === -1) {
      p.topicEnd = null
      if (to === p.end) this.partial = null
      return
    }
    if (p.topicEnd > p.end) this.partial = null
    else if (p.topicEnd <= to) {
      this.partial = null
      this.note(p.n, buf, 0, p.topicEnd)
    }
  }

  private note(n: number, buf: Buffer, at: number, topicEnd: number): void {
    const hex = topicHex(buf, topicStartOf(buf, at), topicEnd)
    if (hex === undefined) return
    if (this.pending.length >= MAX_PENDING) this.pending.shift()
    this.pending.push({ n, hex })
  }

  /** From here on the packets handed on cannot be told apart (the stream is no longer framed). */
  unframed(): void {
    this.lost = true
    this.partial = null
    this.pending.length = 0
  }

  /** MQTT.js handles its next packet: its topic's bytes as hex, when they were noted. */
  next(): string | undefined {
    const n = this.handled++
    while (this.pending.length > 0 && (this.pending[0] as { n: number }).n < n) this.pending.shift()
    const first = this.pending[0]
    if (first === undefined || first.n !== n) return undefined
    this.pending.shift()
    return first.hex
  }
}

/** Where the topic of the PUBLISH at `at` starts: past its head (1 to 5 bytes) and the topic's 2 length bytes. */
function topicStartOf(buf: Buffer, at: number): number {
  let head = at + 1
  while (head < buf.length && head < at + 5 && ((buf[head] as number) & 0x80) !== 0) head++
  return head + 3
}

/** Where the topic of the PUBLISH at `at` ends, or -1 when `buf[at, to)` does not hold its length yet. */
function topicEndOf(buf: Buffer, at: number, to: number): number {
  let head = at + 1
  while (head < to && head < at + 5 && ((buf[head] as number) & 0x80) !== 0) head++
  const topicAt = head + 3
  if (topicAt > to) return -1
  return topicAt + (((buf[topicAt - 2] as number) << 8) | (buf[topicAt - 1] as number))
}
