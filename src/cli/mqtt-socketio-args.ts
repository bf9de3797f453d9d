import { parseArgs } from 'node:util'
import type { MqttOptions, MqttSubscription } from '../shared/mqtt'
import type { KeyValue } from '../shared/request'
import type { SocketIoAckAnswer, SocketIoOptions } from '../shared/socketio'
import { MQTT_ONLY, mqttCommand, MQTT_USAGE, type MqttPublishArg } from './mqtt-args'
import { socketioCommand, SOCKETIO_ONLY, SOCKETIO_USAGE } from './socketio-args'
import {
  eachTyped,
  LITERAL_BRACES_OPTION,
  typedAsSent,
  unresolvedVariable,
  valuesAsSent,
} from './unresolved-variable'

/**
 * Arguments of `flightdeck mqtt <url>` and `flightdeck socketio <url>`: the options both share, read here, and
 * each command's own (mqtt-args.ts, socketio-args.ts). Pure, so they are tested without a network. Anything
 * rejected is a bad argument (exit 2) with a one-line reason.
 */

export { MQTT_USAGE, SOCKETIO_USAGE, type MqttPublishArg }

export interface Common {
  json: boolean
  max: number | null
  durationMs: number | null
}

export type MessagingCliCommand =
  | { kind: 'help'; usage: string }
  | { kind: 'error'; message: string }
  | (Common & {
      kind: 'mqtt'
      url: string
      subscriptions: MqttSubscription[]
      publish: MqttPublishArg[]
      retain: boolean
      options: Partial<MqttOptions>
    })
  | (Common & {
      kind: 'socketio'
      url: string
      namespace: string
      path?: string
      auth?: string
      headers: KeyValue[]
      query: KeyValue[]
      listen: string[]
      emit: { event: string; args: string | null }[]
      ack: boolean
      /** Answers to the server's ack requests, by event (JSON text). */
      answers: SocketIoAckAnswer[]
      options: Partial<SocketIoOptions>
    })

const error = (message: string): MessagingCliCommand => ({ kind: 'error', message })

export function parseMessagingArgs(argv: readonly string[]): MessagingCliCommand {
  const command = argv[0]
  if (command !== 'mqtt' && command !== 'socketio') return error(`unknown command '${command ?? ''}'`)
  const usage = command === 'mqtt' ? MQTT_USAGE : SOCKETIO_USAGE
  let parsed
  try {
    parsed = readMessagingArgs(argv.slice(1))
  } catch (e) {
    return error((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments')
  }
  const { positionals } = parsed
  let values = parsed.values
  if (values.help) return { kind: 'help', usage }
  const [typedTarget, ...extra] = positionals
  if (typedTarget === undefined) return error(`missing URL; try: flightdeck ${command} <url>`)
  if (extra.length > 0) return error(`unexpected argument '${extra[0] ?? ''}'`)
  const literalBraces = values['literal-braces'] === true
  const unresolved = literalBraces
    ? null
    : unresolvedVariable(command, [
        ['the URL', typedTarget],
        ...eachTyped('a subscription (--sub)', values.sub),
        ...eachTyped('a publish (--pub)', values.pub),
        ['the client id', values['client-id']],
        ['the user name', values.username],
        ['the password', values.password],
        ...eachTyped('a header', values.header),
        ...eachTyped('a query parameter (--query)', values.query),
        ...eachTyped('an emit (--emit)', values.emit),
        ...eachTyped('an ack answer (--answer)', values.answer),
        ['the auth payload (--auth)', values.auth],
        ['the namespace', values.namespace],
        ['the path (--path)', values.path],
        ['the User-Agent (-A)', values['user-agent']],
      ])
  if (unresolved) return error(unresolved)
  // \{{ in typed text sends {{, as in the app (unresolved-variable.ts).
  const target = literalBraces ? typedTarget : typedAsSent(typedTarget)
  if (!literalBraces)
    values = valuesAsSent(values, [
      'sub',
      'pub',
      'client-id',
      'username',
      'password',
      'header',
      'query',
      'emit',
      'answer',
      'auth',
      'namespace',
      'path',
      'user-agent',
    ])
  let max: number | null = null
  if (values.max !== undefined) {
    max = Number(values.max)
    if (!Number.isInteger(max) || max < 1)
      return error(`--max must be a whole number from 1, got '${values.max}'`)
  }
  let durationMs: number | null = null
  if (values.duration !== undefined) {
    const s = Number(values.duration)
    if (!Number.isFinite(s) || s <= 0 || s > 7 * 24 * 3600)
      return error(`--duration must be a number of seconds above 0, got '${values.duration}'`)
    durationMs = Math.round(s * 1000)
  }
  const common: Common = { json: values.json === true, max, durationMs }

  if (command === 'mqtt') {
    for (const flag of SOCKETIO_ONLY) {
      if (values[flag] === undefined) continue
      if (flag === 'user-agent')
        return error(
          'mqtt has no User-Agent to set: an MQTT CONNECT carries none, and the ws:// upgrade sends none; leave -A out',
        )
      return error(`--${flag} is a socketio option`)
    }
    return mqttCommand(target, values, common)
  }
  for (const flag of MQTT_ONLY) if (values[flag] !== undefined) return error(`--${flag} is an mqtt option`)
  return socketioCommand(target, values, common)
}

/** Both commands' options, read strictly: an unknown one throws parseArgs' one-line message. */
function readMessagingArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      max: { type: 'string' },
      duration: { type: 'string' },
      insecure: { type: 'boolean', short: 'k' },
      reconnect: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...LITERAL_BRACES_OPTION,
      // mqtt
      sub: { type: 'string', multiple: true },
      pub: { type: 'string', multiple: true },
      retain: { type: 'boolean' },
      'mqtt-version': { type: 'string' },
      'client-id': { type: 'string' },
      username: { type: 'string', short: 'u' },
      password: { type: 'string', short: 'P' },
      keepalive: { type: 'string' },
      'no-clean': { type: 'boolean' },
      // socketio
      namespace: { type: 'string' },
      path: { type: 'string' },
      on: { type: 'string', multiple: true },
      emit: { type: 'string', multiple: true },
      ack: { type: 'boolean' },
      answer: { type: 'string', multiple: true },
      auth: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      'user-agent': { type: 'string', short: 'A' },
      query: { type: 'string', multiple: true },
      websocket: { type: 'boolean' },
    },
  })
}

/** The options as parsed: each command reads its own from them. */
export type MessagingValues = ReturnType<typeof readMessagingArgs>['values']
