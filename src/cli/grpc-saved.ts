import { resolve } from 'node:path'
import type { EngineService } from '../engine/service'
import { grpcSendsMany } from '../shared/grpc'
import { fail, ok, type Result } from '../shared/result'
import { savedGrpcMessages } from '../engine/grpc/grpc-saved-messages'
import { readGivenVariables, useSessionVariables } from './env-var-args'
import { signalWords, type Interrupt } from './interrupt'
import { parseOAuthTimeout } from './oauth-args'

/**
 * `flightdeck grpc --collection DIR --request PATH`: a saved gRPC request called as the app's Invoke calls it,
 * through the same engine command (`grpc.open` with the request's auth and its place in the collection): its
 * environment's and `--env-var`'s variables, its Auth tab or the one it inherits from its folder or collection
 * (Bearer, Basic, an API key in a header, an OAuth 2.0 token fetched as `send --collection` fetches it, sent as
 * metadata by grpc-auth.ts; Digest and a query API key refused, nothing sent), the collection's `.proto` files, and its files confined to the collection. As with
 * `send --collection`, what the file holds is not retyped: -d, -H and the schema and TLS flags are refused.
 */

export interface SavedGrpcCall {
  kind: 'saved'
  collection: string
  /** The request file, relative to the collection (`.yaml` may be left off). */
  request: string
  env?: string
  envVars: string[]
  globalVars: string[]
  allowEmptySecrets: boolean
  allowFiles: string[]
  /** `--oauth-timeout`, in ms: how long an OAuth 2.0 sign-in (authorization code) is awaited. */
  oauthTimeoutMs?: number
  insecure: boolean
  json: boolean
  max: number | null
  durationMs: number | null
}

export const SAVED_GRPC_USAGE = `       flightdeck grpc --collection <dir> --request <path> [--env <name>] [options]
                                                               call a saved gRPC request`

export const SAVED_GRPC_OPTIONS = `
a saved request (its target, method, metadata, messages, schema and auth come from the file):
      --collection <dir>     the collection folder; with it, --request <path> names the
                             request file (e.g. grpc/say); -d, -H and the schema and TLS
                             options do not apply (edit the file), -k does
      --env <name>           the environment for {{variables}}
      --env-var <name=value> a value for {{name}} (repeatable); --env-var <name> reads the
                             environment variable of that name; --global-var the same for a
                             global; --allow-empty-secrets sends a secret with no value empty
      --allow-files <dir>    let the request read .proto and TLS files from this folder
                             outside the collection (repeatable)
      --oauth-timeout <s>    OAuth 2.0 authorization code: how long to wait for you to sign
                             in at the URL printed on stderr (default 300, at most 3600)`

/** Flags a saved request's file says instead. */
const FROM_THE_FILE: readonly (readonly [string, string])[] = [
  ['data', '-d'],
  ['header', '-H'],
  ['proto', '--proto'],
  ['import-path', '--import-path'],
  ['plaintext', '--plaintext'],
  ['cacert', '--cacert'],
  ['cert', '--cert'],
  ['key', '--key'],
  ['deadline', '--deadline'],
  ['max-msg-sz', '--max-msg-sz'],
]

export function parseSavedGrpc(
  values: Record<string, string | boolean | string[] | undefined>,
  positionals: readonly string[],
  common: { json: boolean; max: number | null; durationMs: number | null },
): SavedGrpcCall | { kind: 'error'; message: string } {
  const error = (message: string): { kind: 'error'; message: string } => ({ kind: 'error', message })
  if (positionals.length > 0) return error(`unexpected argument '${positionals[0] ?? ''}' with --collection`)
  const collection = values.collection
  const request = values.request
  if (typeof collection !== 'string' || collection === '') return error('--collection needs a folder')
  if (typeof request !== 'string' || request === '')
    return error('--collection needs --request <path/to/request>')
  for (const [name, flag] of FROM_THE_FILE) {
    if (values[name] !== undefined)
      return error(`${flag} does not apply to a saved request; edit the request file instead`)
  }
  const oauthTimeout = parseOAuthTimeout(
    typeof values['oauth-timeout'] === 'string' ? values['oauth-timeout'] : undefined,
  )
  if (oauthTimeout instanceof Error) return error(oauthTimeout.message)
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])
  return {
    kind: 'saved',
    collection,
    request: /\.ya?ml$/.test(request) ? request : `${request}.yaml`,
    ...(typeof values.env === 'string' ? { env: values.env } : {}),
    envVars: list(values['env-var']),
    globalVars: list(values['global-var']),
    allowEmptySecrets: values['allow-empty-secrets'] === true,
    allowFiles: list(values['allow-files']),
    ...(oauthTimeout !== undefined ? { oauthTimeoutMs: oauthTimeout } : {}),
    insecure: values.insecure === true,
    ...common,
  }
}

/**
 * Open the saved request's call (nothing is sent when it is refused); the sid to follow. The command's
 * `interrupt` is handed each step's words (the caller races the steps with the signal): Ctrl+C while a server
 * holds its reflection says so, as a one-off call's does, rather than only "before the call".
 */
export async function openSavedGrpc(
  service: EngineService,
  c: SavedGrpcCall,
  err: (text: string) => void,
  interrupt?: Interrupt,
): Promise<Result<{ sid: string }>> {
  const stopped = (during: string): void =>
    interrupt?.handOver((signal) =>
      err(`flightdeck: stopped ${signalWords(signal)} ${during}: the call was not made\n`),
    )
  stopped(`while opening the collection ${c.collection}`)
  const given = readGivenVariables(c.envVars, c.globalVars, process.env)
  if (given instanceof Error) return fail('invalid_request', given.message)
  await useSessionVariables(service, given, c.allowEmptySecrets, err)
  // Relative folders are the shell's, as any path argument is.
  const allowed = await service.allowFilesForSession(c.allowFiles.map((d) => resolve(d)))
  if (!allowed.ok) return fail(allowed.error.code, `--allow-files: ${allowed.error.message}`)
  const opened = await service.invoke('collection.open', { dir: c.collection })
  if (!opened.ok) return opened
  const dir = opened.value.dir
  const problem = opened.value.problems.find((p) => p.path === c.request)
  if (problem) return fail('parse', `${c.request} line ${problem.line}: ${problem.message}`)
  const read = await service.invoke('collection.read', { dir, path: c.request })
  if (!read.ok) return read
  const saved = read.value.request
  if (saved.kind !== 'grpc' || !saved.grpc?.method) {
    return fail(
      'invalid_request',
      saved.kind !== 'grpc'
        ? `${c.request} is not a gRPC request (kind: ${saved.kind}); flightdeck grpc calls gRPC requests`
        : `${c.request} names no method (grpc.method: package.Service/Method)`,
    )
  }
  const g = saved.grpc
  const where = {
    target: saved.url,
    metadata: saved.headers,
    schema: g.proto?.length
      ? { kind: 'proto' as const, files: g.proto, importPaths: g.importPaths ?? [] }
      : { kind: 'reflection' as const },
    tls: {
      plaintext: /^grpc:\/\//i.test(saved.url.trim()),
      ...(c.insecure || saved.options.insecure ? { insecure: true } : {}),
      ...(saved.options.caFile ? { caFile: saved.options.caFile } : {}),
    },
    auth: saved.auth,
    context: c.env === undefined ? { dir, path: c.request } : { dir, path: c.request, env: c.env },
  }
  // The method's kind says how the saved message text is read, as the app's Invoke reads it (the schema is
  // kept a while: the call reuses it).
  stopped(
    where.schema.kind === 'reflection'
      ? `while asking ${serverOf(saved.url)} for its schema (reflection)`
      : 'while reading the .proto files',
  )
  const schema = await service.invoke('grpc.describe', { ...where, method: g.method })
  if (!schema.ok) return schema
  // The caller stopped waiting at the signal: no call is opened after it, whatever the schema's answer.
  if (interrupt?.signal) return fail('invalid_request', 'the call was not made: the command was stopped')
  stopped('before the call')
  const kind = schema.value.services.flatMap((s) => s.methods).find((m) => m.full === g.method)?.kind
  const call = await service.invoke('grpc.open', {
    ...where,
    method: g.method,
    messages: savedGrpcMessages(
      saved.messages.map((m) => m.text),
      kind !== undefined && grpcSendsMany(kind),
    ),
    ...(g.deadlineMs !== undefined ? { deadlineMs: g.deadlineMs } : {}),
    ...(g.maxMessageBytes !== undefined ? { maxMessageBytes: g.maxMessageBytes } : {}),
    connectTimeoutMs: saved.options.connectTimeoutMs,
    halfClose: true,
    name: saved.name,
  })
  return call.ok ? ok({ sid: call.value.sid }) : call
}

/** The saved target as the words name it: `host:port`, or "the server" while it holds a `{{variable}}`. */
function serverOf(url: string): string {
  const target = url.trim().replace(/^grpcs?:\/\//i, '')
  return target === '' || target.includes('{{') ? 'the server' : target
}
