import type { MqttOptions, MqttQos, MqttSubscription } from '../shared/mqtt'
import { asTemplate } from './engine-template'
import type { Common, MessagingCliCommand, MessagingValues } from './mqtt-socketio-args'
import { commandUrl } from './typed-url'
import { literalBracesUsage } from './unresolved-variable'

/** Arguments of `flightdeck mqtt <url>` (the options both commands share are read by mqtt-socketio-args.ts). */

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

MQTT has no User-Agent (CONNECT carries none, nor does the ws:// upgrade): -A is refused.

exit codes: 0 the session ended normally (or by --max / --duration),
            1 it failed (network, refused by the broker), 2 bad arguments,
            130 / 143 stopped by Ctrl+C / SIGTERM`

/** The options only mqtt takes: given to socketio, each is refused by name. */
export const MQTT_ONLY = [
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

export interface MqttPublishArg {
  topic: string
  payload: string
  qos: MqttQos
}

const error = (message: string): MessagingCliCommand => ({ kind: 'error', message })

function withQos(text: string): { rest: string; qos: MqttQos } | string {
  const m = /@([0-9]+)$/.exec(text)
  if (!m) return { rest: text, qos: 0 }
  const q = Number(m[1])
  if (q !== 0 && q !== 1 && q !== 2) return `QoS must be 0, 1 or 2, got @${m[1] ?? ''}`
  return { rest: text.slice(0, m.index), qos: q }
}

/** `flightdeck mqtt <target>` once the shared options are read; `values` hold the text as sent. */
export function mqttCommand(target: string, values: MessagingValues, common: Common): MessagingCliCommand {
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
