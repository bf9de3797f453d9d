import type { AuthSpec, RequestScripts, SavedRequest, Variable } from '../../shared/collection'
import { fileTypeOrDefault } from '../../shared/file-type'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import { apiKeyCookie, withCookie } from './insomnia-cookie-key'
import { insomniaOptions } from './insomnia-settings'
import type { TagMapper } from './insomnia-tags'
import { insomniaOAuth2 } from './oauth2-import'
import {
  arr,
  encodeSegment,
  isObj,
  method,
  offParams,
  partContentType,
  request,
  str,
  varName,
  withQuery,
} from './plan'

/**
 * One Insomnia resource's fields in Flightdeck's terms: text (its `_.` variables and template tags), header and
 * parameter lists, auth, body, environment data, a folder's scripts; an HTTP request and a gRPC request whole.
 * The tree, the environments and the chains are put together in insomnia.ts.
 */

export type Res = Record<string, unknown>

/** What every mapping function carries: the report, the tag mapper, and the request the text belongs to. */
export interface Ctx {
  u: string[]
  tags: TagMapper
  owner: string
}

/** `{{ _.baseUrl }}` -> `{{baseUrl}}`; template tags (`{% ... %}`) go through the tag mapper. */
export function text(v: unknown, c: Ctx, where: string): string {
  const s = str(v).replace(/\{\{\s*_\.([A-Za-z_][\w.-]*)\s*\}\}/g, '{{$1}}')
  return c.tags.replace(s, where, c.owner)
}

export function kv(list: unknown, c: Ctx, where: string): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .map((h) => ({
      name: text(h['name'], c, where),
      value: text(h['value'], c, where),
      enabled: h['disabled'] !== true,
    }))
}

/**
 * A request's query parameters as Insomnia sends them (its query builder with strictNullHandling): a value of
 * `""` goes as `flag=`, a parameter with no value at all (null or missing) as its name alone, `?flag`.
 */
function parameters(list: unknown, c: Ctx, where: string): (KeyValue & { bare: boolean })[] {
  return arr(list)
    .filter(isObj)
    .map((p) => ({
      name: text(p['name'], c, where),
      value: text(p['value'], c, where),
      enabled: p['disabled'] !== true,
      bare: p['value'] === null || p['value'] === undefined,
    }))
}

/**
 * A URL's `/:name` segments filled from the request's `pathParameters` (Insomnia 9 and later), each value
 * percent-encoded, as Insomnia sends them; one with no value is sent as written, as Insomnia leaves it, and the
 * report says so.
 */
function withPathParameters(url: string, list: unknown, c: Ctx, where: string): string {
  const params = arr(list).filter(isObj)
  if (params.length === 0) return url
  return url.replace(/\/:[^/?#:]+/g, (segment) => {
    const name = segment.slice(2)
    const p = params.find((x) => str(x['name']) === name)
    const value = p ? text(p['value'], c, where) : ''
    if (value !== '') return `/${encodeSegment(value)}`
    c.u.push(`${where}: path parameter :${name} has no value; sent as written, as Insomnia sends it`)
    return segment
  })
}

/**
 * Insomnia's Basic auth with "ISO 8859-1" ticked (`useISO88591`) encodes `user:password` as Latin-1 before base64;
 * Flightdeck's Basic auth encodes UTF-8, the same bytes for ASCII only. Credentials written out with other
 * characters go as the Authorization header Insomnia sends; ones from variables cannot be encoded now: said.
 */
function latin1Basic(username: string, password: string, c: Ctx, where: string): AuthSpec {
  const pair = `${username}:${password}`
  let widest = 0
  for (let i = 0; i < pair.length; i++) widest = Math.max(widest, pair.charCodeAt(i))
  const templated = pair.includes('{{') || pair.includes('{%')
  if (widest < 0x80 && !templated) return { type: 'basic', username, password }
  if (widest < 0x100 && !templated) {
    c.u.push(
      `${where}: its Basic auth is encoded as ISO 8859-1, as Insomnia sends it: imported as an Authorization header (API key auth), since Flightdeck's Basic auth encodes UTF-8`,
    )
    const value = `Basic ${Buffer.from(pair, 'latin1').toString('base64')}`
    return { type: 'apikey', key: 'Authorization', value, in: 'header' }
  }
  c.u.push(
    `${where}: its Basic auth is encoded as ISO 8859-1 in Insomnia; Flightdeck encodes it as UTF-8, which differs for characters beyond ASCII${templated ? ' (its variables may hold some)' : ''}`,
  )
  return { type: 'basic', username, password }
}

const AUTH_NAMES: Record<string, string> = {
  basic: 'Basic auth',
  digest: 'Digest auth',
  bearer: 'Bearer token',
  apikey: 'API key',
  oauth2: 'OAuth 2.0',
}

export function auth(v: unknown, c: Ctx, where: string): AuthSpec {
  if (!isObj(v) || Object.keys(v).length === 0) return { type: 'inherit' }
  // Insomnia skips an auth switched off and sends the nearest folder's that is on (no auth when none is).
  if (v['disabled'] === true) {
    const kind = AUTH_NAMES[str(v['type'])] ?? 'auth'
    c.u.push(
      `${where}: its ${kind} is switched off: left out, and the auth above it is sent instead, as Insomnia sends it`,
    )
    return { type: 'inherit' }
  }
  const t = (k: string): string => text(v[k], c, where)
  switch (str(v['type'])) {
    case 'none':
      return { type: 'none' }
    case 'basic':
      return v['useISO88591'] === true
        ? latin1Basic(t('username'), t('password'), c, where)
        : { type: 'basic', username: t('username'), password: t('password') }
    case 'digest':
      return { type: 'digest', username: t('username'), password: t('password') }
    case 'bearer': {
      // Insomnia sends `<prefix> <token>`, an empty prefix as "Bearer", and NO_PREFIX as the token alone.
      const prefix = t('prefix').trim()
      if (prefix === 'NO_PREFIX' && t('token') !== '')
        return { type: 'apikey', key: 'Authorization', value: t('token'), in: 'header' }
      return prefix === '' || prefix === 'Bearer' || prefix === 'NO_PREFIX'
        ? { type: 'bearer', token: t('token') }
        : { type: 'bearer', token: t('token'), prefix }
    }
    case 'apikey':
      // A cookie is sent as a Cookie header (apiKeyCookie), not as this auth.
      if (v['addTo'] === 'cookie') return { type: 'none' }
      return {
        type: 'apikey',
        key: t('key'),
        value: t('value'),
        in: v['addTo'] === 'queryParams' ? 'query' : 'header',
      }
    case 'oauth2':
      return insomniaOAuth2(t, (k) => v[k] === true, c.u, where)
    default:
      c.u.push(`${where}: auth type "${str(v['type'])}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

/** A request's headers with its cookie API key (Insomnia's `addTo: "cookie"`) as a Cookie header, said. */
export function withApiKeyCookie(
  headers: KeyValue[],
  authentication: unknown,
  c: Ctx,
  where: string,
): KeyValue[] {
  const cookie = apiKeyCookie(authentication, (raw) => text(raw, c, where))
  if (!cookie) return headers
  c.u.push(
    `${where}: API key sent in a cookie, as Insomnia sends it: kept as a Cookie header (Flightdeck's API key auth goes in a header or the query)`,
  )
  return withCookie(headers, cookie)
}

export function body(v: unknown, c: Ctx, where: string): RequestBody {
  if (!isObj(v)) return { kind: 'none' }
  const mime = str(v['mimeType'])
  if (mime === 'application/x-www-form-urlencoded') return { kind: 'form', fields: kv(v['params'], c, where) }
  if (mime === 'multipart/form-data') {
    const parts: MultipartPart[] = arr(v['params'])
      .filter(isObj)
      .map((p) =>
        p['type'] === 'file'
          ? {
              kind: 'file' as const,
              name: text(p['name'], c, where),
              path: str(p['fileName']) || 'file',
              enabled: p['disabled'] !== true,
            }
          : {
              kind: 'text' as const,
              name: text(p['name'], c, where),
              value: text(p['value'], c, where),
              // Insomnia sends a string `multiline` as the part's Content-Type (`true` is only the editor's).
              ...(typeof p['multiline'] === 'string'
                ? partContentType(p['multiline'].trim(), str(p['name']), c.u, where)
                : {}),
              enabled: p['disabled'] !== true,
            },
      )
    return { kind: 'multipart', parts }
  }
  if (mime === 'application/octet-stream' && str(v['fileName']) !== '')
    return { kind: 'file', path: str(v['fileName']) }
  if (v['text'] === undefined) return { kind: 'none' }
  const t = text(v['text'], c, where)
  if (/json/.test(mime)) return { kind: 'json', text: t }
  if (mime === 'application/graphql') c.u.push(`${where}: GraphQL body imported as its JSON text`)
  return { kind: 'text', text: t, contentType: mime || 'text/plain' }
}

/** Environment data is nested JSON; nested objects flatten to dotted names (Insomnia's `_.a.b`). */
export function envVariables(data: unknown, c: Ctx, where: string, prefix = '', depth = 0): Variable[] {
  const out: Variable[] = []
  if (!isObj(data) || depth > 8) return out
  for (const [k, v] of Object.entries(data)) {
    const full = prefix ? `${prefix}.${k}` : k
    if (isObj(v)) {
      out.push(...envVariables(v, c, where, full, depth + 1))
      continue
    }
    const name = varName(full)
    if (!name) {
      c.u.push(`${where}: variable "${full.slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    out.push({ name, value: Array.isArray(v) ? JSON.stringify(v) : text(v, c, where), secret: false })
  }
  return out
}

/**
 * A header Insomnia saves beside a multipart body: `multipart/form-data` with no boundary. Sent as is it wins
 * over the engine's own (which carries the boundary) and the server cannot split the parts.
 */
export function isBoundaryless(h: KeyValue, body: RequestBody): boolean {
  return (
    body.kind === 'multipart' &&
    h.name.toLowerCase() === 'content-type' &&
    /^\s*multipart\/form-data\b/i.test(h.value) &&
    !/boundary=/i.test(h.value)
  )
}

/**
 * A folder's scripts, kept at its level (folder.yaml), where they run for every request below it (Insomnia runs a
 * folder's scripts for every request in it), in Postman's order: collection → folders outer first → request.
 */
export function folderScripts(r: Res): RequestScripts | undefined {
  const pre = str(r['preRequestScript']).trim()
  const post = str(r['afterResponseScript']).trim()
  if (!pre && !post) return undefined
  return { ...(pre ? { preRequest: pre } : {}), ...(post ? { test: post } : {}), translated: false }
}

export function httpRequest(r: Res, name: string, where: string, c: Ctx): SavedRequest {
  const query = parameters(r['parameters'], c, where)
  const b = body(r['body'], c, where)
  const headers = kv(r['headers'], c, where).filter((h) => {
    if (!isBoundaryless(h, b)) return true
    c.u.push(
      `${where}: header "Content-Type: ${h.value}" dropped (it has no boundary; Flightdeck sets one with the boundary for a multipart body)`,
    )
    return false
  })
  // Insomnia sends a file body with no Content-Type unless a header gives one (its app adds one when a file is
  // chosen); Flightdeck sends the type the file's name says.
  if (b.kind === 'file' && !headers.some((h) => h.enabled && h.name.toLowerCase() === 'content-type'))
    c.u.push(
      `${where}: file body sent with the Content-Type its name says (${fileTypeOrDefault(b.path)}); Insomnia sends it with none unless a header gives one`,
    )
  // Insomnia's scripts are kept in the request file (its folders' in folder.yaml); they run in the script
  // sandbox (insomnia.* where it mirrors pm.*).
  const pre = str(r['preRequestScript']).trim()
  const after = str(r['afterResponseScript']).trim()
  if (pre || after) c.u.push(`${where}: scripts kept; they run in the script sandbox`)
  const options = insomniaOptions(r, where, (l) => c.u.push(l))
  return request(name, {
    ...(pre || after
      ? {
          scripts: {
            ...(pre ? { preRequest: pre } : {}),
            ...(after ? { test: after } : {}),
            translated: false,
          },
        }
      : {}),
    method: method(r['method'], c.u, where),
    url: withQuery(withPathParameters(text(r['url'], c, where), r['pathParameters'], c, where), query),
    ...offParams(query),
    description: str(r['description']),
    headers: withApiKeyCookie(headers, r['authentication'], c, where),
    body: b,
    auth: auth(r['authentication'], c, where),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  })
}

/**
 * An Insomnia gRPC request: its URL is the target (Insomnia's `grpcs://` says TLS; anything else, a variable
 * included, was plaintext there, so it is written as `grpc://`), its body the one message, its metadata the headers, `/Service/Method` the method. Its proto file lives
 * in the export (a `proto_file`), which an import does not write: the request uses server reflection, and the
 * import says so, naming the file to put beside the collection.
 */
export function grpcRequest(
  r: Res,
  name: string,
  where: string,
  c: Ctx,
  resources: Res[],
  u: string[],
): SavedRequest {
  const rawUrl = text(r['url'], c, where)
  const url = /^grpcs?:\/\//i.test(rawUrl) ? rawUrl : `grpc://${rawUrl}`
  const body = isObj(r['body']) ? str(r['body']['text']) : ''
  const proto = resources.find((p) => p['_type'] === 'proto_file' && str(p['_id']) === str(r['protoFileId']))
  if (proto) {
    u.push(
      `${where}: its proto file ${str(proto['name'], 'a .proto')} was not written; the request uses server reflection (save the file in the collection and name it in grpc.proto)`,
    )
  } else if (str(r['protoFileId']) !== '') {
    u.push(
      `${where}: its proto file is not in the export; the request uses server reflection (save the file in the collection and name it in grpc.proto)`,
    )
  }
  return request(name, {
    kind: 'grpc',
    url,
    headers: kv(r['metadata'], c, where),
    messages: body.trim() === '' ? [] : [{ name: 'message', text: text(body, c, where) }],
    grpc: { method: str(r['protoMethodName']).replace(/^\//, '') },
  })
}
