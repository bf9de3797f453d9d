import type { IClientPublishOptions, MqttClient, Packet } from 'mqtt'
import { resend } from './mqtt-session-store'

/**
 * The broker's Receive Maximum (CONNACK, MQTT 5): how many of our QoS 1 and 2 publishes it takes in flight at
 * once. MQTT.js does not hold its publishes to it, and a broker refuses the one past it (mosquitto: 'Quota
 * exceeded', 151, after which a QoS 2 publish's handshake never ends). Publishes past the quota wait here, in
 * order, each sent as an earlier one's handshake ends (PUBACK, PUBCOMP, or a refusal). One per session: each
 * connection's client and quota are handed over as it opens.
 *
 * Those still waiting when a persistent session's connection drops are ours, not the broker's, so they wait on
 * for the next connection and go there after the stored publishes that awaited their acks, which go again first
 * (`opened`), within the same places. Whether they go at all when the broker kept no session is the caller's
 * (mqtt-our-publishes.ts).
 */
type Waiting =
  | { topic: string; payload: Buffer | string; options: IClientPublishOptions }
  /** A stored PUBLISH or PUBREL sent again with its packet id. */
  | { stored: Packet }

export class SendQuota {
  /** The open connection's client (null between connections). */
  private client: MqttClient | null = null
  private max = 65_535
  private inFlight = 0
  private readonly waiting: Waiting[] = []

  /**
   * A connection opened; `max`: its CONNACK's Receive Maximum (absent: 65,535, as MQTT 5 says; a 3.1.1 broker
   * tells none). `resent` (stored packets sent again) go first, then the publishes still waiting, as places free.
   */
  opened(client: MqttClient, max = 65_535, resent: readonly Packet[] = []): void {
    this.client = client
    this.max = max
    this.inFlight = 0
    const publishes = this.waiting.splice(0)
    for (const stored of resent) this.waiting.push({ stored })
    for (const w of publishes) this.waiting.push(w)
    this.sendWaiting()
  }

  /** How many publishes wait for a place. */
  get count(): number {
    return this.waiting.length
  }

  /**
   * Publishes on the open connection now (true), or once the broker takes one more in flight (false). QoS 0 goes
   * at once: it is never in flight.
   */
  publish(topic: string, payload: Buffer | string, options: IClientPublishOptions): boolean {
    const client = this.client
    if (client && !options.qos) {
      client.publish(topic, payload, options, () => undefined)
      return true
    }
    if (client && this.inFlight < this.max && this.waiting.length === 0) {
      this.send(client, { topic, payload, options })
      return true
    }
    this.waiting.push({ topic, payload, options })
    return false
  }

  /**
   * The connection closed: nothing more goes on it (stored packets not yet sent again stay in the store for the
   * next). Answers how many publishes still wait.
   */
  closed(): number {
    this.client = null
    let resends = 0
    while (resends < this.waiting.length && 'stored' in (this.waiting[resends] as Waiting)) resends++
    this.waiting.splice(0, resends)
    return this.waiting.length
  }

  /** The publishes still waiting, taken off (none will be sent): how many. */
  drop(): number {
    return this.waiting.splice(0).length
  }

  private send(client: MqttClient, w: Waiting): void {
    this.inFlight++
    // The handshake's steps and their reason codes are in the log: the callback only frees its place (on the
    // connection it was sent on: a later one has places of its own).
    const freed = (): void => {
      if (this.client !== client) return
      this.inFlight--
      this.sendWaiting()
    }
    if ('stored' in w) resend(client, w.stored, freed)
    else client.publish(w.topic, w.payload, w.options, freed)
  }

  private sendWaiting(): void {
    const client = this.client
    // A client that is disconnecting (the person's close waits for the acks) takes nothing more: MQTT.js would
    // refuse each at once, and they stay waiting, told of as not sent when the connection ends.
    while (
      client &&
      this.client === client &&
      !client.disconnecting &&
      this.inFlight < this.max &&
      this.waiting.length > 0
    )
      this.send(client, this.waiting.shift() as Waiting)
  }
}

/**
 * The log's words for publishes that waited for the quota when the connection closed (none was sent), and `why`
 * they will not be, when more than the session's end.
 */
export const unsentWords = (n: number, why = ''): string =>
  `${n === 1 ? '1 publish was' : `${n} publishes were`} not sent: ${n === 1 ? 'it' : 'they'} waited for the broker's Receive Maximum when the connection closed${why ? `, and ${why}` : ''}`

/**
 * Why a persistent session's publishes are not sent on a connection whose MQTT 5 broker kept no session: the
 * protocol has the client discard its session state then.
 */
export const NEW_SESSION =
  'the broker started a new session (CONNACK: session present 0): MQTT 5 has a client discard its session state then'
/** Why waiting publishes are not carried over a reconnect with clean start. */
export const CLEAN_START = 'the next connection starts a clean session'

/** The log's words for publishes kept waiting for the next connection of a persistent session. */
export const heldWords = (n: number): string =>
  `${n === 1 ? '1 publish waits' : `${n} publishes wait`} for the broker's Receive Maximum: ${n === 1 ? 'it goes' : 'they go'} on the next connection if the broker kept the session`
