import { Store, type IStore } from 'mqtt'
import type { MqttControl } from '../../shared/mqtt'
import type { AckPairing, PendingPublish } from './mqtt-ack-pairing'

/**
 * QoS 1/2 publishes still awaiting their acks when a connection drops. With a persistent session (clean start
 * off) every connection of the session shares one MQTT.js store, so the next connection sends them again as
 * soon as CONNACK arrives (MQTT.js does, before it says it is connected); the log counts them ("Resent 3 …") and
 * their acks pair with the copies sent again. With clean start, or when the session ends, the broker keeps no
 * session to finish them: each is marked lost in the log, and the connection's end says how many. Whether a lost
 * publish reached the broker is unknown: only its ack would have said.
 */

/** A store that outlives the MQTT.js client using it: MQTT.js closes its stores when a client ends. */
class SessionStore extends Store {
  override close(cb: () => void): void {
    cb()
  }
}

interface InFlightControl extends MqttControl {
  resent?: number
  lost?: boolean
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
  readonly store: IStore | undefined
  /** Publishes awaiting acks when the connection before dropped, by packet id, to be sent again. */
  private carried = new Map<number, PendingPublish>()
  private resent: [number, PendingPublish][] = []

  constructor(persistent: boolean) {
    this.store = persistent ? new SessionStore() : undefined
  }

  /** A new connection: the carried publishes await their acks on it. */
  connecting(pairing: AckPairing): void {
    this.resent = []
    for (const [id, pub] of this.carried) pairing.restore(id, pub)
  }

  /** A publish (or QoS 2's PUBREL) went out: a carried one is being sent again. */
  sent(packetId: number): void {
    const pub = this.carried.get(packetId)
    if (pub === undefined) return
    this.carried.delete(packetId)
    this.resent.push([packetId, pub])
  }

  /** Once the connection is open: what was sent again, in words (null when nothing was). */
  resentNote(): { words: string; c: InFlightControl } | null {
    // Anything carried and not sent again stays in the pairing and is told of when this connection ends.
    this.carried.clear()
    const n = this.resent.length
    if (n === 0) return null
    const shown = this.resent.slice(0, 20).map(([id, p]) => `#${id} ${p.topic}`)
    const more = n > 20 ? `, and ${n - 20} more` : ''
    return {
      words: `Resent ${n} QoS 1/2 publish${n === 1 ? '' : 'es'} that awaited ${n === 1 ? 'its' : 'their'} acks when the connection dropped (persistent session): ${shown.join(', ')}${more}`,
      c: { resent: n },
    }
  }

  /**
   * The connection dropped with `awaiting` publishes: carried (`carry`) or lost because `why` (the broker
   * dropped the session, the session ended).
   */
  dropped(awaiting: [number, PendingPublish][], carry: boolean, why: string): DroppedPublishes {
    if (awaiting.length === 0) return { lost: [], summary: '' }
    const counts = countByQos(awaiting)
    if (carry) {
      for (const [id, pub] of awaiting) this.carried.set(id, pub)
      const they = awaiting.length === 1 ? 'its ack' : 'their acks'
      return {
        lost: [],
        summary: `${counts} awaiting ${they}, to be resent on the next connection (persistent session)`,
      }
    }
    this.carried.clear()
    const lost = awaiting.map(([packetId, pub]) => {
      const ack = pub.qos === 2 ? 'PUBCOMP' : 'PUBACK'
      const c: InFlightControl = { packetId, topic: pub.topic, publishSeq: pub.seq, lost: true }
      if (pub.qos !== undefined) c.qos = pub.qos
      return {
        words: `Publish #${packetId} on ${pub.topic} (QoS ${pub.qos ?? 1}) lost: no ${ack} before the connection dropped, and ${why}; it is not sent again (whether it reached the broker is unknown)`,
        c,
      }
    })
    return { lost, summary: `${counts} lost: ${why}` }
  }

  /** The session ends between connections: the publishes carried for the next one are lost. */
  abandon(why: string): DroppedPublishes {
    return this.dropped([...this.carried], false, why)
  }
}

/** "3 QoS 1 publishes", "2 QoS 1 and 1 QoS 2 publishes". */
function countByQos(list: [number, PendingPublish][]): string {
  const one = list.filter(([, p]) => p.qos !== 2).length
  const two = list.length - one
  const parts = [...(one ? [`${one} QoS 1`] : []), ...(two ? [`${two} QoS 2`] : [])]
  return `${parts.join(' and ')} publish${list.length === 1 ? '' : 'es'}`
}
