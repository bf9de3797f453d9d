import type { IClientOptions } from 'mqtt'
import type { MqttOptions } from '../../shared/mqtt'
import type { RequestSentEvent } from '../../shared/timeline'
import { connectFields, toPacketProps, toUserProps } from './mqtt-packets'

/**
 * MQTT.js calls its `debug` logger half a dozen times a message (each call allocates its arguments and asks
 * whether the namespace is on); a no-op logger costs none of that. Only when someone asked for MQTT.js's
 * debug output (`DEBUG=mqttjs*`) does the client keep its own.
 */
const quiet = (): void => undefined
const debugWanted = (): boolean => /mqtt/i.test(process.env['DEBUG'] ?? '')

/** MQTT.js's options for one connection attempt: its own reconnects and resubscribes off (the kernel's). */
export function clientOptions(o: MqttOptions, clientId: string, ca: string | undefined): IClientOptions {
  const will = o.will
  const options: IClientOptions = {
    protocolVersion: o.protocolVersion,
    clientId,
    clean: o.clean,
    keepalive: o.keepalive,
    reconnectPeriod: 0,
    connectTimeout: o.connectTimeoutMs,
    resubscribe: false,
    ...(debugWanted() ? {} : { log: quiet }),
    rejectUnauthorized: !o.insecure,
    ...(ca ? { ca: ca } : {}),
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(will
      ? {
          will: {
            topic: will.topic,
            payload: Buffer.from(will.payload, 'utf8'),
            qos: will.qos,
            retain: will.retain,
            ...(will.properties ? { properties: toPacketProps(will.properties) ?? {} } : {}),
          },
        }
      : {}),
  }
  if (o.protocolVersion === 5) {
    const user = toUserProps(o.userProperties)
    options.properties = {
      maximumPacketSize: Math.min(o.maxMessageBytes + 65_536 * 2 + 64, 268_435_455),
      ...(o.sessionExpiryInterval !== undefined ? { sessionExpiryInterval: o.sessionExpiryInterval } : {}),
      ...(o.receiveMaximum !== undefined ? { receiveMaximum: o.receiveMaximum } : {}),
      ...(user ? { userProperties: user } : {}),
    }
  }
  return options
}

/** The handshake's "request": CONNECT's fields as headers (the password never shown). */
export function connectSentEvent(
  sid: string,
  t: number,
  url: URL | null,
  clientId: string,
  o: IClientOptions,
): RequestSentEvent {
  return {
    type: 'request-sent',
    sid,
    start: t,
    t,
    reused: false,
    connectionId: 0,
    protocol: 'http/1.1',
    remoteAddress: url?.hostname ?? '',
    remotePort: Number(url?.port) || 0,
    headers: connectFields({
      cmd: 'connect',
      clientId,
      protocolVersion: o.protocolVersion ?? 4,
      clean: o.clean ?? true,
      keepalive: o.keepalive ?? 0,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: Buffer.from('') } : {}),
      ...(o.will ? { will: o.will } : {}),
      ...(o.properties ? { properties: o.properties } : {}),
    }),
    headersBytes: 0,
    bodyBytes: 0,
  }
}
