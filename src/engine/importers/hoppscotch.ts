import type { AuthSpec, SavedRequest, Variable } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import {
  copyFolderHeaders,
  notePlace,
  partContentType,
  offParams,
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
import { graphqlFromTexts } from '../graphql/graphql-import'
import { inlineRequestVars } from './bruno-request-vars'
import { jsonAsSent } from './json-comments'
import { hoppscotchOAuth2 } from './oauth2-import'

/**
 * Hoppscotch collections (one collection `{ v, name, folders, requests }` or a list of them, as its Export
 * writes; a GraphQL collection's requests are GraphQL requests) and environments (`{ name, variables }` or a list). Variables are written `<<name>>`; they become
 * `{{name}}`. Pre-request and test scripts are reported (Flightdeck does not run Hoppscotch's `pw` API).
 */

type Obj = Record<string, unknown>
const MAX_DEPTH = 32

function isCollection(v: unknown): boolean {
  return isObj(v) && Array.isArray(v['folders']) && Array.isArray(v['requests'])
}

function isEnvironment(v: unknown): boolean {
  return (
    isObj(v) &&
    typeof v['name'] === 'string' &&
    Array.isArray(v['variables']) &&
    !('folders' in v) &&
    arr(v['variables']).every((x) => isObj(x) && typeof x['key'] === 'string')
  )
}

export function isHoppscotchCollection(data: unknown): boolean {
  return Array.isArray(data) ? data.length > 0 && data.every(isCollection) : isCollection(data)
}

export function isHoppscotchEnvironment(data: unknown): boolean {
  return Array.isArray(data) ? data.length > 0 && data.every(isEnvironment) : isEnvironment(data)
}

function text(v: unknown): string {
  return str(v).replace(/<<\s*([A-Za-z_][\w.-]*)\s*>>/g, '{{$1}}')
}

function pairs(list: unknown): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .map((p) => ({ name: text(p['key']), value: text(p['value']), enabled: p['active'] !== false }))
}

function auth(v: unknown, u: string[], where: string): AuthSpec {
  if (!isObj(v)) return { type: 'inherit' }
  const type = str(v['authType'], 'inherit')
  if (type === 'inherit') return { type: 'inherit' }
  if (v['authActive'] === false || type === 'none') return { type: 'none' }
  switch (type) {
    case 'basic':
      return { type: 'basic', username: text(v['username']), password: text(v['password']) }
    case 'digest':
      return { type: 'digest', username: text(v['username']), password: text(v['password']) }
    case 'bearer':
      return { type: 'bearer', token: text(v['token']) }
    case 'api-key':
      return {
        type: 'apikey',
        key: text(v['key']),
        value: text(v['value']),
        in: str(v['addTo']).toUpperCase().startsWith('QUERY') ? 'query' : 'header',
      }
    case 'oauth-2':
      return hoppscotchOAuth2(v, text, u, where)
    default:
      u.push(`${where}: auth type "${type}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

function body(v: unknown, u: string[], where: string): RequestBody {
  if (!isObj(v) || v['contentType'] === null || v['contentType'] === undefined) return { kind: 'none' }
  const type = str(v['contentType'])
  const raw = v['body']
  if (type === 'multipart/form-data') {
    const parts: MultipartPart[] = []
    for (const p of arr(raw).filter(isObj)) {
      const name = text(p['key'])
      const enabled = p['active'] !== false
      if (p['isFile'] === true) {
        const files = arr(p['value'])
        u.push(`${where}: file part "${name}" kept without its file (Hoppscotch exports hold no file paths)`)
        const type = partContentType(str(p['contentType']).trim(), name, u, where)
        parts.push({ kind: 'file', name, path: str(files[0], 'file'), ...type, enabled: false })
      } else {
        const type = partContentType(str(p['contentType']).trim(), name, u, where)
        parts.push({ kind: 'text', name, value: text(p['value']), ...type, enabled })
        // Hoppscotch sends a typed text part as a Blob, which the browser names after the part.
        if (type.contentType)
          u.push(
            `${where}: part "${name}" is sent with its Content-Type "${type.contentType.slice(0, 80)}" as a field; Hoppscotch also gives it filename="${name.slice(0, 80)}"`,
          )
      }
    }
    // Hoppscotch sends its text parts first and its file parts after them, each group in its order.
    const ordered = [...parts.filter((p) => p.kind === 'text'), ...parts.filter((p) => p.kind === 'file')]
    return { kind: 'multipart', parts: ordered }
  }
  if (type === 'application/x-www-form-urlencoded') {
    // Hoppscotch keeps a form as `key: value` lines; a line starting with `#` is switched off.
    const fields: KeyValue[] = str(raw)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const off = l.trimStart().startsWith('#')
        const line = off ? l.trimStart().slice(1) : l
        const at = line.indexOf(':')
        const name = at < 0 ? line.trim() : line.slice(0, at).trim()
        const value = at < 0 ? '' : line.slice(at + 1).trim()
        return { name: text(name), value: text(value), enabled: !off }
      })
    return { kind: 'form', fields }
  }
  if (typeof raw !== 'string') return { kind: 'none' }
  // Hoppscotch sends a JSON body (any type naming json) without its comments and trailing commas, with its
  // own type as the Content-Type (application/vnd.api+json stays that).
  if (/\bjson\b/i.test(type)) {
    const json = jsonAsSent(text(raw), 'Hoppscotch', (l) => u.push(`${where}: ${l}`))
    return type === 'application/json'
      ? { kind: 'json', text: json }
      : { kind: 'text', text: json, contentType: type }
  }
  return { kind: 'text', text: text(raw), contentType: type || 'text/plain' }
}

function variables(list: unknown, u: string[], where: string): Variable[] {
  const out: Variable[] = []
  for (const v of arr(list).filter(isObj)) {
    const key = str(v['key'])
    const name = varName(key)
    if (!name) {
      u.push(`${where}: variable "${key.slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    // Newer exports keep initialValue (shared) and currentValue (this machine); older ones a value.
    const value = str(v['initialValue'], str(v['value'], str(v['currentValue'])))
    // A secret's value stays on the machine it was typed on: an export most often holds none.
    if (v['secret'] === true && value === '')
      u.push(`${where}: secret variable "${name}" has no value in the file; set it before sending`)
    out.push({ name, value, secret: v['secret'] === true })
  }
  return out
}

function requestNode(r: Obj, u: string[], path: string): PlanNode {
  const name = str(r['name'], 'Untitled')
  const where = notePlace(path, name)
  // Hoppscotch's `pw` scripts are kept in the request file (inert) so nothing is lost; a run says they did not run.
  const pre = str(r['preRequestScript']).trim()
  const test = str(r['testScript']).trim()
  if (pre || test) u.push(`${where}: scripts kept in the request file, not run`)
  // Request variables come first in Hoppscotch's order (request, collection, environment, global); a Flightdeck
  // request has none of its own, so each value is written where the request uses it.
  const own = arr(r['requestVariables'])
    .filter(isObj)
    .map((v) => ({ name: str(v['key']), value: text(v['value']), enabled: v['active'] !== false }))
  const withOwn = (req: SavedRequest): SavedRequest => {
    inlineRequestVars(req, own, (l) => u.push(`${where}: ${l}`))
    return req
  }
  // A request of a GraphQL collection: `url`, `query` and `variables` (text) instead of `endpoint` and `body`.
  if (typeof r['query'] === 'string' && r['endpoint'] === undefined)
    return {
      type: 'request',
      request: withOwn(
        request(name, {
          method: 'POST',
          url: text(r['url']),
          description: str(r['description']),
          headers: pairs(r['headers']),
          auth: auth(r['auth'], u, where),
          kind: 'graphql',
          graphql: graphqlFromTexts(text(r['query']), text(r['variables']), where, u),
        }),
      ),
    }
  const b = body(r['body'], u, where)
  const scripts =
    pre || test
      ? { scripts: { ...(pre ? { preRequest: pre } : {}), ...(test ? { test } : {}), translated: false } }
      : {}
  return {
    type: 'request',
    request: withOwn(
      request(name, {
        ...scripts,
        method: method(r['method'], u, where),
        url: withQuery(text(r['endpoint']), pairs(r['params'])),
        ...offParams(pairs(r['params'])),
        description: str(r['description']),
        headers: pairs(r['headers']),
        body: b,
        auth: auth(r['auth'], u, where),
      }),
    ),
  }
}

function folderChildren(c: Obj, u: string[], path: string, depth: number): PlanNode[] {
  const out: PlanNode[] = []
  for (const f of arr(c['folders']).filter(isObj)) {
    const name = str(f['name'], 'Folder')
    const where = notePlace(path, name)
    if (depth >= MAX_DEPTH) {
      u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
      continue
    }
    const below = folderChildren(f, u, where, depth + 1)
    // Hoppscotch's requests inherit their collection's and folders' headers.
    copyFolderHeaders(below, pairs(f['headers']), (l) => u.push(l), where)
    out.push({
      type: 'folder',
      folder: {
        name,
        variables: variables(f['variables'], u, where),
        auth: auth(f['auth'], u, where),
        children: below,
      },
    })
  }
  for (const r of arr(c['requests']).filter(isObj)) out.push(requestNode(r, u, path))
  return out
}

export function importHoppscotchCollection(data: unknown): ImportPlan {
  if (!isHoppscotchCollection(data)) throw new ImportError('not a Hoppscotch collection')
  const list = (Array.isArray(data) ? data : [data]).filter(isObj)
  const first = list[0] ?? {}
  // One collection is the collection; several become one folder each.
  if (list.length === 1) {
    const plan = emptyPlan(str(first['name'], 'Hoppscotch import'))
    plan.variables = variables(first['variables'], plan.unmapped, 'collection')
    plan.auth = auth(first['auth'], plan.unmapped, 'collection')
    plan.children = folderChildren(first, plan.unmapped, '', 0)
    copyFolderHeaders(plan.children, pairs(first['headers']), (l) => plan.unmapped.push(l), 'collection')
    return plan
  }
  const plan = emptyPlan('Hoppscotch import')
  plan.children = folderChildren({ folders: list, requests: [] }, plan.unmapped, '', 0)
  return plan
}

export function importHoppscotchEnvironment(data: unknown): ImportPlan {
  if (!isHoppscotchEnvironment(data)) throw new ImportError('not a Hoppscotch environment')
  const list = (Array.isArray(data) ? data : [data]).filter(isObj)
  const plan = emptyPlan(
    list.length === 1 ? str(list[0]?.['name'], 'Environment') : 'Hoppscotch environments',
  )
  for (const env of list) {
    const name = str(env['name'], 'Environment')
    plan.environments.push({
      name,
      variables: variables(env['variables'], plan.unmapped, `environment ${name}`),
    })
  }
  return plan
}
