import type { IClientPublishOptions, MqttClient } from 'mqtt'

/**
 * The broker's Receive Maximum (CONNACK, MQTT 5): how many of our QoS 1 and 2 publishes it takes in flight at
 * once. MQTT.js does not hold its publishes to it, and a broker refuses the one past it (mosquitto: 'Quota
 * exceeded', 151, after which a QoS 2 publish's handshake never ends). Publishes past the quota wait here, in
 * order, each sent as an earlier one's handshake ends (PUBACK, PUBCOMP, or a refusal). One per session: each
 * connection's client and quota are handed over as it opens.
 *
 * Those still waiting when a persistent session's connection drops are ours, not the broker's, so they wait on
 * for the next connection and go there if the broker kept the session (CONNACK's session present), after the
 * ones MQTT.js sends again from its store (it sends those one at a time, each after the ack of the one before,
 * before it says it is connected: they never take more than one place). A broker that kept no session has no
 * place for them: they are not sent, and the log says why.
 */
interface Waiting {
  topic: string
  payload: Buffer | string
  options: IClientPublishOptions
}

export class SendQuota {
  /** The open connection's client (null between connections). */
  private client: MqttClient | null = null
  private max = 65_535
  private inFlight = 0
  private readonly waiting: Waiting[] = []

  /**
   * A connection opened; `max`: its CONNACK's Receive Maximum (absent: 65,535, as MQTT 5 says; a 3.1.1 broker
   * tells none). Publishes still waiting go first, as places free, when the broker kept the session
   * (`sessionKept`); else they are taken off: answers how many (none was sent).
   */
  opened(client: MqttClient, max = 65_535, sessionKept = true): number {
    this.client = client
    this.max = max
    this.inFlight = 0
    const dropped = sessionKept ? 0 : this.drop()
    this.sendWaiting()
    return dropped
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

  /** The connection closed: nothing more goes on it. Answers how many publishes still wait. */
  closed(): number {
    this.client = null
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
    client.publish(w.topic, w.payload, w.options, () => {
      if (this.client !== client) return
      this.inFlight--
      this.sendWaiting()
    })
  }

  private sendWaiting(): void {
    const client = this.client
    while (client && this.client === client && this.inFlight < this.max && this.waiting.length > 0)
      this.send(client, this.waiting.shift() as Waiting)
  }
}

/**
 * The log's words for publishes that waited for the quota when the connection closed (none was sent), and `why`
 * they will not be, when more than the session's end.
 */
export const unsentWords = (n: number, why = ''): string =>
  `${n === 1 ? '1 publish was' : `${n} publishes were`} not sent: ${n === 1 ? 'it' : 'they'} waited for the broker's Receive Maximum when the connection closed${why ? `, and ${why}` : ''}`

/** Why waiting publishes are not sent on a connection whose broker kept no session. */
export const NO_SESSION = 'the broker kept no session (CONNACK: session present false)'
/** Why waiting publishes are not carried over a reconnect with clean start. */
export const CLEAN_START = 'the next connection starts a clean session'

/** The log's words for publishes kept waiting for the next connection of a persistent session. */
export const heldWords = (n: number): string =>
  `${n === 1 ? '1 publish waits' : `${n} publishes wait`} for the broker's Receive Maximum: ${n === 1 ? 'it goes' : 'they go'} on the next connection if the broker kept the session`
