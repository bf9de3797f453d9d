import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as mqttConnect, MqttClient, type IClientOptions, type IPublishPacket } from 'mqtt'
import type { MqttOptions } from '../../shared/mqtt'
import type { Clock } from '../clock'
import type { ExchangeMarks } from '../http/timings'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { timedConnection } from '../ws/ws-connection'
import { PacedStream } from './mqtt-paced-stream'
import { QUICK_MAX_PACKET } from './mqtt-quick-publish'
import { SizeGuard, type OversizeMessage } from './mqtt-size-guard'

export interface ClientFor {
  sid: string
  clock: Clock
  url: URL
  options: MqttOptions
  ca: string | undefined
  attempt: SessionAttempt
  marks: ExchangeMarks
  /** MQTT.js's options for this connection. */
  client: IClientOptions
  /** CONNECT went out. */
  sent: () => void
  /** The connection's bytes, a slice at a time, as MQTT.js is handed them. */
  onSlice: (slice: Buffer) => void
}

/** MQTT.js's way to open its connection; not among its typed members, checked where it is used. */
type StreamBuilder = (client: MqttClient) => Duplex

/**
 * MQTT.js's client for one connection attempt. Over TCP and TLS it connects through the engine's timed
 * connection (DNS, connect and TLS as phases of the first connection); over WebSocket MQTT.js connects itself
 * and writes CONNECT as the socket opens, so those phases are not measured apart. Either way MQTT.js reads the
 * connection through PacedStream (a flood is fair). Throws what MQTT.js throws, the connection it opened closed.
 */
export function mqttClientFor(c: ClientFor): MqttClient {
  const { url, options: o } = c
  const scheme = url.protocol.slice(0, -1)
  if (scheme !== 'mqtt' && scheme !== 'mqtts') {
    // MQTT.js makes the WebSocket's stream from the URL and options as ever; it is read through PacedStream.
    const client = mqttConnect(url.href, { ...c.client, manualConnect: true })
    const own = client as unknown as { streamBuilder?: unknown }
    const build = own.streamBuilder
    if (typeof build !== 'function') throw new Error('This MQTT.js has no stream builder to pace')
    own.streamBuilder = ((mc: MqttClient) =>
      new PacedStream((build as StreamBuilder)(mc), c.onSlice)) as StreamBuilder
    try {
      client.connect()
    } catch (e) {
      abandon((client as unknown as { stream?: Duplex }).stream ?? null)
      throw e
    }
    c.sent()
    return client
  }
  const secure = scheme === 'mqtts'
  const port = Number(url.port) || (secure ? 8883 : 1883)
  const make = timedConnection(c.sid, c.clock, secure, c.attempt, c.marks, c.sent) as unknown as (
    o: Record<string, unknown>,
  ) => Socket
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let socket: Socket | null = null
  const builder = (): Socket => {
    socket = make({ host, port, rejectUnauthorized: !o.insecure, ...(c.ca ? { ca: c.ca } : {}) })
    return new PacedStream(socket, c.onSlice) as unknown as Socket
  }
  try {
    return new MqttClient(builder, c.client)
  } catch (e) {
    // MQTT.js threw after opening the connection, before it listened to it: an error there would be uncaught.
    abandon(socket)
    throw e
  }
}

function abandon(stream: Duplex | null): void {
  if (!stream) return
  stream.on('error', () => undefined)
  stream.destroy()
}

/**
 * Once CONNACK is handled: the connection's plain QoS 0 publishes are read by its paced stream while MQTT.js has
 * nothing left to handle (mqtt-quick-publish.ts), and told to `onMessage` as MQTT.js tells its 'message' event.
 */
export function readPublishesQuickly(
  client: MqttClient,
  o: MqttOptions,
  onMessage: (topic: string, payload: Buffer, packet: IPublishPacket, topicHex?: string) => void,
): void {
  const stream: unknown = client.stream
  if (!(stream instanceof PacedStream)) return
  stream.readPublishes({
    v5: o.protocolVersion === 5,
    maxPacket: Math.min(QUICK_MAX_PACKET, o.maxMessageBytes),
    message: (topic, payload, retain, length, topicHex) =>
      onMessage(
        topic,
        payload,
        { cmd: 'publish', qos: 0, dup: false, retain, topic, payload, length },
        topicHex,
      ),
  })
}

/**
 * From the connection's first byte, a broker's message past the limit is refused as its header arrives
 * (mqtt-size-guard.ts): MQTT.js is handed the bytes before it and nothing from it on; `tooLarge` is told.
 */
export function guardSizes(client: MqttClient, o: MqttOptions, tooLarge: (m: OversizeMessage) => void): void {
  const stream: unknown = client.stream
  if (stream instanceof PacedStream)
    stream.guardSizes(new SizeGuard(o.maxMessageBytes, o.protocolVersion === 5, tooLarge))
}

/**
 * The raw topics of the publishes MQTT.js reads (mqtt-raw-topics.ts): call `next` as MQTT.js handles each packet
 * it reads ('packetreceive'); answers the topic's bytes as hex when they were not UTF-8.
 */
export function rawTopicsOf(client: MqttClient): { next(): string | undefined } {
  const stream: unknown = client.stream
  return stream instanceof PacedStream ? stream.rawTopics : { next: () => undefined }
}
