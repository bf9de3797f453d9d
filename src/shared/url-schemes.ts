import type { GraphqlTransport } from './graphql'
import { fail, ok, type Result } from './result'

/**
 * The URL schemes each mode's session takes, checked when a session is asked for (the app's Send, the CLI, a
 * run's step) on the URL once its `{{variables}}` are filled in, so a URL of another mode (a tab switched from
 * MQTT to WebSocket keeps its `mqtt://`) is refused in one plain sentence before any session row is made.
 * The sessions' own parsing (parseTargetUrl) takes the same lists, and the app checks a messaging tab's URL with
 * them at Send (renderer/mqtt/messaging-url.ts), in the same words.
 */
const MODES = {
  ws: { name: 'WebSocket', schemes: ['ws', 'wss'], example: 'ws://localhost:8080' },
  sse: { name: 'SSE', schemes: ['http', 'https'], example: 'http://localhost:8080/events' },
  mqtt: { name: 'MQTT', schemes: ['mqtt', 'mqtts', 'ws', 'wss'], example: 'mqtt://localhost:1883' },
  socketio: { name: 'Socket.IO', schemes: ['http', 'https', 'ws', 'wss'], example: 'http://localhost:3000' },
  'graphql-http': {
    name: 'GraphQL over HTTP',
    schemes: ['http', 'https'],
    example: 'http://localhost:4000/graphql',
  },
  'graphql-sse': {
    name: 'GraphQL over SSE',
    schemes: ['http', 'https'],
    example: 'http://localhost:4000/graphql/stream',
  },
  // An http(s):// URL is opened as ws(s):// (toWsUrl).
  'graphql-ws': {
    name: 'GraphQL over WebSocket',
    schemes: ['ws', 'wss', 'http', 'https'],
    example: 'ws://localhost:4000/graphql',
  },
  grpc: {
    name: 'gRPC',
    schemes: ['grpc', 'grpcs', 'http', 'https'],
    example: 'localhost:50051',
  },
} as const

export type UrlMode = keyof typeof MODES

/** GraphQL's mode by its transport: HTTP, SSE (either mode) or a WebSocket protocol. */
export function graphqlUrlMode(transport: GraphqlTransport): UrlMode {
  if (transport === 'http') return 'graphql-http'
  return transport === 'sse' || transport === 'sse-single' ? 'graphql-sse' : 'graphql-ws'
}

/**
 * A scheme written out (`mqtt://…`, also `mqtt:/…` and `mqtt:\\…`, which URL parsers read the same way); a URL
 * without one is left to the mode's default scheme.
 */
const TYPED_SCHEME = /^\s*([a-zA-Z][a-zA-Z\d+.-]*):[/\\]/

/** The schemes a mode takes, as a person reads them: "ws:// or wss://". */
export function schemesOf(mode: UrlMode): string {
  const list = MODES[mode].schemes.map((s) => `${s}://`)
  return list.length === 1 ? (list[0] as string) : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`
}

/**
 * Nothing when the URL's typed scheme is one the mode takes (or none is typed); otherwise the refusal, naming the
 * schemes the mode takes: "WebSocket takes ws:// or wss:// URLs, not mqtt:// (e.g. ws://localhost:8080)".
 */
export function checkUrlScheme(mode: UrlMode, url: string): Result<void> {
  const typed = TYPED_SCHEME.exec(url)?.[1]?.toLowerCase()
  const { name, schemes, example } = MODES[mode]
  if (typed === undefined || (schemes as readonly string[]).includes(typed)) return ok(undefined)
  const what = mode === 'grpc' ? 'host:port targets or' : ''
  return fail(
    'invalid_url',
    `${name} takes ${what ? `${what} ` : ''}${schemesOf(mode)} URLs, not ${typed}:// (e.g. ${example})`,
  )
}
