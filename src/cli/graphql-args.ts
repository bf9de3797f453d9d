import { parseArgs } from 'node:util'
import { GRAPHQL_TRANSPORTS, type GraphqlTransport } from '../shared/graphql'
import type { KeyValue } from '../shared/request'
import { headerArgs, type HeaderArgs } from './args'
import { commandUrl } from './typed-url'
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
 * Arguments of `flightdeck graphql <url>`: pure (files named with @ are read by the command), so they are
 * tested without a network. Anything rejected is a bad argument (exit 2) with a one-line reason.
 */

export const GRAPHQL_USAGE = `usage: flightdeck graphql <url> --query <query|@file> [options]
       flightdeck graphql <url> --introspect

Runs one GraphQL operation through the Flightdeck engine. A query or mutation prints its
result; a subscription prints each result as it arrives.

options:
  -q, --query <q|@file>     the GraphQL document (@path reads it from a file)
  -v, --variables <json>    the variables, a JSON object (@path reads it from a file)
  -o, --operation <name>    the operation to run when the document has several
  -t, --transport <t>       http (default for queries and mutations), ws (default for
                            subscriptions: offers graphql-transport-ws and the legacy
                            graphql-ws, speaks what the server accepts), transport-ws,
                            legacy-ws, sse (GraphQL over SSE) or sse-single (its single
                            connection mode: a PUT reserves the stream first)
  -X, --method <GET|POST>   how a query goes over http (default POST)
  -s, --schema <file>       a .graphql SDL file: the document is validated against it
                            before anything is sent (exit 2 when it does not validate)
  -H, --header 'k: v'       add a header (repeatable); 'k:' sends none (not even
                            Flightdeck's own), 'k;' sends it empty
  -A, --user-agent <name>   the User-Agent sent over http, on every sse request and on the
                            ws upgrade (default Flightdeck/<version>); '' sends none
      --params <json>       WebSocket connection params (connection_init's payload)
      --reconnect           resubscribe with backoff when the connection drops
      --json                one JSON object per line: {"type":"next","data":…,"errors":…,"t":…}
      --max <n>             stop a subscription after n results
      --duration <s>        stop a subscription after s seconds (decimals allowed)
      --introspect          print the server's schema as SDL
  -k, --insecure            accept TLS certificates that do not verify
${literalBracesUsage('      --literal-braces', 28)}

exit codes: 0 the operation ran without GraphQL errors (a subscription ended, or was stopped by
            --max / --duration), 1 GraphQL errors, a failed subscription, a network or protocol
            failure, 2 bad arguments, or a document that does not validate against --schema,
            130 / 143 stopped by Ctrl+C / SIGTERM`

export type GraphqlCliCommand =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | {
      kind: 'graphql'
      url: string
      /** As given: text, or `@path` the command reads. */
      query: string
      variables: string | null
      operationName: string | null
      /** Null: chosen by the operation's type once the document is parsed. */
      transport: GraphqlTransport | null
      method: 'GET' | 'POST'
      headers: KeyValue[]
      /** Flightdeck's own headers left out (`-A ''`, `-H 'User-Agent:'`). */
      omit: HeaderArgs['omit']
      connectionParams: string | null
      /** `--literal-braces`: a file's `{{…}}` is not looked for either. */
      literalBraces?: true
      reconnect: boolean
      json: boolean
      max: number | null
      durationMs: number | null
      introspect: boolean
      insecure: boolean
      /** A `.graphql` SDL file to validate the document against before sending. */
      schema: string | null
    }

function error(message: string): GraphqlCliCommand {
  return { kind: 'error', message }
}

export function parseGraphqlArgs(argv: readonly string[]): GraphqlCliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: argv.slice(1) as string[],
      allowPositionals: true,
      strict: true,
      options: {
        query: { type: 'string', short: 'q' },
        variables: { type: 'string', short: 'v' },
        operation: { type: 'string', short: 'o' },
        transport: { type: 'string', short: 't' },
        method: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        'user-agent': { type: 'string', short: 'A' },
        params: { type: 'string' },
        reconnect: { type: 'boolean' },
        json: { type: 'boolean' },
        max: { type: 'string' },
        duration: { type: 'string' },
        introspect: { type: 'boolean' },
        schema: { type: 'string', short: 's' },
        insecure: { type: 'boolean', short: 'k' },
        help: { type: 'boolean', short: 'h' },
        ...LITERAL_BRACES_OPTION,
      },
    })
  } catch (e) {
    return error(e instanceof Error ? e.message : String(e))
  }
  let v = parsed.values
  if (v.help) return { kind: 'help' }
  const [typedTarget, ...rest] = parsed.positionals
  if (!typedTarget) return error('graphql needs a URL (see flightdeck graphql --help)')
  if (rest.length) return error(`unexpected argument '${rest[0] ?? ''}'`)
  const literalBraces = v['literal-braces'] === true
  const unresolved = literalBraces
    ? null
    : unresolvedVariable('graphql', [
        ['the URL', typedTarget],
        ...eachTyped('a header', v.header),
        typedUnlessFile('the query (--query)', v.query),
        typedUnlessFile('the variables (--variables)', v.variables),
        typedUnlessFile('the connection params (--params)', v.params),
        ['the User-Agent (-A)', v['user-agent']],
      ])
  if (unresolved) return error(unresolved)
  const target = literalBraces ? typedTarget : typedAsSent(typedTarget)
  if (!literalBraces) v = valuesAsSent(v, ['header', 'user-agent'], ['query', 'variables', 'params'])
  const url = commandUrl(target, 'http', ['http', 'https', 'ws', 'wss'])
  if (url === null) return error(`the URL must be http(s):// or ws(s)://, got '${target}'`)
  if (!v.query && !v.introspect) return error('graphql needs --query (or --introspect)')
  if (v.query && v.introspect) return error('--query and --introspect do not go together')
  let transport: GraphqlTransport | null = null
  if (v.transport !== undefined) {
    if (!(GRAPHQL_TRANSPORTS as readonly string[]).includes(v.transport))
      return error(`--transport must be one of ${GRAPHQL_TRANSPORTS.join(', ')}, got '${v.transport}'`)
    transport = v.transport as GraphqlTransport
  }
  if (v.introspect && transport && transport !== 'http') return error('--introspect runs over http')
  if (v.introspect && v.schema !== undefined) return error('--schema and --introspect do not go together')
  const method = (v.method ?? 'POST').toUpperCase()
  if (method !== 'GET' && method !== 'POST')
    return error(`--method must be GET or POST, got '${v.method ?? ''}'`)
  const given = headerArgs(v.header, v['user-agent'])
  if (typeof given === 'string') return error(given)
  let max: number | null = null
  if (v.max !== undefined) {
    const n = Number(v.max)
    if (!Number.isInteger(n) || n < 1 || n > 1e9)
      return error(`--max must be a whole number from 1, got '${v.max}'`)
    max = n
  }
  let durationMs: number | null = null
  if (v.duration !== undefined) {
    const s = Number(v.duration)
    if (!Number.isFinite(s) || s <= 0 || s > 7 * 86_400)
      return error(`--duration must be a number of seconds above 0, got '${v.duration}'`)
    durationMs = Math.round(s * 1000)
  }
  return {
    kind: 'graphql',
    url,
    query: v.query ?? '',
    variables: v.variables ?? null,
    operationName: v.operation ?? null,
    transport,
    method,
    headers: given.headers,
    omit: given.omit,
    connectionParams: v.params ?? null,
    reconnect: v.reconnect ?? false,
    json: v.json ?? false,
    max,
    durationMs,
    introspect: v.introspect ?? false,
    insecure: v.insecure ?? false,
    schema: v.schema ?? null,
    ...(literalBraces ? { literalBraces: true as const } : {}),
  }
}
