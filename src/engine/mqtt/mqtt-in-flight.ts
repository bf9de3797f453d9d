import type { Packet } from 'mqtt'
import type { MqttControl } from '../../shared/mqtt'
import type { AckPairing, PendingPublish } from './mqtt-ack-pairing'
import { SessionStore } from './mqtt-session-store'

/**
 * QoS 1/2 publishes still awaiting their acks when a connection drops. With a persistent session (clean start
 * off) every connection of the session shares one MQTT.js store, so the next connection sends them again as
 * soon as CONNACK arrives (the session sends them, mqtt-our-publishes.ts); the log counts them ("Resent 3 …") and
 * their acks pair with the copies sent again. An MQTT 5 broker that answers with a new session has them discarded
 * (each an `unsent` entry). With clean start, or when the session ends, the broker keeps no
 * session to finish them: each is marked lost in the log, and the connection's end says how many. Whether a lost
 * publish reached the broker is unknown: only its ack would have said.
 */

interface InFlightControl extends MqttControl {
  resent?: number
  lost?: boolean
  unsent?: boolean
  qos?: number
}

export interface DroppedPublishes {
  /** One entry per publish lost: words and id. */
  lost: { words: string; c: InFlightControl }[]
  /** For the connection's end: how many, and what becomes of them ('' when none awaited). */
  summary: string
}

export class InFlightPublishes {
  /** The store every connection of a persistent session shares (undefined with clean start). */
  readonly store: SessionStore | undefined
  /** Publishes awaiting acks when the connection before dropped, by packet id, to be sent again. */
  private carried = new Map<number, PendingPublish>()
  /**
   * Publishes forgotten past the pairing limit whose acks had not come when a connection dropped, by QoS (1
   * and 2): not listed one by one (their details were let go), but counted when they are lost.
   */
  private carriedForgotten = { one: 0, two: 0 }

  constructor(persistent: boolean) {
    this.store = persistent ? new SessionStore() : undefined
  }

  /** A new connection: the carried publishes await their acks on it. */
  connecting(pairing: AckPairing): void {
    for (const [id, pub] of this.carried) pairing.restore(id, pub)
  }

  /**
   * Once the connection is open: the stored packets it sends again, in words (null when none); `newSession`: the
   * broker kept no session (MQTT 3.1.1, which leaves them to the client: they go all the same).
   */
  resentNote(stored: readonly Packet[], newSession: boolean): { words: string; c: InFlightControl } | null {
    // Their acks pair with the copies sent again (or, for forgotten ones, afresh as they go out).
    // A PUBREL says so: the broker has that message (its PUBREC came), only the release goes again.
    const named = stored.map(
      (p) =>
        `#${p.messageId ?? '?'} ${this.topicOf(p)}${p.cmd === 'pubrel' ? ' (its PUBREL: PUBREC had come)' : ''}`,
    )
    this.carried.clear()
    this.carriedForgotten = { one: 0, two: 0 }
    const n = stored.length
    if (n === 0) return null
    const more = n > 20 ? `, and ${n - 20} more` : ''
    const why = newSession
      ? ', though the broker started a new session (CONNACK: session present 0; MQTT 3.1.1 leaves them to the client)'
      : ' (persistent session)'
    return {
      words: `Resent ${n} QoS 1/2 publish${n === 1 ? '' : 'es'} that awaited ${n === 1 ? 'its ack' : 'their acks'} when the connection dropped${why}: ${named.slice(0, 20).join(', ')}${more}`,
      c: { resent: n },
    }
  }

  /**
   * An MQTT 5 broker started a new session: the stored packets are discarded, never sent again (MQTT 5
   * 3.2.2.1.1); one entry each, with `why`.
   */
  discarded(
    stored: readonly Packet[],
    pairing: AckPairing,
    why: string,
  ): { words: string; c: InFlightControl }[] {
    const out = stored.map((p) => {
      const id = p.messageId ?? 0
      const pub = this.carried.get(id)
      pairing.answer(id, true)
      const qos = p.cmd === 'publish' ? p.qos : 2
      const c: InFlightControl = { packetId: id, topic: this.topicOf(p), unsent: true, qos }
      if (pub) c.publishSeq = pub.seq
      const reached =
        p.cmd === 'pubrel' ? ' (it reached the broker: its PUBREC came; PUBREL is not sent)' : ''
      return {
        words: `Publish #${id} on ${c.topic} (QoS ${qos}) not sent again: ${why}${reached}`,
        c,
      }
    })
    this.carried.clear()
    this.carriedForgotten = { one: 0, two: 0 }
    return out
  }

  private topicOf(p: Packet): string {
    if (p.cmd === 'publish') return p.topic
    return (
      (p.messageId !== undefined && this.carried.get(p.messageId)?.topic) ||
      '(a publish forgotten past the pairing limit)'
    )
  }

  /**
   * The connection dropped with `awaiting` publishes: carried (`carry`) or lost because `why` (the broker
   * dropped the session, the session ended).
   */
  dropped(
    awaiting: [number, PendingPublish][],
    forgotten: (number | undefined)[],
    carry: boolean,
    why: string,
  ): DroppedPublishes {
    const f = this.carriedForgotten
    for (const qos of forgotten) {
      if (qos === 2) f.two++
      else f.one++
    }
    const awaitingOnes = awaiting.filter(([, p]) => p.qos !== 2).length
    const ones = awaitingOnes + f.one
    const twos = awaiting.length - awaitingOnes + f.two
    if (ones + twos === 0) return { lost: [], summary: '' }
    const nForgotten = f.one + f.two
    const counts = countByQos(ones, twos)
    const note = nForgotten ? ` (${num(nForgotten)} of them forgotten past the pairing limit)` : ''
    if (carry) {
      for (const [id, pub] of awaiting) this.carried.set(id, pub)
      const they = ones + twos === 1 ? 'its ack' : 'their acks'
      return {
        lost: [],
        summary: `${counts} awaiting ${they}${note}, to be resent on the next connection (persistent session)`,
      }
    }
    this.carried.clear()
    this.carriedForgotten = { one: 0, two: 0 }
    const lost = awaiting.map(([packetId, pub]) => {
      const ack = pub.qos === 2 ? 'PUBCOMP' : 'PUBACK'
      const c: InFlightControl = { packetId, topic: pub.topic, publishSeq: pub.seq, lost: true }
      if (pub.qos !== undefined) c.qos = pub.qos
      return {
        words: `Publish #${packetId} on ${pub.topic} (QoS ${pub.qos ?? 1}) lost: no ${ack} before the connection dropped, and ${why}; it is not sent again (whether it reached the broker is unknown)`,
        c,
      }
    })
    return { lost, summary: `${counts} lost${note}: ${why}` }
  }

  /** The session ends between connections: the publishes carried for the next one are lost. */
  abandon(why: string): DroppedPublishes {
    return this.dropped([...this.carried], [], false, why)
  }
}

const num = (n: number): string => n.toLocaleString('en-US')

/** "3 QoS 1 publishes", "2 QoS 1 and 1 QoS 2 publishes". */
function countByQos(one: number, two: number): string {
  const parts = [...(one ? [`${num(one)} QoS 1`] : []), ...(two ? [`${num(two)} QoS 2`] : [])]
  return `${parts.join(' and ')} publish${one + two === 1 ? '' : 'es'}`
}
