import type { AuthSpec, Variable } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import {
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

/** Insomnia v4 exports (JSON): workspace, folders (request groups), requests, WebSocket requests, environments. */

type Res = Record<string, unknown>
const MAX_DEPTH = 32

export function isInsomniaExport(data: unknown): boolean {
  return (
    isObj(data) &&
    data['_type'] === 'export' &&
    Number(data['__export_format']) === 4 &&
    Array.isArray(data['resources'])
  )
}

/** `{{ _.baseUrl }}` -> `{{baseUrl}}`; template tags (`{% ... %}`) are reported and kept as text. */
function text(v: unknown, unmapped: string[], where: string): string {
  const s = str(v).replace(/\{\{\s*_\.([A-Za-z_][\w.-]*)\s*\}\}/g, '{{$1}}')
  if (/\{%.*?%\}/.test(s)) {
    const line = `${where}: Insomnia template tag kept as text (${(/\{%.*?%\}/.exec(s)?.[0] ?? '').slice(0, 60)})`
    if (!unmapped.includes(line)) unmapped.push(line)
  }
  return s
}

function kv(list: unknown, unmapped: string[], where: string): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .map((h) => ({
      name: text(h['name'], unmapped, where),
      value: text(h['value'], unmapped, where),
      enabled: h['disabled'] !== true,
    }))
}

function auth(v: unknown, unmapped: string[], where: string): AuthSpec {
  if (!isObj(v) || Object.keys(v).length === 0) return { type: 'inherit' }
  if (v['disabled'] === true) return { type: 'none' }
  const t = (k: string): string => text(v[k], unmapped, where)
  switch (str(v['type'])) {
    case 'none':
      return { type: 'none' }
    case 'basic':
      return { type: 'basic', username: t('username'), password: t('password') }
    case 'digest':
      return { type: 'digest', username: t('username'), password: t('password') }
    case 'bearer':
      if (str(v['prefix']) !== '' && str(v['prefix']) !== 'Bearer') {
        unmapped.push(`${where}: bearer prefix "${str(v['prefix'])}" not kept (Flightdeck sends "Bearer")`)
      }
      return { type: 'bearer', token: t('token') }
    case 'apikey':
      return {
        type: 'apikey',
        key: t('key'),
        value: t('value'),
        in: v['addTo'] === 'queryParams' ? 'query' : 'header',
      }
    case 'oauth2':
      if (str(v['grantType']) !== 'client_credentials') {
        unmapped.push(
          `${where}: OAuth 2.0 grant "${str(v['grantType'])}" is not supported; auth left to inherit`,
        )
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
      unmapped.push(`${where}: auth type "${str(v['type'])}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

function body(v: unknown, unmapped: string[], where: string): RequestBody {
  if (!isObj(v)) return { kind: 'none' }
  const mime = str(v['mimeType'])
  if (mime === 'application/x-www-form-urlencoded')
    return { kind: 'form', fields: kv(v['params'], unmapped, where) }
  if (mime === 'multipart/form-data') {
    const parts: MultipartPart[] = arr(v['params'])
      .filter(isObj)
      .map((p) =>
        p['type'] === 'file'
          ? {
              kind: 'file' as const,
              name: text(p['name'], unmapped, where),
              path: str(p['fileName']) || 'file',
              enabled: p['disabled'] !== true,
            }
          : {
              kind: 'text' as const,
              name: text(p['name'], unmapped, where),
              value: text(p['value'], unmapped, where),
              enabled: p['disabled'] !== true,
            },
      )
    return { kind: 'multipart', parts }
  }
  if (mime === 'application/octet-stream' && str(v['fileName']) !== '')
    return { kind: 'file', path: str(v['fileName']) }
  if (v['text'] === undefined) return { kind: 'none' }
  const t = text(v['text'], unmapped, where)
  if (/json/.test(mime)) return { kind: 'json', text: t }
  if (mime === 'application/graphql') unmapped.push(`${where}: GraphQL body imported as its JSON text`)
  return { kind: 'text', text: t, contentType: mime || 'text/plain' }
}

/** Environment data is nested JSON; nested objects flatten to dotted names (Insomnia's `_.a.b`). */
function envVariables(data: unknown, unmapped: string[], where: string, prefix = '', depth = 0): Variable[] {
  const out: Variable[] = []
  if (!isObj(data) || depth > 8) return out
  for (const [k, v] of Object.entries(data)) {
    const full = prefix ? `${prefix}.${k}` : k
    if (isObj(v)) {
      out.push(...envVariables(v, unmapped, where, full, depth + 1))
      continue
    }
    const name = varName(full)
    if (!name) {
      unmapped.push(`${where}: variable "${full.slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    out.push({ name, value: Array.isArray(v) ? JSON.stringify(v) : text(v, unmapped, where), secret: false })
  }
  return out
}

export function importInsomnia(data: unknown): ImportPlan {
  if (!isInsomniaExport(data) || !isObj(data)) throw new ImportError('not an Insomnia v4 export')
  const resources = arr(data['resources']).filter(isObj) as Res[]
  const byParent = new Map<string, Res[]>()
  for (const r of resources) {
    const p = str(r['parentId'])
    byParent.set(p, [...(byParent.get(p) ?? []), r])
  }
  const workspaces = resources.filter((r) => r['_type'] === 'workspace')
  const workspace = workspaces[0]
  const plan = emptyPlan(str(workspace?.['name'], 'Insomnia import'))
  const u = plan.unmapped
  if (workspaces.length > 1)
    u.push(`${workspaces.length - 1} more workspace(s) in the file left out: import them one at a time`)
  const wsId = str(workspace?.['_id'])

  const sorted = (list: Res[]): Res[] =>
    [...list].sort((a, b) => Number(a['metaSortKey'] ?? 0) - Number(b['metaSortKey'] ?? 0))
  const handled = new Set<unknown>()
  const children = (parentId: string, path: string, depth: number): PlanNode[] => {
    const out: PlanNode[] = []
    for (const r of sorted(byParent.get(parentId) ?? [])) {
      const name = str(r['name'], 'Untitled')
      const where = path ? `${path} / ${name}` : name
      switch (r['_type']) {
        case 'request_group': {
          handled.add(r)
          if (depth >= MAX_DEPTH) {
            u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
            break
          }
          out.push({
            type: 'folder',
            folder: {
              name,
              variables: envVariables(r['environment'], u, where),
              auth: auth(r['authentication'], u, where),
              children: children(str(r['_id']), where, depth + 1),
            },
          })
          break
        }
        case 'request': {
          handled.add(r)
          out.push({
            type: 'request',
            request: request(name, {
              method: method(r['method'], u, where),
              url: withQuery(text(r['url'], u, where), kv(r['parameters'], u, where)),
              description: str(r['description']),
              headers: kv(r['headers'], u, where),
              body: body(r['body'], u, where),
              auth: auth(r['authentication'], u, where),
            }),
          })
          break
        }
        case 'websocket_request': {
          handled.add(r)
          out.push({
            type: 'request',
            request: request(name, {
              kind: 'ws',
              url: text(r['url'], u, where),
              headers: kv(r['headers'], u, where),
              auth: auth(r['authentication'], u, where),
            }),
          })
          break
        }
        default:
          break
      }
    }
    return out
  }
  plan.children = children(wsId, '', 0)

  // Environments: the base one (child of the workspace) holds collection variables; its children are environments.
  const base = resources.find((r) => r['_type'] === 'environment' && str(r['parentId']) === wsId)
  if (base) {
    handled.add(base)
    plan.variables = envVariables(base['data'], u, 'base environment')
    for (const env of resources.filter(
      (r) => r['_type'] === 'environment' && str(r['parentId']) === str(base['_id']),
    )) {
      handled.add(env)
      const name = str(env['name'], 'Environment')
      plan.environments.push({ name, variables: envVariables(env['data'], u, `environment ${name}`) })
    }
  }
  for (const r of resources) {
    if (handled.has(r) || r === workspace) continue
    const type = str(r['_type'])
    if (
      type === 'request' ||
      type === 'request_group' ||
      type === 'environment' ||
      type === 'websocket_request'
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
