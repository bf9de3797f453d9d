import type { AppError } from '../../shared/result'

/**
 * Refuses a broker's oversize message as its first bytes arrive, not once MQTT.js has read all of it. An MQTT 5
 * broker is told the largest packet Flightdeck takes (CONNECT's Maximum Packet Size) and never sends more; a
 * 3.1.1 broker has no such field and sends whatever was published, and MQTT.js's parser holds a packet whole
 * before it hands it over, so a 1 GB message would be in memory before the message limit could refuse it.
 * This watches the connection's bytes ahead of the parser (fixed header, remaining length, then skips the
 * body, a few operations a packet) and calls `tooLarge` when a PUBLISH's remaining length passes `limit`: the
 * session then stops reading and cuts the connection once the messages before it are handled, so at most the
 * socket read that carried the header is held.
 */

const PUBLISH = 3
/** A 3.1.1 PUBLISH's bytes besides its payload: the topic's length and the topic (at most 65,535), packet id. */
const MAX_OVERHEAD = 2 + 65_535 + 2

export interface OversizeMessage {
  /** The payload's bytes (the packet's remaining length when the read did not hold the topic's length). */
  size: number
  /** The topic, when the header's read carried it. */
  topic: string | null
  /** Bytes of the packet that had arrived when it was refused. */
  held: number
}

interface DataSource {
  prependListener(event: 'data', listener: (chunk: Buffer) => void): unknown
  removeListener(event: 'data', listener: (chunk: Buffer) => void): unknown
}

export function guardMessageSize(
  stream: DataSource,
  limit: number,
  tooLarge: (m: OversizeMessage) => void,
): void {
  /** Bytes of the current packet's body still to come. */
  let skip = 0
  let inLength = false
  let type = 0
  let qos = 0
  let value = 0
  let mult = 1
  let lengthBytes = 0
  const onData = (chunk: Buffer): void => {
    let i = 0
    const n = chunk.length
    while (i < n) {
      if (skip > 0) {
        const k = Math.min(skip, n - i)
        i += k
        skip -= k
        continue
      }
      const b = chunk[i++] as number
      if (!inLength) {
        type = b >> 4
        qos = (b >> 1) & 3
        inLength = true
        value = 0
        mult = 1
        lengthBytes = 0
        continue
      }
      value += (b & 0x7f) * mult
      mult *= 128
      lengthBytes++
      if (b & 0x80) {
        // A remaining length longer than four bytes is malformed: MQTT.js's parser says so; stop watching.
        if (lengthBytes >= 4) stream.removeListener('data', onData)
        continue
      }
      inLength = false
      if (type === PUBLISH && value > limit) {
        // The payload is what the limit is about: exact when this read holds the topic's length, else the
        // packet is refused only when no topic could make up the difference.
        const topicLength = i + 2 <= n ? chunk.readUInt16BE(i) : -1
        const payload = topicLength < 0 ? -1 : value - 2 - topicLength - (qos > 0 ? 2 : 0)
        if (payload > limit || (payload < 0 && value > limit + MAX_OVERHEAD)) {
          stream.removeListener('data', onData)
          tooLarge({ size: payload < 0 ? value : payload, topic: topicAt(chunk, i), held: n - i })
          return
        }
      }
      skip = value
    }
  }
  stream.prependListener('data', onData)
}

/** The topic of a PUBLISH whose variable header starts at `at`, if this read holds it whole. */
function topicAt(chunk: Buffer, at: number): string | null {
  if (at + 2 > chunk.length) return null
  const len = chunk.readUInt16BE(at)
  if (at + 2 + len > chunk.length) return null
  return chunk.toString('utf8', at + 2, at + 2 + len)
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`

/** The failure when the guard refused a message as its header arrived. */
export function oversizeBegun(m: OversizeMessage, limit: number): AppError {
  const on = m.topic === null ? '' : ` on ${m.topic}`
  return {
    code: 'message_too_large',
    message: `The broker began a message of ${bytes(m.size)}${on}, past the limit of ${bytes(limit)}; Flightdeck closed the connection before reading it (${bytes(m.held)} of it had arrived)`,
  }
}

/** The failure when MQTT.js handed over a whole message past the limit (an MQTT 5 broker that ignored it). */
export function oversizeRead(size: number, topic: string, limit: number): AppError {
  return {
    code: 'message_too_large',
    message: `The broker sent a message of ${size} bytes on ${topic}, past the limit of ${limit} bytes; Flightdeck closed the connection`,
  }
}
