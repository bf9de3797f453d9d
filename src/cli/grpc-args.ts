import { parseArgs } from 'node:util'
import type { GrpcSchemaSource, GrpcTls } from '../shared/grpc'
import type { KeyValue } from '../shared/request'
import { parseHeader, parseSize, userAgent } from './args'
import { parseSavedGrpc, SAVED_GRPC_OPTIONS, SAVED_GRPC_USAGE, type SavedGrpcCall } from './grpc-saved'
import {
  eachTyped,
  literalBracesUsage,
  typedAsSent,
  typedUnlessFile,
  unresolvedVariable,
  valuesAsSent,
} from './unresolved-variable'

/**
 * Arguments of `flightdeck grpc <target> [Service/Method]`: pure, so they are tested without a network. Anything
 * rejected is a bad argument (exit 2) with a one-line reason.
 */

export const GRPC_USAGE = `usage: flightdeck grpc <host:port> [options]                     list services and methods
       flightdeck grpc <host:port> <package.Service|Type> [options]  describe one
       flightdeck grpc <host:port> <package.Service/Method> [options] call it
${SAVED_GRPC_USAGE}

Calls a gRPC method through the Flightdeck engine (unary, server, client or bidi
streaming) and prints every message received as JSON. The schema comes from the
server's reflection (grpc.reflection.v1, then v1alpha), or from --proto files.

options:
  -d, --data <json>          the request message; @file reads it from a file; - reads
                             newline-delimited JSON messages from stdin (client and bidi
                             streams send each line as it comes, then half-close).
                             For a client or bidi stream, a JSON array or one object per
                             line sends several; a file (or a FIFO, <(…)) of lines is
                             sent as it is read, as stdin is. Without -d: one empty
                             message {}. A file or stdin read whole, or one line, holds
                             at most 64 MiB.
      --proto <file>         a .proto file to use instead of reflection (repeatable)
      --import-path <dir>    where imports in the .proto files are looked up (repeatable)
      --plaintext            no TLS (h2c); grpc://host:port says the same
  -k, --insecure             TLS without verifying the server's certificate
      --cacert <file>        trust this CA bundle (PEM) instead of the system's
      --cert <file>          client certificate (PEM), with --key
      --key <file>           client key (PEM)
  -H, --header 'k: v'        metadata (repeatable); sent on the reflection call too;
                             'k;' sends it empty
  -A, --user-agent <name>    the user-agent: grpc-js sends '<name> grpc-node-js/<version>'
                             (default 'flightdeck/<version> grpc-node-js/<version>')
      --deadline <s>         the call's deadline in seconds (decimals allowed)
      --max-msg-sz <size>    largest message sent or received (default 4M)
      --json                 one JSON object per message, then one with the status,
                             headers and trailers
      --max <n>              cancel the call after n messages received
      --duration <s>         cancel the call after s seconds
${literalBracesUsage('      --literal-braces', 29)}
${SAVED_GRPC_OPTIONS}

exit codes: 0 status OK (or stopped by --max / --duration),
            1 a non-OK status or a transport failure, 2 bad arguments or a bad message,
            130 / 143 stopped by Ctrl+C / SIGTERM`

export type GrpcData =
  { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' }

export interface GrpcCliCall {
  kind: 'call' | 'list' | 'describe'
  target: string
  /** The method (call) or symbol (describe). */
  name: string
  data: GrpcData
  schema: GrpcSchemaSource
  tls: GrpcTls
  metadata: KeyValue[]
  deadlineMs: number | null
  maxMessageBytes: number | null
  json: boolean
  max: number | null
  durationMs: number | null
  /** `--literal-braces`: a message file's or stdin's `{{…}}` is not looked for either. */
  literalBraces?: true
}

export type GrpcCliCommand =
  { kind: 'help' } | { kind: 'error'; message: string } | GrpcCliCall | SavedGrpcCall

function error(message: string): GrpcCliCommand {
  return { kind: 'error', message }
}

function seconds(text: string | undefined, flag: string): number | null | string {
  if (text === undefined) return null
  const s = Number(text)
  if (!Number.isFinite(s) || s <= 0 || s > 7 * 24 * 3600)
    return `${flag} must be a number of seconds above 0, got '${text}'`
  return Math.round(s * 1000)
}

export function parseGrpcArgs(argv: readonly string[]): GrpcCliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', short: 'd' },
        proto: { type: 'string', multiple: true },
        'import-path': { type: 'string', multiple: true },
        plaintext: { type: 'boolean' },
        insecure: { type: 'boolean', short: 'k' },
        cacert: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        'user-agent': { type: 'string', short: 'A' },
        deadline: { type: 'string' },
        'max-msg-sz': { type: 'string' },
        json: { type: 'boolean' },
        max: { type: 'string' },
        duration: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        collection: { type: 'string' },
        request: { type: 'string' },
        env: { type: 'string' },
        'env-var': { type: 'string', multiple: true },
        'global-var': { type: 'string', multiple: true },
        'allow-empty-secrets': { type: 'boolean' },
        'allow-files': { type: 'string', multiple: true },
        'oauth-timeout': { type: 'string' },
        'literal-braces': { type: 'boolean' },
      },
    })
  } catch (e) {
    return error((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'bad arguments')
  }
  const { positionals } = parsed
  let values = parsed.values
  if (values.help) return { kind: 'help' }
  const deadlineMs = seconds(values.deadline, '--deadline')
  if (typeof deadlineMs === 'string') return error(deadlineMs)
  const durationMs = seconds(values.duration, '--duration')
  if (typeof durationMs === 'string') return error(durationMs)
  let max: number | null = null
  if (values.max !== undefined) {
    max = Number(values.max)
    if (!Number.isSafeInteger(max) || max < 1)
      return error(`--max must be a whole number of at least 1, got '${values.max}'`)
  }
  if (values.collection !== undefined) {
    const oneOff = (['literal-braces', 'user-agent'] as const).find((o) => values[o] !== undefined)
    if (oneOff) return error(`--${oneOff} applies to a one-off call, not to a saved request`)
  }
  if (values.collection !== undefined)
    return parseSavedGrpc(values, positionals, { json: values.json === true, max, durationMs })
  const onlySaved = [
    'request',
    'env',
    'env-var',
    'global-var',
    'allow-empty-secrets',
    'allow-files',
    'oauth-timeout',
  ] as const
  const stray = onlySaved.find((k) => values[k] !== undefined)
  if (stray) return error(`--${stray} goes with --collection <dir> --request <path> (a saved request)`)
  const [typedTarget, name, ...extra] = positionals
  if (typedTarget === undefined) return error('missing target; try: flightdeck grpc localhost:50051')
  if (extra.length > 0) return error(`unexpected argument '${extra[0] ?? ''}'`)
  const literalBraces = values['literal-braces'] === true
  const unresolved = literalBraces
    ? null
    : unresolvedVariable('grpc', [
        ['the target', typedTarget],
        ...eachTyped('metadata (-H)', values.header),
        ['the user-agent (-A)', values['user-agent']],
        typedUnlessFile('the message (-d)', values.data),
      ])
  if (unresolved) return error(unresolved)
  const target = literalBraces ? typedTarget : typedAsSent(typedTarget)
  if (!literalBraces) values = valuesAsSent(values, ['header', 'user-agent'], ['data'])
  const metadata: KeyValue[] = []
  for (const h of values.header ?? []) {
    const kv = parseHeader(h)
    if (!kv) return error(`bad header '${h}'; expected 'name: value' ('name;' sends it empty)`)
    // A call has no metadata of Flightdeck's own to leave out, and grpc-js always sends its user-agent.
    if ('leaveOut' in kv)
      return error(
        `-H '${kv.leaveOut}:' leaves a header out, and a gRPC call has none of Flightdeck's to leave out (grpc-js always sends its own user-agent); for an empty value write '${kv.leaveOut};'`,
      )
    metadata.push(kv.send)
  }
  if (values['user-agent'] === '')
    return error("-A '': grpc-js always sends a user-agent (its own grpc-node-js/<version>); give a name")
  const agent = userAgent(values['user-agent'], metadata)
  if (typeof agent === 'string') return error(agent)
  let maxMessageBytes: number | null = null
  if (values['max-msg-sz'] !== undefined) {
    maxMessageBytes = parseSize(values['max-msg-sz'])
    if (maxMessageBytes === null || maxMessageBytes > 2 ** 31 - 1) {
      return error(`--max-msg-sz must be a size up to 2G (e.g. 16M), got '${values['max-msg-sz']}'`)
    }
  }
  if (Boolean(values.cert) !== Boolean(values.key)) return error('--cert and --key go together')
  if (values.plaintext && (values.insecure || values.cacert || values.cert)) {
    return error('--plaintext has no TLS: --insecure, --cacert and --cert do not apply')
  }
  const d = values.data
  const data: GrpcData =
    d === undefined
      ? { kind: 'none' }
      : d === '-'
        ? { kind: 'stdin' }
        : d.startsWith('@')
          ? { kind: 'file', path: d.slice(1) }
          : { kind: 'text', text: d }
  const protos = values.proto ?? []
  const importPaths = values['import-path'] ?? []
  if (protos.length === 0 && importPaths.length > 0) return error('--import-path needs --proto files')
  // `pkg.Svc/M` is a call; `pkg.Svc`, `pkg.Msg` or `pkg.Svc.M` is described (as grpcurl), unless -d says call.
  const isMethod = name !== undefined && (name.includes('/') || data.kind !== 'none')
  if (name === undefined && data.kind !== 'none')
    return error('-d needs a method: flightdeck grpc <target> package.Service/Method -d ...')
  return {
    kind: name === undefined ? 'list' : isMethod ? 'call' : 'describe',
    target,
    name: name ?? '',
    data,
    schema: protos.length > 0 ? { kind: 'proto', files: protos, importPaths } : { kind: 'reflection' },
    tls: {
      plaintext: values.plaintext === true,
      ...(values.insecure ? { insecure: true } : {}),
      ...(values.cacert ? { caFile: values.cacert } : {}),
      ...(values.cert ? { certFile: values.cert } : {}),
      ...(values.key ? { keyFile: values.key } : {}),
    },
    metadata,
    deadlineMs,
    maxMessageBytes,
    json: values.json === true,
    max,
    durationMs,
    ...(literalBraces ? { literalBraces: true as const } : {}),
  }
}
