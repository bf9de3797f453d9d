import type { SavedMqtt } from '../../shared/mqtt'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import { ok, type Result } from '../../shared/result'
import type { SavedSocketIo, SocketIoArg } from '../../shared/socketio'
import type { StreamEngine } from '../streams/stream-engine'
import {
  mqttConnect,
  mqttTakesToken,
  socketIoAuthPayload,
  socketIoHandshake,
  type ConnectTrust,
} from './messaging-connect'
import { mqttTokenInQuery, tokenCarried } from './messaging-token'

/**
 * How a run's MQTT or Socket.IO step opens its session and sends its saved publishes / emits once connected;
 * the rest of the step (stop conditions, counting, assertions) is the stream step's (runner/stream-step.ts).
 * A run measures one connection: no reconnects. The session modules load only when such a step runs.
 */

export interface MessagingStepHooks {
  /**
   * `authorized`: the request as the step authorized it (an OAuth 2.0 token in its Authorization header or, with
   * `tokenIn: query`, its URL's access_token), and
   * `refused` to call when the broker or server refuses it (the token is dropped).
   */
  open(authorized?: RequestSpec, auth?: AuthSpec, refused?: () => void): Promise<Result<{ sid: string }>>
  /** Sends the saved publishes or emits, in order (called once, when the connection opened). */
  afterOpen(): void
}

/**
 * The step's TLS settings are its request's, as the runner made them (its `caFile` confined to the collection, or
 * the run's `--cacert`; the run's `-k`): a CA file in the saved block's own options was confined there too
 * (runner/step-run.ts) and is not read again from here.
 */
function trustAsRequest(spec: RequestSpec): ConnectTrust {
  return {
    ...(spec.options.insecure !== undefined ? { insecure: spec.options.insecure } : {}),
    caFile: spec.options.caFile ?? null,
  }
}

export function mqttStepHooks(
  streams: StreamEngine,
  spec: RequestSpec,
  saved: SavedMqtt,
): MessagingStepHooks {
  let publish: ((p: SavedMqtt['publishes'][number]) => void) | null = null
  return {
    open: async (authorized, auth, refused) => {
      const { MqttSession } = await import('./mqtt-session')
      // An OAuth 2.0 token is CONNECT's password (unless the request has its own), as in the app.
      const token = refused && authorized ? tokenCarried(authorized, auth) : null
      const given = { ...saved.options, reconnect: false }
      if (token?.in === 'query' && mqttTakesToken(given)) return mqttTokenInQuery()
      const { options, tokenSent } = mqttConnect(given, trustAsRequest(spec), token?.token ?? null)
      const session = streams.openSession(
        'mq',
        (init) =>
          new MqttSession({
            ...init,
            url: spec.url,
            options,
            subscriptions: saved.subscriptions,
            ...(tokenSent && refused ? { onUnauthorized: refused } : {}),
          }),
      )
      publish = (p) =>
        void session.publish({
          topic: p.topic,
          payload: p.payload,
          qos: p.qos,
          retain: p.retain,
          ...(p.properties ? { properties: p.properties } : {}),
        })
      session.start()
      return ok({ sid: session.sid })
    },
    afterOpen: () => {
      for (const p of saved.publishes) publish?.(p)
    },
  }
}

export function socketIoStepHooks(
  streams: StreamEngine,
  spec: RequestSpec,
  saved: SavedSocketIo,
): MessagingStepHooks {
  let emit: ((e: { event: string; args: SocketIoArg[]; ack: boolean }) => void) | null = null
  let emits: { event: string; args: SocketIoArg[]; ack: boolean }[] = []
  return {
    open: async (authorized, requestAuth, refused) => {
      const auth = socketIoAuthPayload(saved.auth)
      if (!auth.ok)
        return { ok: false, error: { ...auth.error, message: `socketio.auth: ${auth.error.message}` } }
      const { parseAckAnswers } = await import('../socketio/socketio-acks')
      const acks = parseAckAnswers(saved.acks)
      if (!acks.ok)
        return { ok: false, error: { ...acks.error, message: `socketio.acks: ${acks.error.message}` } }
      // Each emit's arguments are one JSON text, as the app's Emit box reads them (an array is several, empty
      // none); one that is not JSON fails the step before it connects, naming the emit, as the app refuses it.
      const { argsFromJsonText } = await import('../socketio/socketio-args')
      emits = []
      for (const e of saved.emits) {
        const args = argsFromJsonText(e.args, false)
        if (!args.ok) {
          const which = e.name && e.name !== e.event ? `${e.name} (${e.event})` : e.event
          return {
            ok: false,
            error: { ...args.error, message: `socketio.emits: ${which}: ${args.error.message}` },
          }
        }
        emits.push({ event: e.event, args: args.value, ack: e.ack })
      }
      const { SocketIoSession } = await import('../socketio/socketio-session')
      const token = refused && authorized ? tokenCarried(authorized, requestAuth) : null
      // The request's own headers: its auth is sent only as an OAuth 2.0 token, as in the app.
      const omit = spec.options.omitDefaultHeaders
      const { options, headers, query, ...handshake } = socketIoHandshake(
        { ...saved.options, reconnect: false, ...(omit?.length ? { omitDefaultHeaders: omit } : {}) },
        trustAsRequest(spec),
        spec.headers,
        [],
        auth.value,
        token,
      )
      const session = streams.openSession(
        'io',
        (init) =>
          new SocketIoSession({
            ...init,
            url: spec.url,
            namespace: saved.namespace?.trim() || '/',
            path: saved.path?.trim() || '/socket.io',
            auth: handshake.auth,
            headers,
            ...(token && refused ? { onUnauthorized: refused } : {}),
            query,
            options,
            listen: saved.listen,
            acks: acks.value,
          }),
      )
      emit = (e) => void session.emit(e.event, e.args, e.ack)
      session.start()
      return ok({ sid: session.sid })
    },
    afterOpen: () => {
      for (const e of emits) emit?.(e)
    },
  }
}
