import { z } from 'zod'
import { authSchema } from './auth-spec'
import { lazySchema } from './lazy-schema'

/**
 * MQTT sessions (3.1.1 and 5): the payloads of their commands, their defaults, and MQTT's reason codes in plain
 * words. A received or published message is a stream-log entry whose event is its topic and whose id is its
 * delivery as JSON (`MqttDelivery`); the QoS handshake's packets (PUBACK, PUBREC, PUBREL, PUBCOMP) and SUBACKs
 * are `control` entries named after the packet, their id an `MqttControl` as JSON.
 */

const sid = lazySchema(() => z.string().min(1).max(64))
/**
 * Where a session's `{{variables}}` resolve: collection.ts's requestContextSchema, written out here because
 * collection.ts imports this file (for its saved blocks).
 */
export const messagingContextSchema = lazySchema(() =>
  z
    .object({
      dir: z.string().min(1).max(4096),
      path: z.string().max(4096),
      env: z.string().max(256).optional(),
    })
    .strict(),
)
export const mqttQosSchema = lazySchema(() => z.union([z.literal(0), z.literal(1), z.literal(2)]))
export type MqttQos = z.infer<typeof mqttQosSchema>

const userProperties = lazySchema(() =>
  z.array(z.object({ name: z.string().max(4096), value: z.string().max(65_535) })).max(256),
)

/** A publish's MQTT 5 properties (ignored by a 3.1.1 connection). */
export const mqttPublishPropertiesSchema = lazySchema(() =>
  z
    .object({
      contentType: z.string().max(4096).optional(),
      responseTopic: z.string().max(65_535).optional(),
      /** Sent as these bytes' UTF-8; shown back as text. */
      correlationData: z.string().max(65_535).optional(),
      payloadFormatIndicator: z.boolean().optional(),
      messageExpiryInterval: z.number().int().min(0).max(4_294_967_295).optional(),
      userProperties: userProperties.optional(),
    })
    .strict(),
)
export type MqttPublishProperties = z.infer<typeof mqttPublishPropertiesSchema>

export const mqttSubscriptionSchema = lazySchema(() =>
  z.object({ topic: z.string().min(1).max(65_535), qos: mqttQosSchema }).strict(),
)
export type MqttSubscription = z.infer<typeof mqttSubscriptionSchema>

export const mqttWillSchema = lazySchema(() =>
  z
    .object({
      topic: z.string().min(1).max(65_535),
      payload: z.string().max(256 * 1024),
      qos: mqttQosSchema,
      retain: z.boolean(),
      properties: mqttPublishPropertiesSchema.optional(),
    })
    .strict(),
)

export const mqttOptionsSchema = lazySchema(() =>
  z
    .object({
      /** 4 is MQTT 3.1.1, 5 is MQTT 5. */
      protocolVersion: z.union([z.literal(4), z.literal(5)]),
      /** Empty: a generated one (`flightdeck-` and random hex). */
      clientId: z.string().max(65_535),
      /** Clean start (MQTT 5) / clean session (3.1.1). */
      clean: z.boolean(),
      /** Seconds; 0 turns keep-alive off. */
      keepalive: z.number().int().min(0).max(65_535),
      username: z.string().max(65_535).optional(),
      password: z.string().max(65_535).optional(),
      will: mqttWillSchema.optional(),
      /** CONNECT's MQTT 5 properties. */
      sessionExpiryInterval: z.number().int().min(0).max(4_294_967_295).optional(),
      receiveMaximum: z.number().int().min(1).max(65_535).optional(),
      userProperties: userProperties.optional(),
      reconnect: z.boolean(),
      maxRetries: z.number().int().min(0).max(1000),
      backoffMs: z.number().int().min(0).max(600_000),
      maxBackoffMs: z.number().int().min(0).max(3_600_000),
      insecure: z.boolean(),
      caFile: z.string().max(4096).optional(),
      connectTimeoutMs: z.number().int().min(1).max(600_000),
      /** Incoming messages larger than this are refused: the connection is closed, saying so. */
      maxMessageBytes: z
        .number()
        .int()
        .min(1)
        .max(256 * 1024 * 1024),
    })
    .strict(),
)
export type MqttOptions = z.infer<typeof mqttOptionsSchema>

export const DEFAULT_MQTT_OPTIONS: MqttOptions = {
  protocolVersion: 5,
  clientId: '',
  clean: true,
  keepalive: 60,
  reconnect: false,
  maxRetries: 5,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  insecure: false,
  connectTimeoutMs: 10_000,
  maxMessageBytes: 16 * 1024 * 1024,
}

export const mqttOpenPayload = lazySchema(() =>
  z
    .object({
      /** mqtt://, mqtts://, ws:// or wss://. */
      url: z.string().max(64 * 1024),
      options: mqttOptionsSchema.partial().optional(),
      /** Subscribed on every connection (the first and each reconnect). */
      subscriptions: z.array(mqttSubscriptionSchema).max(1000),
      /** The request's collection, file and environment: `{{variables}}` in the URL (and headers) resolve there. */
      context: messagingContextSchema.optional(),
      /** The request's own auth (`inherit`: its folder's, then the collection's); an OAuth 2.0 one gives the session its token. */
      requestAuth: authSchema.optional(),
    })
    .strict(),
)

export const mqttPublishPayload = lazySchema(() =>
  z
    .object({
      sid,
      topic: z.string().min(1).max(65_535),
      /** Text, or bytes as hex / base64 with `encoding`. */
      payload: z.string().max(256 * 1024 * 1024),
      encoding: z.enum(['utf8', 'hex', 'base64']).optional(),
      qos: mqttQosSchema,
      retain: z.boolean(),
      properties: mqttPublishPropertiesSchema.optional(),
    })
    .strict(),
)

export const mqttSubscribePayload = lazySchema(() =>
  z.object({ sid, subscriptions: z.array(mqttSubscriptionSchema).min(1).max(1000) }).strict(),
)

export const mqttUnsubscribePayload = lazySchema(() =>
  z.object({ sid, topics: z.array(z.string().min(1).max(65_535)).min(1).max(1000) }).strict(),
)

/** How a message was delivered or published: a log entry's id, as JSON. */
export interface MqttDelivery {
  qos: MqttQos
  retain: boolean
  /** A redelivery (the DUP flag). */
  dup?: boolean
  packetId?: number
  properties?: MqttPublishProperties
  /** The topic's bytes as the broker sent them, in hex, when they are not UTF-8 (the topic shows U+FFFD). */
  topicHex?: string
}

/** A control packet among the messages (a QoS handshake step, a SUBACK): a log entry's id, as JSON. */
export interface MqttControl {
  packetId?: number
  /** The reason code and its words (MQTT 5; 3.1.1 acks carry none and are `Success`). */
  reasonCode?: number
  reason?: string
  /** The publish this step belongs to: its topic, its log seq and the ms since it went out. */
  topic?: string
  publishSeq?: number
  rttMs?: number
  /** A `pairing limit` entry: publishes forgotten so far (their acks go unpaired), and the limit. */
  forgotten?: number
  limit?: number
}

/** The delivery of a log entry from its id, or null when the id is not one. */
export function parseMqttDelivery(id: string | undefined): MqttDelivery | null {
  if (!id || id[0] !== '{') return null
  try {
    const v: unknown = JSON.parse(id)
    return typeof v === 'object' && v !== null && 'qos' in v ? (v as MqttDelivery) : null
  } catch {
    return null
  }
}

/** MQTT 5 reason codes (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT), in words. */
const REASONS: Record<number, string> = {
  0: 'Success',
  1: 'Granted QoS 1',
  2: 'Granted QoS 2',
  4: 'Disconnect with will message',
  16: 'No matching subscribers',
  17: 'No subscription existed',
  24: 'Continue authentication',
  25: 'Re-authenticate',
  128: 'Unspecified error',
  129: 'Malformed packet',
  130: 'Protocol error',
  131: 'Implementation specific error',
  132: 'Unsupported protocol version',
  133: 'Client identifier not valid',
  134: 'Bad user name or password',
  135: 'Not authorized',
  136: 'Server unavailable',
  137: 'Server busy',
  138: 'Banned',
  139: 'Server shutting down',
  140: 'Bad authentication method',
  141: 'Keep alive timeout',
  142: 'Session taken over',
  143: 'Topic filter invalid',
  144: 'Topic name invalid',
  145: 'Packet identifier in use',
  146: 'Packet identifier not found',
  147: 'Receive maximum exceeded',
  148: 'Topic alias invalid',
  149: 'Packet too large',
  150: 'Message rate too high',
  151: 'Quota exceeded',
  152: 'Administrative action',
  153: 'Payload format invalid',
  154: 'Retain not supported',
  155: 'QoS not supported',
  156: 'Use another server',
  157: 'Server moved',
  158: 'Shared subscriptions not supported',
  159: 'Connection rate exceeded',
  160: 'Maximum connect time',
  161: 'Subscription identifiers not supported',
  162: 'Wildcard subscriptions not supported',
}

/** MQTT 3.1.1's CONNACK return codes. */
const CONNACK_311: Record<number, string> = {
  0: 'Connection accepted',
  1: 'Unacceptable protocol version',
  2: 'Client identifier rejected',
  3: 'Server unavailable',
  4: 'Bad user name or password',
  5: 'Not authorized',
}

/** A reason code in words, with its number: `Not authorized (135)`. */
export function mqttReasonText(
  code: number,
  version: 4 | 5 = 5,
  packet: 'connack' | 'other' = 'other',
): string {
  const words = version === 4 && packet === 'connack' ? CONNACK_311[code] : REASONS[code]
  return `${words ?? 'Unknown reason'} (${code})`
}

/** A SUBACK's granted QoS or refusal in words (3.1.1 refuses with 128; 5 with its reason codes). */
export function subackText(code: number): string {
  if (code === 0 || code === 1 || code === 2) return `granted QoS ${code}`
  return `refused: ${mqttReasonText(code)}`
}

/** A publish kept with a saved MQTT request (as a WebSocket request keeps its messages). */
export const savedMqttPublishSchema = lazySchema(() =>
  z
    .object({
      name: z.string().max(256),
      topic: z.string().min(1).max(65_535),
      payload: z.string().max(16 * 1024 * 1024),
      qos: mqttQosSchema,
      retain: z.boolean(),
      properties: mqttPublishPropertiesSchema.optional(),
    })
    .strict(),
)

/** A saved MQTT request's own fields (its URL is the request's; a run sends the publishes once connected). */
export const savedMqttSchema = lazySchema(() =>
  z
    .object({
      options: mqttOptionsSchema.partial().optional(),
      subscriptions: z.array(mqttSubscriptionSchema).max(1000),
      publishes: z.array(savedMqttPublishSchema).max(1000),
    })
    .strict(),
)
export type SavedMqtt = z.infer<typeof savedMqttSchema>
