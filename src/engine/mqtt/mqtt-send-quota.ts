import type { IClientPublishOptions, MqttClient } from 'mqtt'

/**
 * The broker's Receive Maximum (CONNACK, MQTT 5): how many of our QoS 1 and 2 publishes it takes in flight at
 * once. MQTT.js does not hold its publishes to it, and a broker refuses the one past it (mosquitto: 'Quota
 * exceeded', 151, after which a QoS 2 publish's handshake never ends). Publishes past the quota wait here, in
 * order, each sent as an earlier one's handshake ends (PUBACK, PUBCOMP, or a refusal).
 */
export class SendQuota {
  private inFlight = 0
  private readonly waiting: (() => void)[] = []

  /** `max`: CONNACK's Receive Maximum (absent: 65,535, as MQTT 5 says; a 3.1.1 broker tells none). */
  constructor(private readonly max = 65_535) {}

  /** Publishes now, or once the broker takes one more in flight (QoS 0 goes at once: it is never in flight). */
  publish(client: MqttClient, topic: string, payload: Buffer | string, options: IClientPublishOptions): void {
    if (!options.qos) {
      client.publish(topic, payload, options, () => undefined)
      return
    }
    const send = (): void => {
      this.inFlight++
      // The handshake's steps and their reason codes are in the log: the callback only frees its place.
      client.publish(topic, payload, options, () => this.ended())
    }
    if (this.inFlight < this.max && this.waiting.length === 0) send()
    else this.waiting.push(send)
  }

  /** The publishes still waiting, taken off (the connection closed before they could be sent). */
  drop(): number {
    return this.waiting.splice(0).length
  }

  private ended(): void {
    this.inFlight--
    while (this.inFlight < this.max && this.waiting.length > 0) (this.waiting.shift() as () => void)()
  }
}

/** The log's words for publishes that waited for the quota when the connection closed (none was sent). */
export const unsentWords = (n: number): string =>
  `${n === 1 ? '1 publish was' : `${n} publishes were`} not sent: ${n === 1 ? 'it' : 'they'} waited for the broker's Receive Maximum when the connection closed`
