import { stat } from 'node:fs/promises'
import { dirname, basename, isAbsolute, join, relative, resolve } from 'node:path'
import type { AuthSpec } from '../../shared/collection'
import type { GrpcurlCall } from '../../shared/grpc'
import type { KeyValue, RequestSpec } from '../../shared/request'
import { resolveRequest } from '../../shared/template'
import { unfilledBasic } from '../exporters/snippet-basic'
import { grpcAuthMetadata } from './grpc-auth'

/**
 * The `-proto` and `-import-path` arguments grpcurl needs to load the schema Flightdeck loaded, run from the
 * collection folder (the CLI's working directory). grpcurl, like protoc, names each `-proto` file relative to
 * an import path once any is given, where Flightdeck also finds a file beside the collection: such a file gets
 * the folder it is named from (`.`) as an import path, so the copied command finds every file it names.
 */
export async function grpcurlProtoArgs(
  files: string[],
  importPaths: string[],
  base: string,
): Promise<{ files: string[]; importPaths: string[] }> {
  const shown = (abs: string): string => {
    const rel = relative(base, abs)
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel
  }
  const dirs = importPaths.map((p) => (isAbsolute(p) ? p : resolve(base, p)))
  // A path named twice (the request's and the collection's) is said once.
  const paths = [...new Set(importPaths.map((p) => (isAbsolute(p) ? shown(p) : p)))]
  const out: string[] = []
  const extra: string[] = []
  const addPath = (abs: string): void => {
    const p = shown(abs)
    if (!paths.includes(p) && !extra.includes(p)) extra.push(p)
  }
  for (const f of files) {
    if (!isAbsolute(f) && (await firstFile(dirs.map((d) => join(d, f))))) {
      out.push(f)
      continue
    }
    const abs = isAbsolute(f) ? f : resolve(base, f)
    const inPath = dirs.find((d) => {
      const rel = relative(d, abs)
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
    })
    if (inPath) out.push(relative(inPath, abs))
    else if (importPaths.length === 0) out.push(shown(abs))
    else {
      // Named from the collection folder (or a folder outside it): that folder becomes an import path too.
      const rel = shown(abs)
      if (isAbsolute(rel)) {
        addPath(dirname(abs))
        out.push(basename(abs))
      } else {
        addPath(base)
        out.push(rel)
      }
    }
  }
  return { files: out, importPaths: [...paths, ...extra] }
}

async function firstFile(candidates: string[]): Promise<string | null> {
  for (const c of candidates) {
    try {
      if ((await stat(c)).isFile()) return c
    } catch {
      // Not there: the next.
    }
  }
  return null
}

/** Copy as curl's words for an OAuth 2.0 token (exporters/snippets.ts). */
const OAUTH2_NOTE = '# OAuth 2.0 token not included: Flightdeck adds it when sending'

/**
 * The call's target, metadata and message as Copy as curl writes a request: variables filled in from the
 * collection and environment, except secrets, which stay as `{{name}}` (a command is pasted into chats), and
 * dynamic values as their names. The auth (its own, or the one inherited, `auth`) goes as metadata by the rule
 * a call sends it with (grpc-auth.ts); one a call cannot send is left out, said in a note. An OAuth 2.0 token is
 * left out as Copy as curl leaves it out, with its words: Flightdeck fetches it when it calls, a copy has none.
 * Basic credentials that still hold a `{{variable}}` go as `basic`, encoded by the shell (snippet-basic.ts).
 */
export function grpcurlCall(
  call: { target: string; metadata: KeyValue[]; message: string },
  auth: AuthSpec,
  vars: ReadonlyMap<string, string>,
): GrpcurlCall {
  const keep = { uuid: () => '{{$uuid}}', now: () => 0, random: () => 0 }
  const carrier: RequestSpec = {
    method: 'POST',
    url: call.target,
    headers: call.metadata.filter((m) => m.enabled && m.name.trim() !== ''),
    body: { kind: 'json', text: call.message },
    options: {},
  }
  const resolved = resolveRequest(carrier, auth, vars, keep)
  const body = resolved.spec.body
  const message = body.kind === 'json' ? body.text : call.message
  const basic = unfilledBasic(resolved.spec, resolved.auth)
  if (basic !== null) return { target: resolved.spec.url, metadata: resolved.spec.headers, message, basic }
  const metadata = grpcAuthMetadata(resolved.spec.headers, resolved.auth)
  if (metadata.ok) {
    // The auth's rows named as gRPC metadata is (lower case: `authorization`); the person's as typed.
    const typed = new Set(resolved.spec.headers)
    const rows = metadata.value.map((m) => (typed.has(m) ? m : { ...m, name: m.name.toLowerCase() }))
    return { target: resolved.spec.url, metadata: rows, message }
  }
  const a = resolved.auth
  const ownRow = resolved.spec.headers.some(
    (h) => h.enabled && h.name.trim().toLowerCase() === 'authorization',
  )
  // A call sends the authorization row set by hand and fetches no token (grpc-auth.ts): nothing is left out.
  if (a.type === 'oauth2' && a.tokenIn !== 'query' && ownRow)
    return { target: resolved.spec.url, metadata: resolved.spec.headers, message }
  const kind =
    a.type === 'digest'
      ? 'Digest auth'
      : a.type === 'oauth2'
        ? a.tokenIn === 'query'
          ? 'OAuth 2.0 token in the query'
          : null
        : 'API key in the query'
  return {
    target: resolved.spec.url,
    metadata: resolved.spec.headers,
    message,
    note:
      kind === null
        ? OAUTH2_NOTE
        : `# ${kind} not included: a gRPC call cannot send it (Flightdeck refuses the call)`,
  }
}
