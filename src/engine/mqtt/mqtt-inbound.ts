import type { IPublishPacket, MqttClient, Packet } from 'mqtt'
import { rawTopicsOf } from './mqtt-client'

/** What a connection reads from the broker, as `listenInbound` tells it. */
export interface Inbound {
  /** Every packet but a PUBLISH (CONNACK, acks, SUBACK, DISCONNECT, …). */
  packet(p: Packet): void
  /** A broker's message (a QoS 2 one at its PUBREL); `topicHex`: the topic's bytes when they were not UTF-8. */
  message(topic: string, payload: Buffer, packet: IPublishPacket, topicHex?: string): void
}

/**
 * The broker's packets on one MQTT.js client, each told once: messages with their raw topic bytes paired from
 * the paced stream (mqtt-raw-topics.ts), the rest as packets. Returns the message listener, for the engine's
 * quick path (mqtt-quick-publish.ts) to tell its messages the same way.
 */
export function listenInbound(client: MqttClient, on: Inbound): Inbound['message'] {
  const rawTopics = rawTopicsOf(client)
  /** The raw topics of the publishes MQTT.js handed over, till their 'message' (a QoS 2 one's at PUBREL). */
  const topicHexOf = new WeakMap<IPublishPacket, string>()
  client.on('packetreceive', (p: Packet) => {
    const hex = rawTopics.next()
    // A broker's publish is told by 'message' (the flood's path: nothing more to do for it here).
    if (p.cmd === 'publish') {
      if (hex !== undefined) topicHexOf.set(p, hex)
    } else on.packet(p)
  })
  const message: Inbound['message'] = (topic, payload, packet, quickHex) =>
    on.message(topic, payload, packet, quickHex ?? topicHexOf.get(packet))
  client.on('message', message)
  return message
}
