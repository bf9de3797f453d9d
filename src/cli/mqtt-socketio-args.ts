import { parseArgs } from 'node:util'
import type { MqttOptions, MqttQos, MqttSubscription } from '../shared/mqtt'
import type { KeyValue } from '../shared/request'
import type { SocketIoAckAnswer, SocketIoOptions } from '../shared/socketio'
import { parseHeader, userAgent } from './args'
import { asTemplate, headersAsTemplates } from './engine-template'
import { commandUrl } from './typed-url'
import {
  eachTyped,
  literalBracesUsage,
  LITERAL_BRACES_OPTION,
  typedAsSent,
  unresolvedVariable,
  valuesAsSent,
} from './unresolved-variable'

/**
 * Arguments of `flightdeck mqtt <url>` and `flightdeck socketio <url>`: pure, so they are tested without a
 * network. Anything rejected is a bad argument (exit 2) with a one-line reason.
 */

export const MQTT_USAGE = `usage: flightdeck mqtt <url> [options]

Connects to an MQTT broker (mqtt://, mqtts://, ws://, wss://) through the Flightdeck engine,
subscribes, publishes, and prints every message (and each QoS handshake step) as it arrives.

  --sub TOPIC[@QOS]          subscribe to a topic filter, QoS 0 (default), 1 or 2 (repeatable)
  --pub 'TOPIC MESSAGE[@QOS]' publish once connected (repeatable, in order); --retain retains them
  --retain                   publish with the retain flag
  --json                     one JSON object per line: open, message, control, closed, the end
  --max <n>                  disconnect after n messages received
  --duration <s>             disconnect after s seconds (decimals allowed)
  --mqtt-version <v>         5 (default) or 3.1.1
  --client-id <id>           the client id (default: flightdeck- and random hex)
  -u, --username <name>      user name;  -P, --password <pw>  password
  --keepalive <s>            keep-alive in seconds (default 60)
  --no-clean                 keep the broker's session (clean start off)
  --reconnect                reconnect with backoff when the broker goes away
  -k, --insecure             accept TLS certificates that do not verify
${literalBracesUsage('  --literal-braces', 29)}

exit codes: 0 the session ended normally (or by --max / --duration),
            1 it failed (network, refused by the broker), 2 bad arguments,
            130 / 143 stopped by Ctrl+C / SIGTERM`

export const SOCKETIO_USAGE = `usage: flightdeck socketio <url> [options]

Connects to a Socket.IO v3 or v4 server through the Flightdeck engine, emits, and prints every
event (and each ack) as it arrives.

  --namespace <ns>           the namespace (default /)
  --path <path>              the Engine.IO path (default /socket.io)
  --on EVENT                 record only this event (repeatable; default: every event)
  --emit 'EVENT JSON'        emit once connected (repeatable, in order); JSON is one argument,
                             a JSON array several; without JSON, no arguments
  --ack                      emits ask for an ack (its answer and round trip are printed)
  --answer 'EVENT JSON'      when the server asks for an ack of EVENT, answer with JSON (one
                             argument, a JSON array several; EVENT * answers any; repeatable).
                             Without one, an ack request is printed as asked and not answered
  --auth JSON                the handshake's auth payload (a JSON object)
  -H, --header 'k: v'        add a header to the handshake (repeatable)
  -A, --user-agent <name>    the handshake's User-Agent (default Flightdeck/<version>); ''
                             sends none
  --query 'k=v'              add a query parameter (repeatable)
  --websocket                WebSocket only (default: polling, then the upgrade)
  --json                     one JSON object per line: open, event, ack, closed, the end
  --max <n>                  disconnect after n events received
  --duration <s>             disconnect after s seconds (decimals allowed)
  --reconnect                reconnect with backoff when the connection drops
  -k, --insecure             accept TLS certificates that do not verify
${literalBracesUsage('  --literal-braces', 29)}

exit codes: 0 the session ended normally (or by --max / --duration),
            1 it failed (network, refused by the server), 2 bad arguments,
            130 / 143 stopped by Ctrl+C / SIGTERM`

interface Common {
  json: boolean
  max: number | null
  durationMs: number | null
}

export interface MqttPublishArg {
  topic: string
  payload: string
  qos: MqttQos
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

function withQos(text: string): { rest: string; qos: MqttQos } | string {
  const m = /@([0-9]+)$/.exec(text)
  if (!m) return { rest: text, qos: 0 }
  const q = Number(m[1])
  if (q !== 0 && q !== 1 && q !== 2) return `QoS must be 0, 1 or 2, got @${m[1] ?? ''}`
  return { rest: text.slice(0, m.index), qos: q }
}

export function parseMessagingArgs(argv: readonly string[]): MessagingCliCommand {
  const command = argv[0]
  if (command !== 'mqtt' && command !== 'socketio') return error(`unknown command '${command ?? ''}'`)
  const usage = command === 'mqtt' ? MQTT_USAGE : SOCKETIO_USAGE
  let parsed
  try {
    parsed = parseArgs({
      args: argv.slice(1),
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
  const mqttOnly = [
    'sub',
    'pub',
    'retain',
    'mqtt-version',
    'client-id',
    'username',
    'password',
    'keepalive',
    'no-clean',
  ] as const
  const ioOnly = [
    'namespace',
    'path',
    'on',
    'emit',
    'ack',
    'answer',
    'auth',
    'header',
    'user-agent',
    'query',
    'websocket',
  ] as const

  if (command === 'mqtt') {
    for (const flag of ioOnly) if (values[flag] !== undefined) return error(`--${flag} is a socketio option`)
    const url = commandUrl(target, 'mqtt', ['mqtt', 'mqtts', 'ws', 'wss'])
    if (url === null) return error(`not an mqtt://, mqtts://, ws:// or wss:// URL: '${target}'`)
    const subscriptions: MqttSubscription[] = []
    for (const s of values.sub ?? []) {
      const q = withQos(s)
      if (typeof q === 'string') return error(`--sub ${s}: ${q}`)
      if (!q.rest) return error(`--sub needs a topic filter, e.g. --sub 'sensors/#@1'`)
      subscriptions.push({ topic: q.rest, qos: q.qos })
    }
    const publish: MqttPublishArg[] = []
    for (const p of values.pub ?? []) {
      const space = p.indexOf(' ')
      if (space <= 0) return error(`--pub takes 'TOPIC MESSAGE[@QOS]', got '${p}'`)
      const q = withQos(p.slice(space + 1))
      if (typeof q === 'string') return error(`--pub ${p}: ${q}`)
      publish.push({ topic: p.slice(0, space), payload: q.rest, qos: q.qos })
    }
    const options: Partial<MqttOptions> = {}
    const v = values['mqtt-version']
    if (v !== undefined) {
      if (v === '5') options.protocolVersion = 5
      else if (v === '3.1.1' || v === '4') options.protocolVersion = 4
      else return error(`--mqtt-version must be 5 or 3.1.1, got '${v}'`)
    }
    if (values['client-id'] !== undefined) options.clientId = values['client-id']
    if (values.username !== undefined) options.username = values.username
    if (values.password !== undefined) options.password = values.password
    if (values.keepalive !== undefined) {
      const k = Number(values.keepalive)
      if (!Number.isInteger(k) || k < 0 || k > 65_535)
        return error(`--keepalive must be 0 to 65535 seconds, got '${values.keepalive}'`)
      options.keepalive = k
    }
    if (values['no-clean']) options.clean = false
    if (values.reconnect) options.reconnect = true
    if (values.insecure) options.insecure = true
    // The engine reads the URL as a template: it goes as the text meant (engine-template.ts).
    const sent = asTemplate(url)
    return {
      kind: 'mqtt',
      ...common,
      url: sent,
      subscriptions,
      publish,
      retain: values.retain === true,
      options,
    }
  }

  for (const flag of mqttOnly) if (values[flag] !== undefined) return error(`--${flag} is an mqtt option`)
  const url = commandUrl(target, 'http', ['http', 'https', 'ws', 'wss'])
  if (url === null) return error(`not an http(s) or ws(s) URL: '${target}'`)
  const headers: KeyValue[] = []
  for (const h of values.header ?? []) {
    const kv = parseHeader(h)
    if (!kv) return error(`bad header '${h}'; expected 'Name: value'`)
    headers.push(kv)
  }
  const agent = userAgent(values['user-agent'], headers)
  if (typeof agent === 'string') return error(agent)
  const query: KeyValue[] = []
  for (const q of values.query ?? []) {
    const eq = q.indexOf('=')
    if (eq <= 0) return error(`bad query '${q}'; expected 'name=value'`)
    query.push({ name: q.slice(0, eq), value: q.slice(eq + 1), enabled: true })
  }
  const emit: { event: string; args: string | null }[] = []
  for (const e of values.emit ?? []) {
    const space = e.indexOf(' ')
    const event = space < 0 ? e : e.slice(0, space)
    const json = space < 0 ? null : e.slice(space + 1).trim() || null
    if (!event) return error(`--emit takes 'EVENT JSON', got '${e}'`)
    if (json !== null) {
      try {
        JSON.parse(json)
      } catch {
        return error(`--emit ${event}: not JSON: ${json.slice(0, 100)}`)
      }
    }
    emit.push({ event, args: json })
  }
  const answers: SocketIoAckAnswer[] = []
  for (const a of values.answer ?? []) {
    const space = a.indexOf(' ')
    const event = space < 0 ? a : a.slice(0, space)
    const json = space < 0 ? '' : a.slice(space + 1).trim()
    if (!event) return error(`--answer takes 'EVENT JSON', got '${a}'`)
    if (json !== '') {
      try {
        JSON.parse(json)
      } catch {
        return error(`--answer ${event}: not JSON: ${json.slice(0, 100)}`)
      }
    }
    if (answers.some((x) => x.event === event)) return error(`--answer ${event} is given twice`)
    answers.push({ event, args: json })
  }
  if (values.auth !== undefined) {
    let a: unknown
    try {
      a = JSON.parse(values.auth)
    } catch {
      return error(`--auth is not JSON: ${values.auth.slice(0, 100)}`)
    }
    if (typeof a !== 'object' || a === null || Array.isArray(a)) return error('--auth must be a JSON object')
  }
  const namespace = values.namespace ?? '/'
  if (!namespace.startsWith('/')) return error(`--namespace starts with /, got '${namespace}'`)
  const options: Partial<SocketIoOptions> = {}
  if (values.websocket) options.transports = 'websocket'
  if (values.reconnect) options.reconnect = true
  if (values.insecure) options.insecure = true
  if (agent.omit) options.omitDefaultHeaders = ['user-agent']
  return {
    kind: 'socketio',
    ...common,
    // The engine reads the URL and headers as templates: each goes as the text meant (engine-template.ts).
    url: asTemplate(url),
    namespace,
    ...(values.path !== undefined ? { path: values.path } : {}),
    ...(values.auth !== undefined ? { auth: values.auth } : {}),
    headers: headersAsTemplates(headers),
    query,
    listen: values.on ?? [],
    emit,
    ack: values.ack === true,
    answers,
    options,
  }
}
