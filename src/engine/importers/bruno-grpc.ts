import type { AuthSpec, SavedRequest } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { request, type PlanNode } from './plan'

/**
 * A Bruno gRPC request (a `.bru` with `meta { type: grpc }`, a `grpc { url method protoPath }` block, `metadata`
 * and one `body:grpc { name content }` block per message; or an OpenCollection item with `info.type: grpc` and
 * a `grpc:` map) as a `kind: grpc` request. Bruno writes a target without a scheme as plaintext when it is
 * localhost or 127.0.0.1 and as TLS otherwise; `http://` is plaintext there and `https://` TLS: the target is
 * written with the scheme that says the same here. The method type Bruno stores is not needed (the schema
 * says it). Auth becomes metadata where gRPC carries it so (a bearer token, an API key in a header).
 */

/** What the note on a relative proto path says; a folder import copies the file (repoint-files.ts) instead. */
export const PROTO_NOT_COPIED_NOTE = 'was not copied; copy it to the same path in the collection'

export interface BrunoGrpcParts {
  name: string
  url: string
  /** `/pkg.Service/Method` as Bruno writes it. */
  method: string
  protoPath: string | undefined
  metadata: KeyValue[]
  messages: { name: string; text: string }[]
  auth: AuthSpec
  description: string
}

export function grpcRequestFrom(p: BrunoGrpcParts, u: string[], where: string): SavedRequest {
  const metadata = [...p.metadata]
  switch (p.auth.type) {
    case 'inherit':
    case 'none':
      break
    case 'bearer':
      metadata.push({ name: 'authorization', value: `Bearer ${p.auth.token}`, enabled: true })
      break
    case 'apikey':
      if (p.auth.in === 'header') {
        metadata.push({ name: p.auth.key.toLowerCase(), value: p.auth.value, enabled: true })
        break
      }
      u.push(`${where}: an API key sent in the query has no place in a gRPC call; left out`)
      break
    default:
      u.push(
        `${where}: ${p.auth.type} auth is not sent on gRPC calls here; add an authorization metadata row`,
      )
  }
  const method = p.method.trim().replace(/^\//, '')
  if (method === '') u.push(`${where}: no method picked; pick one in the composer after loading the schema`)
  const proto = p.protoPath?.trim().replace(/^\.\//, '')
  const grpc: NonNullable<SavedRequest['grpc']> = { method }
  if (proto) {
    if (/^([a-z]:)?[\\/]/i.test(proto)) {
      u.push(
        `${where}: its proto file ${proto} is outside the collection; the request uses server reflection`,
      )
    } else {
      grpc.proto = [proto]
      u.push(`${where}: its proto file ${proto} ${PROTO_NOT_COPIED_NOTE}`)
    }
  }
  return request(p.name, {
    kind: 'grpc',
    url: targetOf(p.url.trim()),
    description: p.description,
    headers: metadata,
    messages: p.messages.filter((m) => m.text.trim() !== ''),
    grpc,
  })
}

/** Bruno's target as the target here says it (a bare host:port is TLS here, whatever the host). */
function targetOf(url: string): string {
  const mapped = grpcFromHttp(url)
  if (mapped !== undefined) return mapped
  return /^(localhost|127\.0\.0\.1)(:|$)/i.test(url) ? `grpc://${url}` : url
}

/**
 * An address written with a scheme, as gRPC's: http:// is plaintext (grpc://), https:// TLS (grpcs://), another
 * scheme kept; `undefined` when none is written. `trim` tidies what follows the scheme of a mapped address.
 */
export function grpcFromHttp(
  url: string,
  trim: (rest: string) => string = (rest) => rest,
): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)
  if (!scheme) return undefined
  const rest = trim(url.slice(scheme[0].length))
  switch ((scheme[1] ?? '').toLowerCase()) {
    case 'http':
      return `grpc://${rest}`
    case 'https':
      return `grpcs://${rest}`
    default:
      return url
  }
}

/** OpenCollection's `grpc.message`: a list of `{title, message}`, or one message as text. */
export function openCollectionMessages(v: unknown): { name: string; text: string }[] {
  if (typeof v === 'string') return [{ name: 'message 1', text: v }]
  if (!Array.isArray(v)) return []
  return v.map((m: unknown, i) => {
    const o = typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {}
    return {
      name: typeof o['title'] === 'string' && o['title'] ? o['title'] : `message ${i + 1}`,
      text: typeof o['message'] === 'string' ? o['message'] : '',
    }
  })
}

/** Import paths a request may carry here (the schema allows 100); bruno.json's past this are named, not kept. */
const MAX_IMPORT_PATHS = 20

/**
 * bruno.json's `protobuf.importPaths` (`[{ path, enabled }]`, relative to the Bruno folder): the folders Bruno
 * looks a proto's imports up in. The enabled ones go on each gRPC request that names a proto, so a folder import
 * copies from them what the proto imports (bruno-copies.ts); a disabled one is not used, as in Bruno.
 */
export function brunoImportPaths(protobuf: unknown, u: string[]): string[] {
  if (typeof protobuf !== 'object' || protobuf === null) return []
  const items = (protobuf as Record<string, unknown>)['importPaths']
  if (!Array.isArray(items)) return []
  const paths = items.flatMap((x: unknown) => {
    if (typeof x !== 'object' || x === null) return []
    const o = x as Record<string, unknown>
    const path = typeof o['path'] === 'string' ? o['path'].trim() : ''
    return path !== '' && path.length <= 4096 && o['enabled'] !== false ? [path] : []
  })
  if (paths.length > MAX_IMPORT_PATHS)
    u.push(
      `bruno.json: ${paths.length} proto import paths; the first ${MAX_IMPORT_PATHS} are kept, ${paths
        .slice(MAX_IMPORT_PATHS, MAX_IMPORT_PATHS + 3)
        .map((p) => JSON.stringify(p.slice(0, 120)))
        .join(', ')}${paths.length > MAX_IMPORT_PATHS + 3 ? '…' : ''} not`,
    )
  return [...new Set(paths.slice(0, MAX_IMPORT_PATHS))]
}

/** Give every gRPC request below `nodes` that names a proto the collection's import paths. */
export function withImportPaths(nodes: readonly PlanNode[], importPaths: readonly string[]): void {
  if (importPaths.length === 0) return
  for (const n of nodes) {
    if (n.type === 'folder') withImportPaths(n.folder.children, importPaths)
    else if (n.request.kind === 'grpc' && n.request.grpc?.proto?.length)
      n.request.grpc.importPaths = [...(n.request.grpc.importPaths ?? []), ...importPaths]
  }
}
