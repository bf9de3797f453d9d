import { DEFAULT_MQTT_OPTIONS, type MqttOptions } from '../../shared/mqtt'
import type { KeyValue } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import { DEFAULT_SOCKETIO_OPTIONS, type SocketIoOptions } from '../../shared/socketio'
import { withToken, type TokenPlace } from './messaging-token'

/**
 * What an MQTT CONNECT or a Socket.IO handshake carries, built the same way for a session the app opens
 * (mqtt-handlers.ts, socketio-handlers.ts) and a run's step (messaging-step.ts) from the same request: the saved or
 * typed options over the defaults, the TLS trust the caller worked out, and an OAuth 2.0 token. Only OAuth 2.0
 * is sent from the request's auth: basic, bearer and API-key auth are not (docs/messaging.md), so the headers
 * given are the request's own.
 */

/** TLS trust over the options: `caFile` null takes out the options' own (the caller's trust replaces it). */
export interface ConnectTrust {
  insecure?: boolean
  caFile?: string | null
}

/** Options as saved or typed: any may be left out (or undefined), the default then stands. */
type Given<T> = { [K in keyof T]?: T[K] | undefined }

function withOptions<T extends object>(defaults: T, given: Given<T> | undefined, trust: ConnectTrust): T {
  const options = { ...defaults }
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) Object.assign(options, { [k]: v })
  if (trust.insecure !== undefined) Object.assign(options, { insecure: trust.insecure })
  if (trust.caFile === null) delete (options as { caFile?: string }).caFile
  else if (trust.caFile !== undefined) Object.assign(options, { caFile: trust.caFile })
  return options
}

/** True when the options leave CONNECT's password to a token (the request has no password of its own). */
export function mqttTakesToken(given: Given<MqttOptions> | undefined): boolean {
  return !given?.password
}

/**
 * CONNECT's options. An OAuth 2.0 token is the password, as EMQX, HiveMQ and mosquitto's JWT plugins read one,
 * unless the request has a password of its own; `tokenSent` says whether it went (then a refusal drops it).
 */
export function mqttConnect(
  given: Given<MqttOptions> | undefined,
  trust: ConnectTrust,
  token: string | null,
): { options: MqttOptions; tokenSent: boolean } {
  const options = withOptions(DEFAULT_MQTT_OPTIONS, given, trust)
  const tokenSent = token !== null && token !== '' && mqttTakesToken(options)
  if (tokenSent) options.password = token
  return { options, tokenSent }
}

/** The handshake's auth payload: a JSON object's text (empty: none), refused in words when it is not one. */
export function socketIoAuthPayload(text: string | undefined): Result<Record<string, unknown> | null> {
  if (text === undefined || text.trim() === '') return ok(null)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return fail(
      'invalid_request',
      `The auth payload is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('invalid_request', 'The auth payload must be a JSON object')
  return ok(parsed as Record<string, unknown>)
}

/**
 * The handshake: its options, the request's own headers and query, and its auth payload (read by
 * socketIoAuthPayload before a token is fetched), with an OAuth 2.0 token as `Authorization: Bearer` and the
 * payload's `token` (withToken keeps either when the request sets its own), or, when the auth sends it in the
 * query, as the handshake's `access_token` parameter (one in the request's own query is kept).
 */
export function socketIoHandshake(
  given: Given<SocketIoOptions> | undefined,
  trust: ConnectTrust,
  headers: KeyValue[],
  query: KeyValue[],
  auth: Record<string, unknown> | null,
  token: { token: string; in: TokenPlace } | null,
): {
  options: SocketIoOptions
  headers: KeyValue[]
  query: KeyValue[]
  auth: Record<string, unknown> | null
} {
  const options = withOptions(DEFAULT_SOCKETIO_OPTIONS, given, trust)
  if (!token?.token) return { options, headers, query, auth }
  if (token.in === 'query') {
    const has = query.some((q) => q.enabled && q.name === 'access_token')
    const withQuery = has ? query : [...query, { name: 'access_token', value: token.token, enabled: true }]
    return { options, headers, query: withQuery, auth }
  }
  return { options, query, ...withToken(headers, auth, token.token) }
}
