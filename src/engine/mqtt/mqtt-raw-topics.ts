import { isUtf8 } from 'node:buffer'

/**
 * A topic's bytes as the broker sent them, kept where they are not UTF-8: the topic a message is shown by is
 * decoded (U+FFFD for each bad byte, as MQTT.js decodes it), so without them the person could not see what
 * the broker sent. Both paths keep them: the engine's quick path from the packet it reads (`topicHex`), and
 * for the packets MQTT.js reads, `RawTopics` notes them as the paced stream hands each packet on, and hands
 * each back as MQTT.js handles that packet (packets are handled in the order they were handed on).
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

export class RawTopics {
  /** Packets handed on to MQTT.js so far. */
  private handed = 0
  /** Packets MQTT.js has handled so far. */
  private handled = 0
  private readonly pending: { n: number; hex: string }[] = []
  /** The packets' bounds are no longer known (a malformed length): nothing more is noted. */
  private lost = false

  /**
   * A packet handed on to MQTT.js, starting at `at` in `buf`; `end` is where it ends (past the buffer when only
   * its start is handed on now). A PUBLISH's topic is looked at when the buffer holds it.
   */
  handedOn(buf: Buffer, at: number, end: number): void {
    if (this.lost) return
    const n = this.handed++
    if (((buf[at] as number) & 0xf0) !== 0x30) return
    let head = at + 1
    while (head < buf.length && head < at + 5 && ((buf[head] as number) & 0x80) !== 0) head++
    const topicAt = head + 3
    if (topicAt > buf.length) return
    const topicEnd = topicAt + (((buf[topicAt - 2] as number) << 8) | (buf[topicAt - 1] as number))
    if (topicEnd > Math.min(end, buf.length)) return
    const hex = topicHex(buf, topicAt, topicEnd)
    if (hex === undefined) return
    if (this.pending.length >= MAX_PENDING) this.pending.shift()
    this.pending.push({ n, hex })
  }

  /** From here on the packets handed on cannot be told apart (the stream is no longer framed). */
  unframed(): void {
    this.lost = true
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
