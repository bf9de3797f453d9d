import type { AuthSpec, RequestScripts, SavedRequest, Variable } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import { slugify } from '../collections/paths'
import { TagMapper } from './insomnia-tags'
import {
  copyFolderHeaders,
  notePlace,
  arr,
  emptyPlan,
  ImportError,
  isObj,
  method,
  request,
  str,
  varName,
  withQuery,
  type ImportPlan,
  type PlanNode,
} from './plan'

/**
 * Insomnia v4 exports (JSON): workspace, folders (request groups), requests, WebSocket requests, environments.
 * Insomnia v5 (YAML) is turned into the same resources first (insomnia-v5.ts).
 */

export type Res = Record<string, unknown>

/** What every mapping function carries: the report, the tag mapper, and the request the text belongs to. */
interface Ctx {
  u: string[]
  tags: TagMapper
  owner: string
}
const MAX_DEPTH = 32

export function isInsomniaExport(data: unknown): boolean {
  return (
    isObj(data) &&
    data['_type'] === 'export' &&
    Number(data['__export_format']) === 4 &&
    Array.isArray(data['resources'])
  )
}

/** `{{ _.baseUrl }}` -> `{{baseUrl}}`; template tags (`{% ... %}`) go through the tag mapper. */
function text(v: unknown, c: Ctx, where: string): string {
  const s = str(v).replace(/\{\{\s*_\.([A-Za-z_][\w.-]*)\s*\}\}/g, '{{$1}}')
  return c.tags.replace(s, where, c.owner)
}

function kv(list: unknown, c: Ctx, where: string): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .map((h) => ({
      name: text(h['name'], c, where),
      value: text(h['value'], c, where),
      enabled: h['disabled'] !== true,
    }))
}

function auth(v: unknown, c: Ctx, where: string): AuthSpec {
  if (!isObj(v) || Object.keys(v).length === 0) return { type: 'inherit' }
  if (v['disabled'] === true) return { type: 'none' }
  const t = (k: string): string => text(v[k], c, where)
  switch (str(v['type'])) {
    case 'none':
      return { type: 'none' }
    case 'basic':
      return { type: 'basic', username: t('username'), password: t('password') }
    case 'digest':
      return { type: 'digest', username: t('username'), password: t('password') }
    case 'bearer': {
      // Insomnia sends `<prefix> <token>`, an empty prefix as "Bearer".
      const prefix = t('prefix').trim()
      return prefix === '' || prefix === 'Bearer'
        ? { type: 'bearer', token: t('token') }
        : { type: 'bearer', token: t('token'), prefix }
    }
    case 'apikey':
      return {
        type: 'apikey',
        key: t('key'),
        value: t('value'),
        in: v['addTo'] === 'queryParams' ? 'query' : 'header',
      }
    case 'oauth2':
      if (str(v['grantType']) !== 'client_credentials') {
        c.u.push(`${where}: OAuth 2.0 grant "${str(v['grantType'])}" is not supported; auth left to inherit`)
        return { type: 'inherit' }
      }
      return {
        type: 'oauth2',
        grant: 'client_credentials',
        tokenUrl: t('accessTokenUrl'),
        clientId: t('clientId'),
        clientSecret: t('clientSecret'),
        scope: t('scope'),
        clientAuth: v['credentialsInBody'] === true ? 'body' : 'basic',
      }
    default:
      c.u.push(`${where}: auth type "${str(v['type'])}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

function body(v: unknown, c: Ctx, where: string): RequestBody {
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
function envVariables(data: unknown, c: Ctx, where: string, prefix = '', depth = 0): Variable[] {
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
function folderScripts(r: Res): RequestScripts | undefined {
  const pre = str(r['preRequestScript']).trim()
  const post = str(r['afterResponseScript']).trim()
  if (!pre && !post) return undefined
  return { ...(pre ? { preRequest: pre } : {}), ...(post ? { test: post } : {}), translated: false }
}

function httpRequest(r: Res, name: string, where: string, c: Ctx): SavedRequest {
  const b = body(r['body'], c, where)
  const headers = kv(r['headers'], c, where).filter((h) => {
    if (!isBoundaryless(h, b)) return true
    c.u.push(
      `${where}: header "Content-Type: ${h.value}" dropped (it has no boundary; Flightdeck sets one with the boundary for a multipart body)`,
    )
    return false
  })
  // Insomnia's scripts are kept in the request file (its folders' in folder.yaml); they run in the script
  // sandbox (insomnia.* where it mirrors pm.*).
  const pre = str(r['preRequestScript']).trim()
  const after = str(r['afterResponseScript']).trim()
  if (pre || after) c.u.push(`${where}: scripts kept; they run in the script sandbox`)
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
    url: withQuery(text(r['url'], c, where), kv(r['parameters'], c, where)),
    description: str(r['description']),
    headers,
    body: b,
    auth: auth(r['authentication'], c, where),
  })
}

export function importInsomnia(data: unknown): ImportPlan {
  if (!isInsomniaExport(data) || !isObj(data)) throw new ImportError('not an Insomnia v4 export')
  return importInsomniaResources(arr(data['resources']).filter(isObj) as Res[])
}

/** Where a request's file will be, as folder slugs and file name: what `dependsOn` is written with. */
interface Placed {
  folders: string[]
  file: string
  request: SavedRequest
}

/** `./login.yaml` or `../auth/login.yaml`: the path from `from`'s folder to `to`. */
function relativeDep(from: Placed, to: Placed): string {
  let common = 0
  while (
    common < from.folders.length &&
    common < to.folders.length &&
    from.folders[common] === to.folders[common]
  )
    common++
  const up = from.folders.length - common
  const down = [...to.folders.slice(common), to.file].join('/')
  return up === 0 ? `./${down}` : `${'../'.repeat(up)}${down}`
}

/** The workspace's resources (v4 as exported, or v5 turned into them) to a plan. */
export function importInsomniaResources(resources: Res[], fallbackName = 'Insomnia import'): ImportPlan {
  const byParent = new Map<string, Res[]>()
  for (const r of resources) {
    const p = str(r['parentId'])
    const list = byParent.get(p)
    if (list) list.push(r)
    else byParent.set(p, [r])
  }
  const workspaces = resources.filter((r) => r['_type'] === 'workspace')
  const workspace = workspaces[0]
  const plan = emptyPlan(str(workspace?.['name'], fallbackName))
  const u = plan.unmapped
  if (workspaces.length > 1)
    u.push(`${workspaces.length - 1} more workspace(s) in the file left out: import them one at a time`)
  const wsId = str(workspace?.['_id'])
  const names = new Map<string, string>()
  for (const r of resources)
    if (r['_type'] === 'request') names.set(str(r['_id']), str(r['name'], 'Untitled'))
  const tags = new TagMapper(names, u)
  const c = (owner: string): Ctx => ({ u, tags, owner })
  const placed = new Map<string, Placed>()

  const sorted = (list: Res[]): Res[] =>
    [...list].sort((a, b) => Number(a['metaSortKey'] ?? 0) - Number(b['metaSortKey'] ?? 0))
  const handled = new Set<unknown>()
  const children = (parentId: string, path: string, folders: string[], depth: number): PlanNode[] => {
    const out: PlanNode[] = []
    // The writer names files after their requests, -2, -3 on a clash: the same rule predicts each path.
    const taken = { files: new Set<string>(), dirs: new Set<string>() }
    const unique = (set: Set<string>, stem: string): string => {
      let name = stem
      for (let i = 2; set.has(name) && i < 10_000; i++) name = `${stem}-${i}`
      set.add(name)
      return name
    }
    for (const r of sorted(byParent.get(parentId) ?? [])) {
      const name = str(r['name'], 'Untitled')
      const where = notePlace(path, name)
      const id = str(r['_id'])
      switch (r['_type']) {
        case 'request_group': {
          handled.add(r)
          if (depth >= MAX_DEPTH) {
            u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
            break
          }
          const slug = unique(taken.dirs, slugify(name, 'folder'))
          const scripts = folderScripts(r)
          if (scripts)
            u.push(
              `${where}: folder scripts kept in folder.yaml; they run for every request below it, in the script sandbox`,
            )
          const below = children(id, where, [...folders, slug], depth + 1)
          // Insomnia sends a folder's headers with every request in it.
          copyFolderHeaders(below, kv(r['headers'], c(''), where), (l) => u.push(l), where)
          out.push({
            type: 'folder',
            folder: {
              name,
              variables: envVariables(r['environment'], c(''), where),
              auth: auth(r['authentication'], c(''), where),
              ...(scripts ? { scripts } : {}),
              children: below,
            },
          })
          break
        }
        case 'request': {
          handled.add(r)
          const req = httpRequest(r, name, where, c(id))
          placed.set(id, { folders, file: `${unique(taken.files, slugify(req.name))}.yaml`, request: req })
          out.push({ type: 'request', request: req })
          break
        }
        case 'websocket_request': {
          handled.add(r)
          const req = request(name, {
            kind: 'ws',
            url: text(r['url'], c(id), where),
            headers: kv(r['headers'], c(id), where),
            auth: auth(r['authentication'], c(id), where),
          })
          unique(taken.files, slugify(req.name))
          out.push({ type: 'request', request: req })
          break
        }
        case 'grpc_request': {
          handled.add(r)
          out.push({ type: 'request', request: grpcRequest(r, name, where, c(id), resources, u) })
          unique(taken.files, slugify(name))
          break
        }
        default:
          break
      }
    }
    return out
  }
  plan.children = children(wsId, '', [], 0)
  linkChains(tags, placed, u)

  // Environments: the base one (child of the workspace) holds collection variables; its children are environments.
  const base = resources.find((r) => r['_type'] === 'environment' && str(r['parentId']) === wsId)
  if (base) {
    handled.add(base)
    plan.variables = envVariables(base['data'], c(''), 'base environment')
    for (const env of resources.filter(
      (r) => r['_type'] === 'environment' && str(r['parentId']) === str(base['_id']),
    )) {
      handled.add(env)
      const name = str(env['name'], 'Environment')
      plan.environments.push({ name, variables: envVariables(env['data'], c(''), `environment ${name}`) })
    }
  }
  for (const r of resources) {
    if (handled.has(r) || r === workspace) continue
    const type = str(r['_type'])
    if (
      type === 'request' ||
      type === 'request_group' ||
      type === 'environment' ||
      type === 'websocket_request' ||
      type === 'grpc_request'
    ) {
      u.push(`${str(r['name'], type)}: not under the workspace; left out`)
    } else {
      u.push(
        `${type}${r['name'] ? ` "${str(r['name'])}"` : ''}: not imported (Flightdeck has no ${type.replace(/_/g, ' ')})`,
      )
    }
  }
  return plan
}

/**
 * An Insomnia gRPC request: its URL is the target (Insomnia's `grpcs://` says TLS; anything else, a variable
 * included, was plaintext there, so it is written as `grpc://`), its body the one message, its metadata the headers, `/Service/Method` the method. Its proto file lives
 * in the export (a `proto_file`), which an import does not write: the request uses server reflection, and the
 * import says so, naming the file to put beside the collection.
 */
function grpcRequest(
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

/** Put the chains the tags asked for into the requests: extractions on the source, dependsOn on the user. */
function linkChains(tags: TagMapper, placed: ReadonlyMap<string, Placed>, u: string[]): void {
  for (const [id, list] of tags.extracts) {
    const p = placed.get(id)
    if (p) p.request.extract = [...(p.request.extract ?? []), ...list]
  }
  // One report line per request read, however many read it (a login read by 5,000 requests is one line).
  const readers = new Map<string, number>()
  for (const [id, deps] of tags.depends) {
    const from = placed.get(id)
    if (!from) continue
    const paths: string[] = []
    for (const dep of deps) {
      const to = placed.get(dep)
      if (!to) continue
      paths.push(relativeDep(from, to))
      readers.set(dep, (readers.get(dep) ?? 0) + 1)
    }
    if (paths.length > 0) from.request.dependsOn = paths
  }
  for (const [id, n] of readers) {
    const p = placed.get(id)
    if (!p) continue
    const names = (p.request.extract ?? []).map((x) => `{{${x.name}}}`).join(', ')
    u.push(
      `${p.request.name}: read by ${n} request${n === 1 ? '' : 's'} through response chaining: extracted here as ${names}, and each of them depends on it (a run sends it first)`,
    )
  }
}
