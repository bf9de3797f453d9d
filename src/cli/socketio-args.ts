import type { KeyValue } from '../shared/request'
import type { SocketIoAckAnswer, SocketIoOptions } from '../shared/socketio'
import { headerArgs } from './args'
import { asTemplate, headersAsTemplates } from './engine-template'
import type { Common, MessagingCliCommand, MessagingValues } from './mqtt-socketio-args'
import { commandUrl } from './typed-url'
import { literalBracesUsage } from './unresolved-variable'

/** Arguments of `flightdeck socketio <url>` (the options both commands share are read by mqtt-socketio-args.ts). */

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
  -H, --header 'k: v'        add a header to the handshake (repeatable); 'k:' sends none,
                             'k;' sends it empty
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

/** The options only socketio takes: given to mqtt, each is refused by name. */
export const SOCKETIO_ONLY = [
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

const error = (message: string): MessagingCliCommand => ({ kind: 'error', message })

/** `flightdeck socketio <target>` once the shared options are read; `values` hold the text as sent. */
export function socketioCommand(
  target: string,
  values: MessagingValues,
  common: Common,
): MessagingCliCommand {
  const url = commandUrl(target, 'http', ['http', 'https', 'ws', 'wss'])
  if (url === null) return error(`not an http(s) or ws(s) URL: '${target}'`)
  const given = headerArgs(values.header, values['user-agent'])
  if (typeof given === 'string') return error(given)
  const { headers, omit } = given
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
  if (omit.length > 0) options.omitDefaultHeaders = omit
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
