import { isUtf8 } from 'node:buffer'
import type { IPublishPacket } from 'mqtt'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { previewOf } from '../sessions/kernel/message-ticks'
import { deliveryId } from './mqtt-packets'

/**
 * The broker's messages into the session's log and onto its lane, at the speed MQTT.js parses them. A QoS 0
 * message is indexed where its packet lies among the connection's bytes the log keeps as they are read (a flag
 * byte and a share of its group; stream-log-packets.ts); any other, or one whose packet straddles two reads, has
 * its payload bytes copied into the log as they are (no string of them is made), its topic and delivery beside
 * them. Consecutive messages of one kind become one tick with a count (as the event sink would merge them
 * anyway), built when the burst MQTT.js is parsing ends, with the last message's topic and preview.
 *
 * The clock is read once every CLOCK_EVERY messages of a burst, not for each: messages parsed from one socket
 * read arrive together, and a burst long enough to take a millisecond still reads it a few times in that
 * millisecond. A run never spans a millisecond (the event sink's merge window) or a gap in the log's seqs.
 */

const CLOCK_EVERY = 32
const MERGE_MS = 1
interface Run {
  attempt: SessionAttempt
  t: number
  seq: number
  count: number
  size: number
  kind: 'text' | 'binary'
  topic: string
  id: string
  last: Buffer
}

export class MqttInbox {
  private run: Run | null = null
  private scheduled = false
  private n = 0
  private t = 0
  private readonly flushSoon = (): void => {
    this.scheduled = false
    this.flush()
  }

  constructor(
    private readonly now: () => number,
    /** A run went out as a tick at `t` (the session paces its progress events on it). */
    private readonly onTick: (t: number) => void,
  ) {}

  /**
   * One message from the broker (`topicHex`: its topic's bytes when they are not UTF-8); returns its seq (-1 when
   * the log had no room: its tick still shows).
   */
  message(
    attempt: SessionAttempt,
    topic: string,
    payload: Buffer,
    packet: IPublishPacket,
    topicHex?: string,
  ): number {
    const run = this.run
    if (run === null || (this.n & (CLOCK_EVERY - 1)) === 0) this.t = this.now()
    this.n++
    const t = this.t
    const kind = isUtf8(payload) ? 'text' : 'binary'
    const id = deliveryId(packet, topicHex)
    const seq =
      packet.qos === 0 && packet.length !== undefined
        ? attempt.log.appendPacket(t, kind, topic, id, payload, packet.length)
        : attempt.log.appendNamed(t, 'in', kind, topic, id, payload)
    if (
      run !== null &&
      run.attempt === attempt &&
      run.kind === kind &&
      seq >= 0 &&
      seq === run.seq + run.count &&
      t - run.t < MERGE_MS
    ) {
      run.count++
      run.size += payload.length
      run.topic = topic
      run.id = id
      run.last = payload
      return seq
    }
    if (run !== null) this.flush()
    this.run = { attempt, t, seq, count: 1, size: payload.length, kind, topic, id, last: payload }
    if (!this.scheduled) {
      this.scheduled = true
      // After the tick queue drains: MQTT.js hands over one parsed packet per process.nextTick.
      queueMicrotask(this.flushSoon)
    }
    return seq
  }

  /** The pending run's tick, now (before anything else is recorded, so ticks keep the log's order). */
  flush(): void {
    const r = this.run
    if (r === null) return
    this.run = null
    r.attempt.tick(r.t, r.seq, r.kind, r.size, previewOf(r.kind, r.last), {
      count: r.count,
      event: r.topic,
      id: r.id,
    })
    this.onTick(r.t)
  }
}
