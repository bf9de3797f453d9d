import type { AppError } from '../../shared/result'

/**
 * Refuses a broker's oversize message as its first bytes arrive, not once MQTT.js has read all of it. An MQTT 5
 * broker is told the largest packet Flightdeck takes (CONNECT's Maximum Packet Size, which leaves room for a
 * topic and properties beside the largest message), a 3.1.1 broker cannot be told, and MQTT.js's parser holds
 * a packet whole before it hands it over, so a 1 GB message would be in memory before the message limit could
 * refuse it.
 *
 * The guard reads the connection's bytes before MQTT.js is handed them (mqtt-paced-stream.ts): each packet's
 * fixed header, and of a PUBLISH longer than the limit its topic, packet id and (MQTT 5) property length, so its
 * payload's size is exact however the bytes are cut; every other body is skipped, a few operations a packet.
 * `pass` answers how much of a read may be handed on: all of it, or the bytes before a refused message, so
 * MQTT.js never parses the refused packet nor anything after it (a QoS 2 message is told only at its PUBREL,
 * so the messages after it would have been shown first). At most the read that carried the header is held.
 */

const PUBLISH = 3
/** A topic's length, the topic (at most 65,535 bytes), a packet id and an MQTT 5 property length. */
const MAX_VARIABLE_HEADER = 2 + 65_535 + 2 + 4

export interface OversizeMessage {
  /** The payload's bytes. */
  size: number
  topic: string
  /** Bytes of the packet that had arrived when it was refused. */
  held: number
}

type State = 'type' | 'length' | 'header' | 'skip' | 'off'

export class SizeGuard {
  private state: State = 'type'
  private type = 0
  private qos = 0
  private value = 0
  private mult = 1
  private lengthBytes = 0
  /** Bytes of the current packet's body still to skip. */
  private skip = 0
  /** The variable header of a PUBLISH longer than the limit, as it arrives. */
  private header: Buffer | null = null
  private headerBytes = 0
  private refused = false

  constructor(
    private readonly limit: number,
    private readonly v5: boolean,
    private readonly tooLarge: (m: OversizeMessage) => void,
  ) {}

  /** How many of `chunk`'s bytes may be handed on (fewer once a message is refused, then none). */
  pass(chunk: Buffer): number {
    if (this.refused) return 0
    /** Where the current packet starts in this read (0: in an earlier one). */
    let start = 0
    let i = 0
    const n = chunk.length
    while (i < n && this.state !== 'off') {
      if (this.state === 'skip') {
        const k = Math.min(this.skip, n - i)
        i += k
        this.skip -= k
        if (this.skip === 0) this.state = 'type'
        continue
      }
      if (this.state === 'header') {
        const k = Math.min((this.header as Buffer).length - this.headerBytes, n - i)
        chunk.copy(this.header as Buffer, this.headerBytes, i, i + k)
        this.headerBytes += k
        i += k
        const m = this.oversize()
        if (m === 'more') continue
        this.header = null
        if (m === null) {
          this.skip = this.value - this.headerBytes
          this.state = this.skip > 0 ? 'skip' : 'type'
          continue
        }
        this.refused = true
        this.state = 'off'
        this.tooLarge({
          ...m,
          held: this.lengthBytes + 1 + this.headerBytes + Math.min(this.skipLeft(), n - i),
        })
        return start
      }
      const b = chunk[i++] as number
      if (this.state === 'type') {
        start = i - 1
        this.type = b >> 4
        this.qos = (b >> 1) & 3
        this.value = 0
        this.mult = 1
        this.lengthBytes = 0
        this.state = 'length'
        continue
      }
      this.value += (b & 0x7f) * this.mult
      this.mult *= 128
      this.lengthBytes++
      if (b & 0x80) {
        // A remaining length longer than four bytes is malformed: MQTT.js's parser says so; stop watching.
        if (this.lengthBytes >= 4) this.state = 'off'
        continue
      }
      if (this.type === PUBLISH && this.value > this.limit) {
        this.header = Buffer.allocUnsafe(Math.min(this.value, MAX_VARIABLE_HEADER))
        this.headerBytes = 0
        this.state = 'header'
        continue
      }
      this.skip = this.value
      this.state = this.skip > 0 ? 'skip' : 'type'
    }
    return n
  }

  private skipLeft(): number {
    return this.value - this.headerBytes
  }

  /**
   * The refused message, null when its payload is within the limit (or its header is malformed: MQTT.js says
   * so), or 'more' while its variable header has not all arrived.
   */
  private oversize(): Omit<OversizeMessage, 'held'> | null | 'more' {
    const h = this.header as Buffer
    const got = this.headerBytes
    const full = got === h.length
    if (got < 2) return full ? null : 'more'
    const topicBytes = h.readUInt16BE(0)
    let at = 2 + topicBytes + (this.qos > 0 ? 2 : 0)
    if (this.v5) {
      let props = 0
      let mult = 1
      for (let k = 0; ; k++) {
        if (at >= got) return full ? null : 'more'
        if (k === 4) return null
        const b = h[at++] as number
        props += (b & 0x7f) * mult
        mult *= 128
        if ((b & 0x80) === 0) break
      }
      at += props
    } else if (at > got) return full ? null : 'more'
    const size = this.value - at
    if (size <= this.limit) return null
    return { size, topic: h.toString('utf8', 2, Math.min(2 + topicBytes, got)) }
  }
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`

/** The failure when the guard refused a message as its header arrived. */
export function oversizeBegun(m: OversizeMessage, limit: number): AppError {
  return {
    code: 'message_too_large',
    message: `The broker began a message of ${bytes(m.size)} on ${m.topic}, past the limit of ${bytes(limit)}; Flightdeck closed the connection before reading it (${bytes(m.held)} of it had arrived)`,
  }
}

/** The failure when MQTT.js handed over a whole message past the limit (not seen by the guard). */
export function oversizeRead(size: number, topic: string, limit: number): AppError {
  return {
    code: 'message_too_large',
    message: `The broker sent a message of ${size} bytes on ${topic}, past the limit of ${limit} bytes; Flightdeck closed the connection`,
  }
}
