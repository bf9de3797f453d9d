import { topicHex } from './mqtt-raw-topics'

/**
 * Plain QoS 0 PUBLISH packets read by the engine straight from the connection's bytes instead of by MQTT.js.
 * MQTT.js parses each packet through a buffer list (with a debug call per step), then handles it on a
 * process.nextTick of its own and tells it by two events: in a flood that is most of what a message costs. A
 * QoS 0 message needs none of MQTT.js's state (no ack, no store, and MQTT.js reschedules its pings on acks
 * only), so while MQTT.js has nothing left to handle, the paced stream (mqtt-paced-stream.ts) reads such packets
 * itself and hands each to the session as MQTT.js would have; every other packet (CONNACK, acks, SUBACK, QoS 1/2,
 * DUP, MQTT 5 properties such as a topic alias, a packet past the size limit) goes to MQTT.js, in order.
 */

export interface QuickReader {
  /** MQTT 5: a property length comes between the topic and the payload (read here only when it is 0). */
  v5: boolean
  /** The largest packet (head and body) read here; larger ones go to MQTT.js (its limits and errors). */
  maxPacket: number
  /**
   * One message, as MQTT.js would have emitted it (`remaining`: the packet's length after its head; `topicHex`:
   * the topic's bytes when they are not UTF-8).
   */
  message(
    topic: string,
    payload: Buffer,
    retain: boolean,
    remaining: number,
    topicHex: string | undefined,
  ): void
}

/** The largest packet read here at most. */
export const QUICK_MAX_PACKET = 16 * 1024

/** `packetEnd` found the packet's length malformed (more than four bytes): MQTT.js's parser says so. */
export const MALFORMED = -2

/**
 * Where the packet starting at `at` in `buf` ends (its head and body, which may lie past the buffer), -1 when the
 * buffer does not hold its head, or MALFORMED.
 */
export function packetEnd(buf: Buffer, at: number): number {
  let value = 0
  let mult = 1
  for (let i = at + 1; i < at + 5; i++) {
    if (i >= buf.length) return -1
    const b = buf[i] as number
    value += (b & 0x7f) * mult
    if ((b & 0x80) === 0) return i + 1 + value
    mult *= 128
  }
  return MALFORMED
}

/** PUBLISH, QoS 0, no DUP; the low bit is RETAIN. */
const isQos0Publish = (type: number): boolean => (type & 0xfe) === 0x30

/** Bytes of a packet's head (type, remaining length) of `total` bytes, its length written in fewest bytes. */
const headOf = (total: number): number => (total < 130 ? 2 : total < 16_387 ? 3 : total < 2_097_156 ? 4 : 5)

/**
 * Whether the packet [at, end) of `buf` is read here: a QoS 0 PUBLISH (no DUP) within the size limit that names
 * its topic (an MQTT 5 one with no properties).
 */
export function isQuick(buf: Buffer, at: number, end: number, r: QuickReader): boolean {
  if (!isQos0Publish(buf[at] as number) || end - at > r.maxPacket) return false
  // A length written in more bytes than it needs goes to MQTT.js (the log finds a packet's start by its length).
  const head = headOf(end - at)
  if (((buf[at + head - 1] as number) & 0x80) !== 0) return false
  const topicAt = at + head
  if (topicAt + 2 > end) return false
  const topicBytes = ((buf[topicAt] as number) << 8) | (buf[topicAt + 1] as number)
  if (topicBytes === 0) return false
  const after = topicAt + 2 + topicBytes
  return r.v5 ? after < end && buf[after] === 0 : after <= end
}

/** Decodes topics, reusing the last one while its bytes repeat (a flood's topic is decoded once). */
export class TopicCache {
  private bytes = Buffer.alloc(0)
  private text = ''
  /** The last topic's bytes as hex when they are not UTF-8 (mqtt-raw-topics.ts). */
  hex: string | undefined

  of(buf: Buffer, from: number, to: number): string {
    const n = to - from
    const last = this.bytes
    if (n === last.length) {
      let i = 0
      while (i < n && buf[from + i] === last[i]) i++
      if (i === n) return this.text
    }
    this.bytes = Buffer.from(buf.subarray(from, to))
    this.text = buf.toString('utf8', from, to)
    this.hex = topicHex(buf, from, to)
    return this.text
  }
}

/**
 * Reads the quick packets at the start of `buf` (a packet's start), whole ones only, up to `budget` bytes (the
 * first one whatever its size): returns the bytes they take. `deliver` false only measures them.
 */
export function readQuick(
  buf: Buffer,
  budget: number,
  r: QuickReader,
  topics: TopicCache,
  deliver: boolean,
  stopped: () => boolean,
): number {
  let at = 0
  while (at < buf.length) {
    const end = packetEnd(buf, at)
    if (end < 0 || end > buf.length || (at > 0 && end > budget) || !isQuick(buf, at, end, r)) break
    if (deliver) {
      const head = headOf(end - at)
      const topicAt = at + head + 2
      const topicBytes = ((buf[topicAt - 2] as number) << 8) | (buf[topicAt - 1] as number)
      const payloadAt = topicAt + topicBytes + (r.v5 ? 1 : 0)
      const topic = topics.of(buf, topicAt, topicAt + topicBytes)
      const retain = ((buf[at] as number) & 1) === 1
      r.message(topic, buf.subarray(payloadAt, end), retain, end - at - head, topics.hex)
      if (stopped()) return end
    }
    at = end
  }
  return at
}
