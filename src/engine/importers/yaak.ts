import type { AuthSpec, Variable } from '../../shared/collection'
import { counted } from '../../shared/format'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
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
  encodeSegment,
  offParams,
  type ImportPlan,
  type PlanNode,
} from './plan'
import { yaakGrpcRequest, yaakProtoNote } from './yaak-grpc'
import { withoutHandshakeHeaders } from './ws-handshake-import'

/**
 * Yaak exports (`{ yaakVersion, yaakSchema, resources: { workspaces, environments, folders, httpRequests,
 * websocketRequests, grpcRequests } }`): a flat list linked by `workspaceId` and `folderId`, ordered by
 * `sortPriority`. Variables are written `${[ name ]}`; they become `{{name}}`. A template function
 * (`${[ response.body.path(...) ]}`) is kept as text and reported. gRPC requests: yaak-grpc.ts.
 */

type Obj = Record<string, unknown>
const MAX_DEPTH = 32
/** A saved message's limit (savedMessageSchema). */
const MAX_MESSAGE_CHARS = 16 * 1024 * 1024

export function isYaakExport(data: unknown): boolean {
  return isObj(data) && typeof data['yaakSchema'] === 'number' && isObj(data['resources'])
}

function text(v: unknown, u: string[], where: string): string {
  const s = str(v).replace(/\$\{\[\s*([A-Za-z_][\w.-]*)\s*\]\}/g, '{{$1}}')
  const fn = /\$\{\[[^\]]{0,2000}\]\}/.exec(s)
  if (fn) {
    const line = `${where}: Yaak template function kept as text (${fn[0].slice(0, 80)})`
    if (!u.includes(line)) u.push(line)
  }
  return s
}

function pairs(list: unknown, u: string[], where: string): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .filter((p) => str(p['name']) !== '' || str(p['value']) !== '')
    .map((p) => ({
      name: text(p['name'], u, where),
      value: text(p['value'], u, where),
      enabled: p['enabled'] !== false,
    }))
}

/**
 * A Yaak request's URL as Yaak sends it: a switched-on URL parameter named `:id` fills the path segment `/:id`
 * (its value percent-encoded; a `{{reference}}` kept as written) and is no longer a query parameter; one that
 * matches no segment, and every other parameter, is added to the query.
 */
function yaakUrl(url: string, params: readonly KeyValue[]): string {
  const query: KeyValue[] = []
  let out = url
  for (const p of params) {
    if (!p.enabled || !p.name.startsWith(':')) {
      query.push(p)
      continue
    }
    const name = p.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const segment = new RegExp(`/${name}(?=[/?#]|$)`, 'g')
    const value = encodeSegment(p.value)
    const before = out
    // A function, not a string: a `$&` in a value is text, not a replacement pattern.
    out = out.replace(segment, () => `/${value}`)
    if (out === before) query.push(p)
  }
  return withQuery(out, query)
}

function auth(type: unknown, v: unknown, u: string[], where: string): AuthSpec {
  const t = str(type)
  if (t === '' || type === null) return { type: 'inherit' }
  const a = isObj(v) ? v : {}
  if (a['disabled'] === true || t === 'none') return { type: 'none' }
  const f = (k: string): string => text(a[k], u, where)
  switch (t) {
    case 'basic':
      return { type: 'basic', username: f('username'), password: f('password') }
    case 'bearer': {
      // Yaak sends `<prefix> <token>`, "Bearer" when the export has none; an empty one sends the token alone,
      // which a bearer cannot say: it is that header.
      if (a['prefix'] === undefined || a['prefix'] === null) return { type: 'bearer', token: f('token') }
      const prefix = f('prefix').trim()
      if (prefix === '') return { type: 'apikey', key: 'Authorization', value: f('token'), in: 'header' }
      return prefix === 'Bearer'
        ? { type: 'bearer', token: f('token') }
        : { type: 'bearer', token: f('token'), prefix }
    }
    case 'apikey':
      return {
        type: 'apikey',
        key: f('key'),
        value: f('value'),
        in: a['location'] === 'query' ? 'query' : 'header',
      }
    default:
      u.push(`${where}: auth type "${t}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

/**
 * Yaak sends a file part under the `filename` it is given, else the file's own name: a different one is the
 * part's `fileName`. One a part cannot carry (past 1,024 characters, or holding a control character) is reported.
 */
function givenFileName(p: Obj, u: string[], where: string): { fileName?: string } {
  const file = str(p['file'])
  const given = str(p['filename'])
  const own = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1)
  if (file === '' || given === '' || given === own) return {}
  // eslint-disable-next-line no-control-regex
  if (given.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(given)) return { fileName: given }
  u.push(
    `${where}: file part "${str(p['name']).slice(0, 80)}" is sent as filename="${own.slice(0, 80)}"; Yaak sends it as "${given.slice(0, 80)}", which a part here cannot be named`,
  )
  return {}
}

function body(r: Obj, u: string[], where: string): RequestBody {
  const type = str(r['bodyType'])
  const b = isObj(r['body']) ? r['body'] : {}
  if (type === '' || r['bodyType'] === null) return { kind: 'none' }
  if (type === 'application/x-www-form-urlencoded')
    return { kind: 'form', fields: pairs(b['form'], u, where) }
  if (type === 'multipart/form-data') {
    const parts: MultipartPart[] = arr(b['form'])
      .filter(isObj)
      .map((p) =>
        str(p['file']) !== ''
          ? {
              kind: 'file' as const,
              name: text(p['name'], u, where),
              path: str(p['file']),
              enabled: p['enabled'] !== false,
              ...(str(p['contentType']) ? { contentType: str(p['contentType']) } : {}),
              ...givenFileName(p, u, where),
            }
          : {
              kind: 'text' as const,
              name: text(p['name'], u, where),
              value: text(p['value'], u, where),
              enabled: p['enabled'] !== false,
            },
      )
    return { kind: 'multipart', parts }
  }
  if (type === 'graphql') {
    let variables: unknown = {}
    try {
      variables = str(b['variables']).trim() ? (JSON.parse(str(b['variables'])) as unknown) : {}
    } catch {
      u.push(`${where}: GraphQL variables are not JSON; sent as empty`)
    }
    return { kind: 'json', text: JSON.stringify({ query: text(b['query'], u, where), variables }, null, 2) }
  }
  if (type === 'binary') {
    const path = str(b['filePath'])
    return path ? { kind: 'file', path } : { kind: 'none' }
  }
  const t = text(b['text'], u, where)
  if (/json/.test(type)) return { kind: 'json', text: t }
  return { kind: 'text', text: t, contentType: type === 'other' ? 'text/plain' : type }
}

function variables(list: unknown, u: string[], where: string): Variable[] {
  const out: Variable[] = []
  for (const v of arr(list).filter(isObj)) {
    const key = str(v['name'])
    if (key === '') continue
    const name = varName(key)
    if (!name) {
      u.push(`${where}: variable "${key.slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    if (v['enabled'] === false) {
      u.push(`${where}: variable "${name}" is switched off in Yaak; left out`)
      continue
    }
    out.push({ name, value: text(v['value'], u, where), secret: false })
  }
  return out
}

const byPriority = (a: Obj, b: Obj): number => Number(a['sortPriority'] ?? 0) - Number(b['sortPriority'] ?? 0)

export function importYaak(data: unknown): ImportPlan {
  if (!isYaakExport(data) || !isObj(data)) throw new ImportError('not a Yaak export')
  const res = data['resources'] as Obj
  const list = (k: string): Obj[] => arr(res[k]).filter(isObj)
  const workspaces = list('workspaces')
  const ws = workspaces[0]
  const wsId = str(ws?.['id'])
  const plan = emptyPlan(str(ws?.['name'], 'Yaak import'))
  const u = plan.unmapped
  if (workspaces.length > 1)
    u.push(
      `${counted(workspaces.length - 1, 'more workspace', 'more workspaces')} in the file left out: import them one at a time`,
    )
  const inWs = (o: Obj): boolean => wsId === '' || str(o['workspaceId'], wsId) === wsId
  const folders = list('folders').filter(inWs)
  const http = list('httpRequests').filter(inWs)
  const ws2 = list('websocketRequests').filter(inWs)
  const grpc = list('grpcRequests').filter(inWs)
  if (grpc.length > 0) u.push(yaakProtoNote(grpc.length))

  type Item = { kind: 'folder' | 'http' | 'ws' | 'grpc'; o: Obj }
  const items: Item[] = [
    ...folders.map((o) => ({ kind: 'folder' as const, o })),
    ...http.map((o) => ({ kind: 'http' as const, o })),
    ...ws2.map((o) => ({ kind: 'ws' as const, o })),
    ...grpc.map((o) => ({ kind: 'grpc' as const, o })),
  ]
  const byParent = new Map<string, Item[]>()
  for (const it of items) {
    const p = str(it.o['folderId'])
    // Pushed in place: copying the list for every item made a folder of n requests n² work.
    const siblings = byParent.get(p)
    if (siblings) siblings.push(it)
    else byParent.set(p, [it])
  }
  // Yaak's folder environments (parentModel "folder") hold variables for the requests in that folder: a folder's.
  const envs = list('environments').filter(inWs)
  const folderVars = new Map<string, Obj[]>()
  for (const e of envs)
    if (e['parentModel'] === 'folder') {
      const id = str(e['parentId'])
      folderVars.set(id, [...(folderVars.get(id) ?? []), e])
    }
  const seen = new Set<Obj>()
  // `above`: the auth Yaak sends for `inherit` here (the nearest folder's, else the workspace's), for gRPC metadata.
  const children = (parent: string, path: string, depth: number, above: AuthSpec): PlanNode[] => {
    const out: PlanNode[] = []
    for (const it of [...(byParent.get(parent) ?? [])].sort((a, b) => byPriority(a.o, b.o))) {
      seen.add(it.o)
      const name = str(it.o['name'], it.kind === 'folder' ? 'Folder' : 'Untitled')
      const where = notePlace(path, name)
      if (it.kind === 'folder') {
        if (depth >= MAX_DEPTH) {
          u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
          continue
        }
        const own = auth(it.o['authenticationType'], it.o['authentication'], u, where)
        const below = children(str(it.o['id']), where, depth + 1, own.type === 'inherit' ? above : own)
        // Yaak sends a folder's headers with every request in it, gRPC calls' metadata included.
        copyFolderHeaders(below, pairs(it.o['headers'], u, where), (l) => u.push(l), where, true)
        out.push({
          type: 'folder',
          folder: {
            name,
            variables: (folderVars.get(str(it.o['id'])) ?? []).flatMap((e) =>
              variables(e['variables'], u, `${where} (folder environment)`),
            ),
            auth: own,
            children: below,
          },
        })
        continue
      }
      const o = it.o
      if (it.kind === 'grpc') {
        const own = auth(o['authenticationType'], o['authentication'], u, where)
        const grpcRequest = yaakGrpcRequest(
          {
            name,
            url: text(o['url'], u, where),
            service: str(o['service']),
            method: str(o['method']),
            message: text(o['message'], u, where),
            metadata: pairs(o['metadata'], u, where),
            description: str(o['description']),
            auth: own.type === 'inherit' ? above : own,
            raw: o,
          },
          u,
          where,
        )
        out.push({ type: 'request', request: grpcRequest })
        continue
      }
      const params = pairs(o['urlParameters'], u, where)
      const url = yaakUrl(text(o['url'], u, where), params)
      const common = {
        url,
        // A switched-off `:name` is a path placeholder, not a query parameter: it has no place once off.
        ...offParams(params.filter((p) => !p.name.startsWith(':'))),
        description: str(o['description']),
        headers:
          it.kind === 'ws'
            ? withoutHandshakeHeaders(pairs(o['headers'], u, where), where, (l) => u.push(l))
            : pairs(o['headers'], u, where),
        auth: auth(o['authenticationType'], o['authentication'], u, where),
      }
      // What Yaak's WebSocket message editor holds (`message`) is the request's saved message.
      let message = it.kind === 'ws' ? text(o['message'], u, where) : ''
      if (message.length > MAX_MESSAGE_CHARS) {
        u.push(`${where}: its message is over 16 MiB; left out`)
        message = ''
      }
      out.push({
        type: 'request',
        request:
          it.kind === 'ws'
            ? request(name, {
                kind: 'ws',
                ...common,
                ...(message.trim() ? { messages: [{ name: 'message 1', text: message }] } : {}),
              })
            : request(name, { ...common, method: method(o['method'], u, where), body: body(o, u, where) }),
      })
    }
    return out
  }
  const wsAuth: AuthSpec = ws
    ? auth(ws['authenticationType'], ws['authentication'], u, 'workspace')
    : { type: 'inherit' }
  plan.children = children('', '', 0, wsAuth)
  if (ws) {
    // The workspace's own headers and auth (Yaak's top level) go with every request, as a collection's.
    copyFolderHeaders(
      plan.children,
      pairs(ws['headers'], u, 'workspace'),
      (l) => u.push(l),
      'workspace',
      true,
    )
    plan.auth = wsAuth
  }
  const orphans = items.filter((it) => !seen.has(it.o)).length
  if (orphans > 0) u.push(`${counted(orphans, 'item')} in a folder that is not in the file; left out`)

  // The base environment (no parent) holds the collection's variables; its children are environments.
  // Marked three ways across Yaak's versions: `parentModel: "workspace"` (sub environments "environment"),
  // `base: true`, or (older) no `environmentId`.
  const isBase = (e: Obj): boolean =>
    typeof e['base'] === 'boolean'
      ? e['base']
      : e['parentModel'] === 'workspace' || (e['parentModel'] === undefined && !str(e['environmentId']))
  const base = envs.find(isBase)
  plan.variables = [
    ...(ws ? variables(ws['variables'], u, 'workspace') : []),
    ...(base ? variables(base['variables'], u, 'base environment') : []),
  ]
  for (const e of envs) {
    if (e === base) continue
    if (e['parentModel'] === 'folder') {
      const at = folders.find((f) => str(f['id']) === str(e['parentId']))
      if (!at) u.push(`folder environment "${str(e['name'])}": its folder is not in the file; left out`)
      continue
    }
    const name = str(e['name'], 'Environment')
    plan.environments.push({ name, variables: variables(e['variables'], u, `environment ${name}`) })
  }
  return plan
}
