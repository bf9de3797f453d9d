import type { IClientPublishOptions, IConnackPacket, MqttClient } from 'mqtt'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { MqttPacketLog } from './mqtt-packet-log'
import { CLEAN_START, heldWords, NEW_SESSION, SendQuota, unsentWords } from './mqtt-send-quota'

/** A control entry in the log: on `attempt`'s connection, or (null) the session's, between connections. */
type Say = (attempt: SessionAttempt | null, words: string, event: string, id: string) => void

/**
 * Our QoS 1/2 publishes across the session's connections: those awaiting their acks (the packet log's, in
 * mqtt-in-flight.ts) and those waiting for a place under the broker's Receive Maximum (mqtt-send-quota.ts).
 * A persistent session (clean start off) that reconnects sends both on the next connection, the first again
 * (with their packet ids) before the others, within the broker's Receive Maximum; otherwise the first are lost
 * and the others not sent, and the log says so and why. When the broker answers that it kept no session
 * (CONNACK: session present 0), what becomes of them goes by the protocol: MQTT 3.1.1 says nothing, so both
 * go, as MQTT.js does with its own; MQTT 5 (3.2.2.1.1) has a client with session state discard it, so neither
 * goes, each told as `unsent`.
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
   * A connection opened: the publishes that awaited their acks go again, then those waiting for a place; or,
   * when an MQTT 5 broker started a new session, neither goes.
   */
  opened(attempt: SessionAttempt, client: MqttClient, connack: IConnackPacket, v5: boolean): void {
    const max = connack.properties?.receiveMaximum
    const store = this.packets.inFlight.store
    const kept = connack.sessionPresent === true
    if (store && !kept && v5) {
      this.packets.discarded(attempt, store.discard(), NEW_SESSION)
      const unsent = this.quota.drop()
      if (unsent > 0) this.say(attempt, unsentWords(unsent, NEW_SESSION), 'unsent', '')
      this.quota.opened(client, max)
      return
    }
    const stored = store?.stored() ?? []
    this.packets.opened(attempt, stored, !kept)
    const waiting = this.quota.count
    if (store && !kept && waiting > 0)
      this.say(attempt, newSessionWords(waiting), 'new session', JSON.stringify({ waiting }))
    this.quota.opened(client, max, stored)
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

/** MQTT 3.1.1: the publishes that waited for a place go though the broker started a new session. */
const newSessionWords = (n: number): string =>
  `${n === 1 ? '1 publish that waited' : `${n} publishes that waited`} for the broker's Receive Maximum ${n === 1 ? 'goes' : 'go'} though the broker started a new session (CONNACK: session present 0): MQTT 3.1.1 leaves a client's publishes to it`
