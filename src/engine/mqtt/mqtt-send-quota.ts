import type { IClientPublishOptions, MqttClient } from 'mqtt'

/**
 * The broker's Receive Maximum (CONNACK, MQTT 5): how many of our QoS 1 and 2 publishes it takes in flight at
 * once. MQTT.js does not hold its publishes to it, and a broker refuses the one past it (mosquitto: 'Quota
 * exceeded', 151, after which a QoS 2 publish's handshake never ends). Publishes past the quota wait here, in
 * order, each sent as an earlier one's handshake ends (PUBACK, PUBCOMP, or a refusal). One per session: each
 * connection's client and quota are handed over as it opens.
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
   * tells none). Publishes still waiting go first, as places free.
   */
  opened(client: MqttClient, max = 65_535): void {
    this.client = client
    this.max = max
    this.inFlight = 0
    this.sendWaiting()
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

/** The log's words for publishes that waited for the quota when the connection closed (none was sent). */
export const unsentWords = (n: number): string =>
  `${n === 1 ? '1 publish was' : `${n} publishes were`} not sent: ${n === 1 ? 'it' : 'they'} waited for the broker's Receive Maximum when the connection closed`
