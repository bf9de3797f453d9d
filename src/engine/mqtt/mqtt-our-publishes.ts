import type { IClientPublishOptions, IConnackPacket, MqttClient } from 'mqtt'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { MqttPacketLog } from './mqtt-packet-log'
import { CLEAN_START, heldWords, NO_SESSION, SendQuota, unsentWords } from './mqtt-send-quota'

/** A control entry in the log: on `attempt`'s connection, or (null) the session's, between connections. */
type Say = (attempt: SessionAttempt | null, words: string, event: string, id: string) => void

/**
 * Our QoS 1/2 publishes across the session's connections: those awaiting their acks (the packet log's, in
 * mqtt-in-flight.ts) and those waiting for a place under the broker's Receive Maximum (mqtt-send-quota.ts).
 * A persistent session (clean start off) that reconnects sends both on the next connection; otherwise the
 * first are lost and the others not sent, and the log says so and why.
 */
export class OurPublishes {
  private readonly quota = new SendQuota()

  constructor(
    private readonly packets: MqttPacketLog,
    private readonly persistent: boolean,
    private readonly say: Say,
  ) {}

  /** `seq`: the publish's log entry; -1 and `waiting` when it waits for a place. */
  publish(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
  ): { seq: number; waiting?: boolean } {
    this.packets.lastPublishSeq = -1
    const now = this.quota.publish(topic, payload, options)
    return now ? { seq: this.packets.lastPublishSeq } : { seq: -1, waiting: true }
  }

  /**
   * A connection opened: what MQTT.js sent again (before it said so), then the publishes waiting for a place,
   * when the broker kept the session.
   */
  opened(attempt: SessionAttempt, client: MqttClient, connack: IConnackPacket): void {
    this.packets.opened(attempt)
    const unsent = this.quota.opened(client, connack.properties?.receiveMaximum, connack.sessionPresent)
    if (unsent > 0) this.say(attempt, unsentWords(unsent, NO_SESSION), 'unsent', '')
  }

  /**
   * The connection closed; `goesOn`: the session reconnects (when the kernel gives up, its last failed attempt
   * ends the session). Returns words for the connection's end ('' when no publish awaited its ack).
   */
  closed(attempt: SessionAttempt, goesOn: boolean): string {
    const carry = goesOn && this.persistent
    const waiting = this.quota.closed()
    if (waiting > 0 && carry) {
      if (attempt.isOpen) this.say(attempt, heldWords(waiting), 'held', '')
    } else if (this.quota.drop() > 0) {
      this.say(attempt, unsentWords(waiting, goesOn ? CLEAN_START : ''), 'unsent', '')
    }
    const why =
      goesOn && !this.persistent ? 'the broker dropped the session (clean start)' : 'the session ended'
    return this.packets.dropped(attempt, carry, why)
  }

  /** The session ends on an open connection (Flightdeck shuts down): words for the end. */
  endedOpen(attempt: SessionAttempt): string {
    const lost = this.packets.dropped(attempt, false, 'the session ended')
    this.notSent()
    return lost
  }

  /**
   * The session ends between connections (waiting to reconnect, or connecting): the publishes carried for the
   * next one are each marked lost, those waiting for a place not sent; words for the session's end.
   */
  endedBetween(): string {
    this.notSent()
    return this.packets.abandoned((words, id) => this.say(null, words, 'lost', id))
  }

  private notSent(): void {
    const n = this.quota.drop()
    if (n > 0) this.say(null, unsentWords(n), 'unsent', '')
  }
}
