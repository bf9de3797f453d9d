import { mqttReasonText, type MqttOptions } from '../../shared/mqtt'
import type { AppError } from '../../shared/result'
import { classifyError } from '../http/errors'

/**
 * MQTT.js's own errors, which carry no code: its CONNACK and keep-alive timers, and its packet parser refusing
 * what the broker sent. Said in words that blame the right thing; everything else (a socket's error, with its
 * code) is left to the network classifier.
 */

/** mqtt-packet's parser's refusals: the broker sent bytes that are not a valid MQTT packet. */
const PARSER_WORDS =
  /^(Cannot parse |Invalid |Malformed |Not supported|Packet too short|Packet must not|Unknown property|Will (QoS|Retain)|Connect flag)/

export interface MqttClientError {
  failure: AppError
  /** The broker broke the protocol: the connection is closed at once and not retried (it would do it again). */
  breach: boolean
}

export function describeMqttClientError(
  err: Error & { code?: unknown },
  host: string,
  o: { connectTimeoutMs: number; keepalive: number },
): MqttClientError | null {
  if (err.code !== undefined) return null
  if (err.message === 'connack timeout') {
    return {
      breach: false,
      failure: {
        code: 'timeout_connect',
        message: `The broker at ${host} accepted the connection but sent no CONNACK within ${seconds(o.connectTimeoutMs)} (is it an MQTT broker, and does it want TLS?)`,
      },
    }
  }
  if (err.message === 'Keepalive timeout') {
    return {
      breach: false,
      failure: {
        code: 'timeout_idle',
        message: `The broker at ${host} stopped answering: no PINGRESP within the keep-alive (${o.keepalive} s)`,
      },
    }
  }
  if (PARSER_WORDS.test(err.message)) {
    return {
      breach: true,
      failure: {
        code: 'protocol',
        message: `The broker at ${host} sent a malformed MQTT packet (${err.message}); Flightdeck closed the connection`,
        detail: err.message,
      },
    }
  }
  return null
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/**
 * A CONNACK's refusal in words; bad user name or password and not authorized (3.1.1: 4, 5; MQTT 5: 134, 135) are
 * `auth` (a token sent is then dropped).
 */
export function connackRefusal(code: number, version: MqttOptions['protocolVersion']): AppError {
  const auth = code === 4 || code === 5 || code === 134 || code === 135
  return {
    code: auth ? 'auth' : 'protocol',
    message: `The broker refused the connection: ${mqttReasonText(code, version, 'connack')}`,
  }
}

/** What an error MQTT.js reports means for the connection. */
export interface ClientErrorOutcome {
  failure: AppError
  /** A reconnect would fail the same way (a CONNACK refusal), or the broker broke the protocol. */
  refused: boolean
  /** The broker refused the credentials (a token used is dropped). */
  unauthorized: boolean
  /** The broker broke the protocol: the connection ends now. */
  breach: boolean
}

/** An error MQTT.js reported (`err.code`: a CONNACK's refusal as a number, or a socket's error code). */
export function clientErrorOutcome(
  err: Error & { code?: string | number },
  host: string,
  o: { connectTimeoutMs: number; keepalive: number; protocolVersion: MqttOptions['protocolVersion'] },
): ClientErrorOutcome {
  if (typeof err.code === 'number') {
    // A CONNACK refusal (bad credentials, not authorized, …): a reconnect would be refused the same way.
    const failure = connackRefusal(err.code, o.protocolVersion)
    return { failure, refused: true, unauthorized: failure.code === 'auth', breach: false }
  }
  const own = describeMqttClientError(err, host, o)
  const breach = own?.breach ?? false
  return { failure: own?.failure ?? classifyError(err, host), refused: breach, unauthorized: false, breach }
}
