import { parseArgs } from 'node:util'
import type { KeyValue, RequestBody, RequestSpec } from '../shared/request'
import type { SseOpenOptions, WsOpenOptions } from '../shared/stream-schemas'
import { headerArgs, parseHeader } from './args'
import { asTemplate, headersAsTemplates } from './engine-template'
import {
  eachTyped,
  LITERAL_BRACES_OPTION,
  literalBracesUsage,
  typedAsSent,
  typedUnlessFile,
  unresolvedVariable,
  valuesAsSent,
} from './unresolved-variable'

/**
 * Arguments of `flightdeck sse <url>` and `flightdeck ws <url>`: pure, so they are tested without a network.
 * Anything rejected is a bad argument (exit 2) with a one-line reason.
 */

export const STREAM_USAGE = `usage: flightdeck sse <url> [options]
       flightdeck ws <url> [options]

Opens a Server-Sent Events stream (or any streamed HTTP response: NDJSON, chunked text)
or a WebSocket through the Flightdeck engine and prints every event or message as it
arrives, with its time on the session's clock.

common options:
  -H, --header 'k: v'      add a header (repeatable); 'k:' sends none (not even Flightdeck's
                           own User-Agent, nor sse's Accept, Cache-Control: no-cache and -d's
                           Content-Type), 'k;' sends it empty; the ws handshake's Upgrade,
                           Connection and Sec-WebSocket-Key/-Version are always its own
  -A, --user-agent <name>  the User-Agent sent (default Flightdeck/<version>); '' sends none
      --json               one JSON object per line: open, message, retry, closed, and the end
      --max <n>            close after n messages received
      --duration <s>       close after s seconds (decimals allowed)
      --max-reconnects <n> close after n reconnects in all (default 100; 0: no limit), each
                           one a stream that ended or dropped and was opened again
  -k, --insecure           accept TLS certificates that do not verify
${literalBracesUsage()}

sse options:
  -X, --request <method>   HTTP method (default GET, or POST with -d)
  -d, --data <body>        request body, sent as application/json unless -H sets a
                           Content-Type (-H 'Content-Type:' sends none); @path sends a
                           file's bytes, @- stdin's
      --reconnect          reconnect a request that is not a GET too (it is sent again
                           each time; by default only a GET reconnects, as EventSource)
      --no-reconnect       do not reconnect when the stream ends or drops
      --retries <n>        failed reconnects in a row before giving up (default 5)
      --mode <m>           auto (by Content-Type), sse, ndjson or chunks
      --last-event-id <id> resume a stream: sent as Last-Event-ID on the first connection
                           (reconnects send the latest id the stream set)
      --headers-timeout <ms> wait at most this long for the response headers (default 30000)

ws options:
  -p, --protocol <name>    offer a subprotocol (repeatable)
  -s, --send <text>        send a text message once connected (repeatable, in order)
      --reconnect          reconnect with backoff when the connection drops
      --max-message <n>    refuse incoming messages larger than n bytes (default 16 MiB)

exit codes: 0 the session ended normally (or by --max / --duration),
            1 it failed (network, protocol, HTTP handshake, --max-reconnects
            reached), 2 bad arguments,
            130 / 143 stopped by Ctrl+C / SIGTERM`

interface Common {
  json: boolean
  max: number | null
  durationMs: number | null
  /** Reconnects in all before the command closes the session; 0: no limit. */
  maxReconnects: number
}

/**
 * EventSource reconnects for ever; a command in a terminal or a script should end. A stream that ends after
 * each event (a server that answers one and closes) reconnected hundreds of times a second, without end.
 */
export const DEFAULT_MAX_RECONNECTS = 100

export type StreamCliCommand =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | (Common & {
      kind: 'sse'
      request: RequestSpec
      stream: Partial<SseOpenOptions>
      /** `--literal-braces`: the body file's `{{…}}` is not looked for either. */
      literalBraces?: true
    })
  | (Common & {
      kind: 'ws'
      url: string
      headers: KeyValue[]
      protocols: string[]
      options: Partial<WsOpenOptions>
      send: string[]
    })

// A typed scheme before a slash or backslash (`http:/host` too, as URL parsers read it: request-checks.ts).
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:[/\\]/i

function error(message: string): StreamCliCommand {
  return { kind: 'error', message }
}

function wholeNumber(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
): number | string | null {
  if (text === undefined) return null
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max)
    return `${name} must be a whole number from ${min} to ${max}, got '${text}'`
  return n
}

export function parseStreamArgs(argv: readonly string[]): StreamCliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        header: { type: 'string', short: 'H', multiple: true },
        'user-agent': { type: 'string', short: 'A' },
        json: { type: 'boolean' },
        max: { type: 'string' },
        duration: { type: 'string' },
        insecure: { type: 'boolean', short: 'k' },
        request: { type: 'string', short: 'X' },
        data: { type: 'string', short: 'd' },
        'no-reconnect': { type: 'boolean' },
        retries: { type: 'string' },
        'max-reconnects': { type: 'string' },
        mode: { type: 'string' },
        'last-event-id': { type: 'string' },
        'headers-timeout': { type: 'string' },
        protocol: { type: 'string', short: 'p', multiple: true },
        send: { type: 'string', short: 's', multiple: true },
        reconnect: { type: 'boolean' },
        'max-message': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...LITERAL_BRACES_OPTION,
      },
    })
  } catch (e) {
    return error((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments')
  }
  const { positionals } = parsed
  let values = parsed.values
  if (values.help) return { kind: 'help' }
  const [command, typedTarget, ...extra] = positionals
  if (command !== 'sse' && command !== 'ws') return error(`unknown command '${command ?? ''}'`)
  if (typedTarget === undefined) return error(`missing URL; try: flightdeck ${command} <url>`)
  if (extra.length > 0) return error(`unexpected argument '${extra[0] ?? ''}'`)
  const literalBraces = values['literal-braces'] === true
  const unresolved = literalBraces
    ? null
    : unresolvedVariable(command, [
        ['the URL', typedTarget],
        ...eachTyped('a header', values.header),
        typedUnlessFile('the body (-d)', values.data),
        ...eachTyped('a message (--send)', values.send),
        ...eachTyped('a subprotocol (-p)', values.protocol),
        ['the Last-Event-ID', values['last-event-id']],
        ['the User-Agent (-A)', values['user-agent']],
      ])
  if (unresolved) return error(unresolved)
  const target = literalBraces ? typedTarget : typedAsSent(typedTarget)
  if (!literalBraces)
    values = valuesAsSent(values, ['header', 'send', 'protocol', 'last-event-id', 'user-agent'], ['data'])

  const given = headerArgs(values.header, values['user-agent'])
  if (typeof given === 'string') return error(given)
  const { headers, omit } = given
  const max = wholeNumber(values.max, '--max', 1, Number.MAX_SAFE_INTEGER)
  if (typeof max === 'string') return error(max)
  let durationMs: number | null = null
  if (values.duration !== undefined) {
    const s = Number(values.duration)
    if (!Number.isFinite(s) || s <= 0 || s > 7 * 24 * 3600) {
      return error(`--duration must be a number of seconds above 0, got '${values.duration}'`)
    }
    durationMs = Math.round(s * 1000)
  }
  const maxReconnects = wholeNumber(values['max-reconnects'], '--max-reconnects', 0, 1_000_000)
  if (typeof maxReconnects === 'string') return error(maxReconnects)
  const common: Common = {
    json: values.json === true,
    max,
    durationMs,
    maxReconnects: maxReconnects ?? DEFAULT_MAX_RECONNECTS,
  }

  if (command === 'ws') {
    const sseOnly = [
      'request',
      'data',
      'no-reconnect',
      'retries',
      'mode',
      'last-event-id',
      'headers-timeout',
    ] as const
    for (const flag of sseOnly) {
      if (values[flag] !== undefined) return error(`--${flag} is an sse option`)
    }
    const kept = handshakeHeaderLeftOut(values.header)
    if (kept) return error(kept)
    const withScheme = HAS_SCHEME.test(target) ? target : `ws://${target}`
    let url: URL
    try {
      url = new URL(withScheme)
    } catch {
      return error(`not a ws(s) URL: '${target}'`)
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return error(`not a ws(s) URL: '${target}'`)
    const maxMessage = wholeNumber(values['max-message'], '--max-message', 1, 2 * 1024 * 1024 * 1024)
    if (typeof maxMessage === 'string') return error(maxMessage)
    const options: Partial<WsOpenOptions> = {}
    if (values.insecure) options.insecure = true
    if (values.reconnect) options.reconnect = true
    if (maxMessage !== null) options.maxMessageBytes = maxMessage
    if (omit.length > 0) options.omitDefaultHeaders = omit
    // The engine reads the URL, headers and subprotocols as templates: each goes as the text meant.
    return {
      kind: 'ws',
      ...common,
      url: asTemplate(url.href),
      headers: headersAsTemplates(headers),
      protocols: (values.protocol ?? []).map(asTemplate),
      options,
      send: values.send ?? [],
    }
  }

  for (const flag of ['protocol', 'send', 'max-message'] as const) {
    if (values[flag] !== undefined) return error(`--${flag} is a ws option`)
  }
  const withScheme = HAS_SCHEME.test(target) ? target : `http://${target}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return error(`not an http(s) URL: '${target}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return error(`not an http(s) URL: '${target}'`)
  const data = values.data
  const method = (values.request ?? (data !== undefined ? 'POST' : 'GET')).toUpperCase()
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(method)) return error(`bad method '${values.request ?? ''}'`)
  let body: RequestBody = { kind: 'none' }
  if (data !== undefined) {
    const explicitType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value
    if (data.startsWith('@')) {
      const path = data.slice(1)
      if (path === '') return error('-d @ needs a file path, e.g. -d @body.json')
      body = explicitType ? { kind: 'file', path, contentType: explicitType } : { kind: 'file', path }
    } else {
      body = { kind: 'text', text: data, contentType: explicitType ?? 'application/json' }
    }
  }
  // The engine reads the URL, headers and a typed body as templates (a file's bytes go as they are).
  if (body.kind === 'text') body = { ...body, text: asTemplate(body.text) }
  const retries = wholeNumber(values.retries, '--retries', 0, 1000)
  if (typeof retries === 'string') return error(retries)
  const headersTimeout = wholeNumber(values['headers-timeout'], '--headers-timeout', 1, 3_600_000)
  if (typeof headersTimeout === 'string') return error(headersTimeout)
  const mode = values.mode
  if (mode !== undefined && mode !== 'auto' && mode !== 'sse' && mode !== 'ndjson' && mode !== 'chunks') {
    return error(`--mode must be auto, sse, ndjson or chunks, got '${mode}'`)
  }
  const stream: Partial<SseOpenOptions> = {}
  if (values.reconnect && values['no-reconnect'])
    return error('--reconnect and --no-reconnect contradict each other')
  if (values.reconnect) stream.reconnect = true
  if (values['no-reconnect']) stream.reconnect = false
  if (retries !== null) stream.maxRetries = retries
  if (mode !== undefined) stream.mode = mode
  if (values['last-event-id'] !== undefined) stream.lastEventId = values['last-event-id']
  return {
    kind: 'sse',
    ...common,
    request: {
      method,
      url: asTemplate(url.href),
      headers: headersAsTemplates(headers),
      body,
      options: {
        ...(values.insecure ? { insecure: true } : {}),
        ...(headersTimeout !== null ? { headersTimeoutMs: headersTimeout } : {}),
        ...(omit.length > 0 ? { omitDefaultHeaders: omit } : {}),
      },
    },
    stream,
    ...(literalBraces ? { literalBraces: true as const } : {}),
  }
}

/** The headers a WebSocket handshake writes itself (Connection is refused with the other needed ones, args.ts). */
const HANDSHAKE_OWN = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']

/** `-H 'Upgrade:'` and the like on ws: the handshake sends its own whatever -H says, so leaving it out is refused. */
function handshakeHeaderLeftOut(given: readonly string[] | undefined): string | null {
  for (const h of given ?? []) {
    const parsed = parseHeader(h)
    if (parsed && 'leaveOut' in parsed && HANDSHAKE_OWN.includes(parsed.leaveOut.toLowerCase()))
      return `-H '${parsed.leaveOut}:' cannot leave ${parsed.leaveOut} out: the WebSocket handshake always sends its own`
  }
  return null
}
