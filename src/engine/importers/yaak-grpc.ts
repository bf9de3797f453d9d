import type { AuthSpec, SavedRequest } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { basicCredentials, bearerValue } from '../auth/apply-auth'
import { request, str } from './plan'
import { grpcFromHttp } from './bruno-grpc'

/**
 * A Yaak gRPC request (`grpcRequests[]`: `url`, `service`, `method`, `message`, `metadata`, auth, and the
 * `settingValidateCertificates` / `settingRequestMessageSize` settings) as a `kind: grpc` request.
 *
 * - Target: Yaak calls `http://` in plaintext, `https://` over TLS, and a URL with no scheme as `http://` (its
 *   `safe_uri`): here `grpc://` and `grpcs://`.
 * - Method: `service` + `/` + `method`.
 * - Message: Yaak's one message editor is the request's one saved message.
 * - Metadata: the request's; the workspace's and folders' headers are copied in by yaak.ts, as for HTTP.
 * - Auth: Yaak sends the request's auth (or the nearest folder's, then the workspace's) as metadata; the
 *   composer sends no auth on a gRPC call, so it is written as the metadata row Yaak sends.
 * - Settings: a message size limit and "validate certificates: off" set on the request itself.
 * - Proto files: Yaak keeps a request's chosen .proto files in its own settings store, not in the export, so
 *   no file can come: the request uses server reflection, and the report says so.
 */

export interface YaakGrpcInput {
  name: string
  /** The URL with Yaak's `${[ var ]}` already written `{{var}}`. */
  url: string
  service: string
  method: string
  message: string
  metadata: KeyValue[]
  description: string
  /** The auth Yaak sends: the request's own, else the nearest folder's, else the workspace's. */
  auth: AuthSpec
  /** The raw request, for its settings. */
  raw: Record<string, unknown>
}

const MAX_MESSAGE_BYTES = 2 ** 31 - 1

export function yaakTarget(url: string): string {
  const t = url.trim()
  const mapped = grpcFromHttp(t, (rest) => rest.replace(/\/+$/, ''))
  if (mapped !== undefined) return mapped
  return t === '' ? '' : `grpc://${t}`
}

/** The auth as the metadata row Yaak sends with the call; null (and a line in the report) when it cannot be. */
function authMetadata(auth: AuthSpec, u: string[], where: string): KeyValue | null {
  switch (auth.type) {
    case 'inherit':
    case 'none':
      return null
    case 'bearer':
      return { name: 'authorization', value: bearerValue(auth.prefix, auth.token), enabled: true }
    case 'basic':
      // The value is base64 of the pair: a `{{variable}}` in it could not be filled in after encoding.
      if (/\{\{/.test(auth.username + auth.password)) {
        u.push(
          `${where}: Basic auth with a {{variable}} cannot be written as gRPC metadata; add an authorization row (Basic and the base64 of user:password)`,
        )
        return null
      }
      return { name: 'authorization', value: basicCredentials(auth.username, auth.password), enabled: true }
    case 'apikey':
      if (auth.in === 'header' && auth.key.trim() !== '')
        return { name: auth.key.trim().toLowerCase(), value: auth.value, enabled: true }
      u.push(`${where}: an API key sent in the query has no place in a gRPC call; left out`)
      return null
    default:
      u.push(`${where}: ${auth.type} auth is not sent on gRPC calls here; add an authorization metadata row`)
      return null
  }
}

function setting(raw: unknown): { enabled: boolean; value: unknown } | null {
  if (typeof raw !== 'object' || raw === null) return null
  const o = raw as Record<string, unknown>
  return { enabled: o['enabled'] === true, value: o['value'] }
}

export function yaakGrpcRequest(p: YaakGrpcInput, u: string[], where: string): SavedRequest {
  const metadata = [...p.metadata]
  const fromAuth = authMetadata(p.auth, u, where)
  // A metadata row of the same name, switched on, is what Yaak sends: auth only adds what is not there.
  if (fromAuth && !metadata.some((m) => m.enabled && m.name.trim().toLowerCase() === fromAuth.name))
    metadata.push(fromAuth)
  const service = p.service.trim()
  const method = p.method.trim()
  if (service === '' || method === '')
    u.push(`${where}: no method picked in Yaak; pick one in the composer after loading the schema`)
  const grpc: NonNullable<SavedRequest['grpc']> = { method: service && method ? `${service}/${method}` : '' }
  const size = setting(p.raw['settingRequestMessageSize'])
  // Set on the request itself (Yaak stores bytes, shows MB); one inherited from a folder is not carried.
  if (size?.enabled && typeof size.value === 'number' && Number.isInteger(size.value) && size.value > 0)
    grpc.maxMessageBytes = Math.min(size.value, MAX_MESSAGE_BYTES)
  const validate = setting(p.raw['settingValidateCertificates'])
  const insecure = validate?.enabled === true && validate.value === false
  if (str(p.url).trim() === '') u.push(`${where}: no server address in Yaak; set one before sending`)
  // Yaak decides plaintext or TLS from the value; here the target's scheme is written before it is known.
  else if (p.url.trim().startsWith('{{'))
    u.push(
      `${where}: its address starts with a variable, written grpc://${p.url.trim().slice(0, 80)} (plaintext, as Yaak calls a value without https://); make the variable host:port, or write grpcs:// for TLS`,
    )
  return request(p.name, {
    kind: 'grpc',
    url: yaakTarget(p.url),
    description: p.description,
    headers: metadata,
    messages: p.message.trim() === '' ? [] : [{ name: 'message 1', text: p.message }],
    grpc,
    ...(insecure ? { options: { insecure: true } } : {}),
  })
}

/** The one report line for every gRPC request: Yaak's export holds no proto files. */
export function yaakProtoNote(count: number): string {
  return `${count === 1 ? '1 gRPC request uses' : `${count} gRPC requests use`} server reflection: Yaak keeps the .proto files picked for a request outside its export, so none came; if the server has no reflection, pick them in the composer (or name them in collection.yaml's grpc: block)`
}
