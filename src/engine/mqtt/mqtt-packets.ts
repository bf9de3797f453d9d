import type { IClientPublishOptions, IPublishPacket, Packet } from 'mqtt'
import { fail, ok, type Result } from '../../shared/result'
import {
  mqttReasonText,
  subackText,
  type MqttControl,
  type MqttDelivery,
  type MqttOptions,
  type MqttPublishProperties,
} from '../../shared/mqtt'
import type { HeaderList, ResponseHeadersEvent } from '../../shared/timeline'

/**
 * Translations between MQTT.js's packets and what Flightdeck shows and stores: MQTT 5 properties as plain
 * fields, a message's delivery as its log id, CONNECT's fields as the "request" of the handshake.
 */

type IConnectPacket = Extract<Packet, { cmd: 'connect' }>
type UserProps = Record<string, string | string[]>
type PacketProps = NonNullable<IPublishPacket['properties']>

/** A name/value list as MQTT.js's user properties (a name given twice becomes a list, in order). */
export function toUserProps(
  list: readonly { name: string; value: string }[] | undefined,
): UserProps | undefined {
  if (!list || list.length === 0) return undefined
  const out: UserProps = {}
  for (const { name, value } of list) {
    const had = out[name]
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value]
  }
  return out
}

function fromUserProps(props: UserProps | undefined): { name: string; value: string }[] | undefined {
  if (!props) return undefined
  const out: { name: string; value: string }[] = []
  for (const [name, v] of Object.entries(props)) {
    for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value: String(value) })
  }
  return out.length ? out : undefined
}

/** A publish's properties as MQTT.js sends them. */
export function toPacketProps(p: MqttPublishProperties | undefined): PacketProps | undefined {
  if (!p) return undefined
  const out: PacketProps = {}
  if (p.contentType !== undefined) out.contentType = p.contentType
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic
  if (p.correlationData !== undefined) out.correlationData = Buffer.from(p.correlationData, 'utf8')
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval
  const user = toUserProps(p.userProperties)
  if (user) out.userProperties = user
  return Object.keys(out).length ? out : undefined
}

/** A received publish's properties in plain fields (correlation data as UTF-8 text). */
export function fromPacketProps(p: PacketProps | undefined): MqttPublishProperties | undefined {
  if (!p) return undefined
  const out: MqttPublishProperties = {}
  if (p.contentType !== undefined) out.contentType = p.contentType
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic
  if (p.correlationData !== undefined) out.correlationData = Buffer.from(p.correlationData).toString('utf8')
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval
  const user = fromUserProps(p.userProperties)
  if (user) out.userProperties = user
  return Object.keys(out).length ? out : undefined
}

// The delivery of the commonest messages, stringified once and found by index (qos * 2 + retain): a QoS 0 flood
// costs no JSON and no string per message.
const PLAIN: readonly string[] = [0, 1, 2].flatMap((qos) =>
  [false, true].map((retain) => JSON.stringify({ qos, retain })),
)

/** A publish packet's delivery as a log entry's id (JSON). */
export function deliveryId(packet: IPublishPacket, topicHex?: string): string {
  const props = fromPacketProps(packet.properties)
  if (!props && !packet.dup && !packet.messageId && topicHex === undefined)
    return PLAIN[packet.qos * 2 + (packet.retain ? 1 : 0)] ?? ''
  const d: MqttDelivery = { qos: packet.qos, retain: packet.retain }
  if (packet.dup) d.dup = true
  if (packet.messageId) d.packetId = packet.messageId
  if (props) d.properties = props
  if (topicHex !== undefined) d.topicHex = topicHex
  return JSON.stringify(d)
}

/** CONNECT's fields as the handshake's "request headers" (the password is never shown). */
export function connectFields(p: IConnectPacket): HeaderList {
  const list: HeaderList = [
    ['Protocol', p.protocolVersion === 5 ? 'MQTT 5' : p.protocolVersion === 4 ? 'MQTT 3.1.1' : 'MQTT 3.1'],
    ['Client-Id', p.clientId],
    [p.protocolVersion === 5 ? 'Clean-Start' : 'Clean-Session', p.clean ? 'yes' : 'no'],
    ['Keep-Alive', `${p.keepalive ?? 0} s`],
  ]
  if (p.username !== undefined) list.push(['Username', p.username])
  if (p.password !== undefined) list.push(['Password', '(set, not shown)'])
  if (p.will) list.push(['Will', `${p.will.topic} (QoS ${p.will.qos}${p.will.retain ? ', retained' : ''})`])
  const props = p.properties
  if (props?.sessionExpiryInterval !== undefined)
    list.push(['Session-Expiry-Interval', `${props.sessionExpiryInterval} s`])
  if (props?.receiveMaximum !== undefined) list.push(['Receive-Maximum', String(props.receiveMaximum)])
  if (props?.maximumPacketSize !== undefined)
    list.push(['Maximum-Packet-Size', String(props.maximumPacketSize)])
  for (const u of fromUserProps(props?.userProperties as UserProps | undefined) ?? [])
    list.push([u.name, u.value])
  return list
}

/** What the stream-open note says of a CONNACK. */
export function connackNote(
  code: number,
  sessionPresent: boolean,
  version: MqttOptions['protocolVersion'],
  props: Record<string, unknown> | undefined,
): string {
  const parts = [
    `CONNACK ${mqttReasonText(code, version, 'connack')}`,
    `session present: ${sessionPresent ? 'yes' : 'no'}`,
  ]
  if (props) {
    const shown = [
      'assignedClientIdentifier',
      'serverKeepAlive',
      'maximumQoS',
      'retainAvailable',
      'maximumPacketSize',
    ]
    for (const k of shown) if (props[k] !== undefined) parts.push(`${k} ${String(props[k])}`)
  }
  return parts.join(', ')
}

/**
 * CONNACK as the handshake's answer (the first connection's `response-headers`): its reason code is the row's
 * status, its words the status text, "session present" and the broker's properties the headers.
 */
export function connackAnswer(
  sid: string,
  t: number,
  code: number,
  sessionPresent: boolean,
  version: MqttOptions['protocolVersion'],
  props: Record<string, unknown> | undefined,
): ResponseHeadersEvent {
  const headers: HeaderList = [['Session-Present', sessionPresent ? 'yes' : 'no']]
  for (const [k, v] of Object.entries(props ?? {}))
    if (v !== undefined && k !== 'userProperties') headers.push([k, String(v)])
  return {
    type: 'response-headers',
    sid,
    t,
    status: code,
    statusText: connackNote(code, sessionPresent, version, props),
    httpVersion: version === 5 ? 'MQTT 5' : 'MQTT 3.1.1',
    headers,
    headersBytes: 0,
  }
}

/** A publish command as MQTT.js's arguments: one topic (no wildcards), the payload's bytes, its options. */
export function publishArgs(
  p: { topic: string; payload: string; encoding?: 'utf8' | 'hex' | 'base64' | undefined } & Pick<
    IPublishPacket,
    'qos' | 'retain'
  > & { properties?: MqttPublishProperties | undefined },
  version: MqttOptions['protocolVersion'],
): Result<{ payload: Buffer; options: IClientPublishOptions }> {
  if (/[#+]/.test(p.topic))
    return fail('invalid_request', `A publish names one topic, without wildcards: ${p.topic.slice(0, 200)}`)
  const decoded = payloadBytes(p.payload, p.encoding)
  if (!decoded.ok) return decoded
  const props = version === 5 ? toPacketProps(p.properties) : undefined
  return ok({
    payload: decoded.value,
    options: { qos: p.qos, retain: p.retain, ...(props ? { properties: props } : {}) },
  })
}

/** A publish's payload as bytes: text as UTF-8, or hex / base64 decoded. */
export function payloadBytes(text: string, encoding: 'utf8' | 'hex' | 'base64' | undefined): Result<Buffer> {
  if (encoding === 'base64') return ok(Buffer.from(text, 'base64'))
  if (encoding !== 'hex') return ok(Buffer.from(text, 'utf8'))
  const hex = text.replace(/\s+/g, '')
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
    return fail('invalid_request', 'The payload is not hex (pairs of 0-9, a-f)')
  return ok(Buffer.from(hex, 'hex'))
}

/**
 * A control packet's log entry: its words (`PUBACK #3 for a/b: Success (0), 1.2 ms after the publish`) and its
 * id. `pub` is the publish it answers, when it is one of ours.
 */
export function controlEntry(
  name: string,
  packetId: number | undefined,
  reasonCode: number | undefined,
  pub: { topic: string; seq: number; rttMs: number } | undefined,
  about: string | undefined,
): { words: string; c: MqttControl } {
  const c: MqttControl = {}
  if (packetId !== undefined) c.packetId = packetId
  if (reasonCode !== undefined) {
    c.reasonCode = reasonCode
    c.reason = mqttReasonText(reasonCode)
  }
  if (pub) {
    c.topic = pub.topic
    c.publishSeq = pub.seq
    c.rttMs = Math.round(pub.rttMs * 1000) / 1000
  }
  let words = name
  if (packetId !== undefined) words += ` #${packetId}`
  if (pub) words += ` for ${pub.topic}`
  if (about) words += ` ${about}`
  if (c.reason) words += `: ${c.reason}`
  if (c.rttMs !== undefined) words += `, ${c.rttMs} ms after the publish`
  return { words, c }
}

/** A SUBACK's log entries: one a topic filter granted or refused (its reason in words), or the failure. */
export function subackEntries(
  err: Error | null,
  granted: readonly { topic: string; qos: number }[] | undefined,
): { text: string; id: string }[] {
  if (err && !granted) return [{ text: `SUBACK: ${err.message}`, id: JSON.stringify({}) }]
  return (granted ?? []).map((g) => {
    const words = subackText(g.qos)
    const id = JSON.stringify({ reasonCode: g.qos, reason: words, topic: g.topic } satisfies MqttControl)
    return { text: `SUBACK ${g.topic}: ${words}`, id }
  })
}
