import type { MqttControl } from '../../shared/mqtt'

/**
 * Pairs the QoS handshake's acks (PUBACK, PUBREC, PUBREL, PUBCOMP) with the publish they answer, by packet id.
 * A broker that never acks would make the list grow with every publish, so it holds at most `limit`; past it
 * the oldest publish is forgotten and the log says so (a `pairing limit` control entry, counted): at once for
 * the first one, then at most once a second while more are forgotten, and when the connection ends. An ack
 * that arrives for a forgotten publish says so in its own words instead of showing up unexplained.
 */

export const MAX_IN_FLIGHT = 10_000
const NOTE_EVERY_MS = 1000
/** The name of the control entry the limit writes. */
export const PAIRING_LIMIT = 'pairing limit'

export interface PendingPublish {
  t: number
  seq: number
  topic: string
  qos?: number
}

export interface PairingNote {
  words: string
  c: MqttControl
}

export class AckPairing {
  private readonly pending = new Map<number, PendingPublish>()
  /** Forgotten publishes on this connection not yet answered, by packet id (their QoS): at most 65,535. */
  private readonly forgottenIds = new Map<number, number | undefined>()
  /** Publishes forgotten over the session, and how many of them the log has been told of. */
  private forgotten = 0
  private told = 0
  private toldAt = -Infinity

  constructor(private readonly limit = MAX_IN_FLIGHT) {}

  /** A new connection: its packet ids start afresh (the session's count goes on). */
  reset(): void {
    this.pending.clear()
    this.forgottenIds.clear()
  }

  /** A QoS 1/2 publish went out; returns the note to log when that pushed the oldest one out. */
  sent(packetId: number, pub: PendingPublish): PairingNote | null {
    this.forgottenIds.delete(packetId)
    let dropped: PendingPublish | undefined
    if (this.pending.size >= this.limit && !this.pending.has(packetId)) {
      const oldest = this.pending.keys().next()
      if (!oldest.done) {
        dropped = this.pending.get(oldest.value)
        this.pending.delete(oldest.value)
        this.forgottenIds.set(oldest.value, dropped?.qos)
        this.forgotten++
      }
    }
    this.pending.set(packetId, pub)
    if (!dropped || (this.told > 0 && pub.t - this.toldAt < NOTE_EVERY_MS)) return null
    return this.note(pub.t, dropped)
  }

  /**
   * An ack for `packetId`: the publish it answers (left paired when the ack is midway, PUBREC / PUBREL), or
   * `forgotten` when that publish was pushed out by the limit.
   */
  answer(packetId: number, final: boolean): { pub?: PendingPublish; forgotten: boolean } {
    const pub = this.pending.get(packetId)
    if (pub) {
      if (final) this.pending.delete(packetId)
      return { pub, forgotten: false }
    }
    const forgotten = this.forgottenIds.has(packetId)
    if (forgotten && final) this.forgottenIds.delete(packetId)
    return { forgotten }
  }

  /** Publishes still awaiting their acks (their packet ids), oldest first. */
  awaiting(): [number, PendingPublish][] {
    return [...this.pending]
  }

  /** The QoS of each forgotten publish whose final ack has not come on this connection. */
  unanswered(): (number | undefined)[] {
    return [...this.forgottenIds.values()]
  }

  /** A publish carried from the connection before goes on awaiting its acks on this one. */
  restore(packetId: number, pub: PendingPublish): void {
    this.pending.set(packetId, pub)
  }

  /** The note for publishes forgotten since the log was last told (the connection is ending), or null. */
  flush(t: number): PairingNote | null {
    return this.forgotten > this.told ? this.note(t, undefined) : null
  }

  private note(t: number, dropped: PendingPublish | undefined): PairingNote {
    this.told = this.forgotten
    this.toldAt = t
    const limit = this.limit.toLocaleString('en-US')
    const what = dropped ? `forgot the oldest, #${dropped.seq} on ${dropped.topic}` : 'forgot the oldest'
    return {
      words: `More than ${limit} QoS 1/2 publishes awaited their acks: ${what}; acks for forgotten publishes are not paired (${this.forgotten.toLocaleString('en-US')} forgotten so far)`,
      c: { forgotten: this.forgotten, limit: this.limit },
    }
  }
}
