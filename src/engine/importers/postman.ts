import type { AuthSpec, SavedRequest, Variable } from '../../shared/collection'
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
  type PlanFolder,
  type PlanNode,
} from './plan'

/** Postman collections (v2.0 and v2.1) and Postman environments. */

const MAX_DEPTH = 32

export function isPostmanCollection(data: unknown): boolean {
  return (
    isObj(data) &&
    isObj(data['info']) &&
    /schema\.getpostman\.com\/json\/collection\/v2/.test(str(data['info']['schema']))
  )
}

export function isPostmanEnvironment(data: unknown): boolean {
  return (
    isObj(data) &&
    Array.isArray(data['values']) &&
    typeof data['name'] === 'string' &&
    (data['_postman_variable_scope'] === 'environment' || data['values'].every((v) => isObj(v) && 'key' in v))
  )
}

/** Postman's dynamic variables that have a Flightdeck twin; the rest are reported. */
const DYNAMIC: Record<string, string> = {
  $guid: '$uuid',
  $randomUUID: '$uuid',
  $uuid: '$uuid',
  $timestamp: '$timestamp',
  $isoTimestamp: '$isoTimestamp',
  $randomInt: '$randomInt',
}

function text(v: unknown, unmapped: string[], where: string): string {
  return str(v).replace(/\{\{\s*(\$[A-Za-z]+)\s*\}\}/g, (m, name: string) => {
    const twin = DYNAMIC[name]
    if (twin) return `{{${twin}}}`
    const line = `${where}: Postman dynamic variable {{${name}}} has no Flightdeck equivalent; kept as text`
    if (!unmapped.includes(line)) unmapped.push(line)
    return m
  })
}

/** v2.1 auth params are [{ key, value }]; v2.0's are a plain object. */
function authParams(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (Array.isArray(v)) {
    for (const p of v) if (isObj(p)) out[str(p['key'])] = str(p['value'])
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = str(val)
  }
  return out
}

export function postmanAuth(v: unknown, unmapped: string[], where: string): AuthSpec {
  if (!isObj(v)) return { type: 'inherit' }
  const type = str(v['type'])
  const p = authParams(v[type])
  const t = (s: string | undefined): string => text(s ?? '', unmapped, where)
  switch (type) {
    case 'noauth':
      return { type: 'none' }
    case 'basic':
      return { type: 'basic', username: t(p['username']), password: t(p['password']) }
    case 'digest':
      return { type: 'digest', username: t(p['username']), password: t(p['password']) }
    case 'bearer':
      return { type: 'bearer', token: t(p['token']) }
    case 'apikey':
      return {
        type: 'apikey',
        key: t(p['key']),
        value: t(p['value']),
        in: p['in'] === 'query' ? 'query' : 'header',
      }
    case 'oauth2': {
      const grant = p['grant_type'] ?? ''
      if (grant !== 'client_credentials') {
        unmapped.push(
          `${where}: OAuth 2.0 grant "${grant || 'authorization_code'}" is not supported (client credentials is); auth left to inherit`,
        )
        return { type: 'inherit' }
      }
      return {
        type: 'oauth2',
        grant: 'client_credentials',
        tokenUrl: t(p['accessTokenUrl']),
        clientId: t(p['clientId']),
        clientSecret: t(p['clientSecret']),
        scope: t(p['scope']),
        clientAuth: p['client_authentication'] === 'body' ? 'body' : 'basic',
      }
    }
    default:
      unmapped.push(`${where}: auth type "${type}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

function kv(list: unknown, unmapped: string[], where: string): KeyValue[] {
  return arr(list)
    .filter(isObj)
    .map((h) => ({
      name: text(h['key'], unmapped, where),
      value: text(h['value'], unmapped, where),
      enabled: h['disabled'] !== true,
    }))
}

function url(v: unknown, unmapped: string[], where: string): string {
  if (typeof v === 'string') return text(v, unmapped, where)
  if (!isObj(v)) return ''
  let raw = str(v['raw'])
  if (raw === '') {
    const protocol = str(v['protocol'])
    const host = Array.isArray(v['host']) ? v['host'].map((h) => str(h)).join('.') : str(v['host'])
    const port = str(v['port'])
    const path = Array.isArray(v['path']) ? v['path'].map((p) => str(p)).join('/') : str(v['path'])
    raw = `${protocol ? `${protocol}://` : ''}${host}${port ? `:${port}` : ''}${path ? `/${path}` : ''}`
    raw = withQuery(raw, kv(v['query'], unmapped, where))
  }
  for (const pv of arr(v['variable']).filter(isObj)) {
    const key = str(pv['key'])
    if (key && raw.includes(`:${key}`)) {
      unmapped.push(
        `${where}: path variable :${key}${pv['value'] !== undefined ? ` (= ${str(pv['value'])})` : ''} kept as text; use {{${key}}} for a variable`,
      )
    }
  }
  return text(raw, unmapped, where)
}

function body(v: unknown, unmapped: string[], where: string, headers: KeyValue[]): RequestBody {
  if (!isObj(v) || v['disabled'] === true) return { kind: 'none' }
  const mode = str(v['mode'])
  switch (mode) {
    case 'raw': {
      const raw = text(v['raw'], unmapped, where)
      const lang =
        isObj(v['options']) && isObj(v['options']['raw']) ? str(v['options']['raw']['language']) : ''
      const ct = headers.find((h) => h.enabled && h.name.toLowerCase() === 'content-type')?.value ?? ''
      if (lang === 'json' || /json/i.test(ct)) return { kind: 'json', text: raw }
      const types: Record<string, string> = {
        xml: 'application/xml',
        html: 'text/html',
        javascript: 'application/javascript',
      }
      return { kind: 'text', text: raw, contentType: ct || types[lang] || 'text/plain' }
    }
    case 'urlencoded':
      return { kind: 'form', fields: kv(v['urlencoded'], unmapped, where) }
    case 'formdata': {
      const parts: MultipartPart[] = []
      for (const p of arr(v['formdata']).filter(isObj)) {
        const enabled = p['disabled'] !== true
        const name = text(p['key'], unmapped, where)
        if (p['type'] === 'file') {
          const src = Array.isArray(p['src']) ? str(p['src'][0]) : str(p['src'])
          if (src === '') {
            unmapped.push(`${where}: form-data file part "${name}" has no file; left out`)
            continue
          }
          parts.push({ kind: 'file', name, path: src, enabled })
        } else parts.push({ kind: 'text', name, value: text(p['value'], unmapped, where), enabled })
      }
      return { kind: 'multipart', parts }
    }
    case 'file': {
      const src = isObj(v['file']) ? str(v['file']['src']) : ''
      if (src === '') {
        unmapped.push(`${where}: binary body has no file; left out`)
        return { kind: 'none' }
      }
      return { kind: 'file', path: src }
    }
    case 'graphql': {
      const g = isObj(v['graphql']) ? v['graphql'] : {}
      let variables: unknown = {}
      try {
        variables = JSON.parse(str(g['variables']) || '{}')
      } catch {
        unmapped.push(`${where}: GraphQL variables are not JSON; left out`)
      }
      unmapped.push(`${where}: GraphQL body imported as a JSON body ({ query, variables })`)
      return { kind: 'json', text: `${JSON.stringify({ query: str(g['query']), variables }, null, 2)}\n` }
    }
    case '':
      return { kind: 'none' }
    default:
      unmapped.push(`${where}: body mode "${mode}" is not supported; left out`)
      return { kind: 'none' }
  }
}

function variables(list: unknown, unmapped: string[], where: string): Variable[] {
  const out: Variable[] = []
  for (const v of arr(list).filter(isObj)) {
    const name = varName(str(v['key']))
    if (!name) {
      unmapped.push(
        `${where}: variable "${str(v['key']).slice(0, 60)}" has a name Flightdeck cannot use; left out`,
      )
      continue
    }
    if (v['disabled'] === true || v['enabled'] === false) {
      unmapped.push(`${where}: disabled variable "${name}" left out`)
      continue
    }
    out.push({ name, value: text(v['value'], unmapped, where), secret: v['type'] === 'secret' })
  }
  return out
}

function events(v: unknown, unmapped: string[], where: string): void {
  for (const e of arr(v).filter(isObj)) {
    const script = isObj(e['script']) ? e['script'] : {}
    const lines = Array.isArray(script['exec'])
      ? script['exec']
          .map((l) => str(l))
          .join('\n')
          .trim()
      : str(script['exec']).trim()
    if (lines !== '')
      unmapped.push(`${where}: ${str(e['listen'], 'event')} script not imported (Flightdeck runs no scripts)`)
  }
}

function item(v: Record<string, unknown>, unmapped: string[], path: string, depth: number): PlanNode | null {
  const name = str(v['name'], 'Untitled').trim() || 'Untitled'
  const where = path ? `${path} / ${name}` : name
  events(v['event'], unmapped, where)
  if (Array.isArray(v['item'])) {
    if (depth >= MAX_DEPTH) {
      unmapped.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
      return null
    }
    const folder: PlanFolder = {
      name,
      variables: variables(v['variable'], unmapped, where),
      auth: postmanAuth(v['auth'], unmapped, where),
      children: v['item'].filter(isObj).flatMap((c) => item(c, unmapped, where, depth + 1) ?? []),
    }
    if (str(v['description']) !== '') unmapped.push(`${where}: folder description not imported`)
    return { type: 'folder', folder }
  }
  const r =
    typeof v['request'] === 'string' ? { url: v['request'] } : isObj(v['request']) ? v['request'] : null
  if (!r) {
    unmapped.push(`${where}: not a request or folder; left out`)
    return null
  }
  const headers = kv(r['header'], unmapped, where)
  const description = isObj(r['description']) ? str(r['description']['content']) : str(r['description'])
  const saved: SavedRequest = request(name, {
    method: method(r['method'], unmapped, where),
    url: url(r['url'], unmapped, where),
    description,
    headers,
    body: body(r['body'], unmapped, where, headers),
    auth: postmanAuth(r['auth'], unmapped, where),
  })
  const responses = arr(v['response']).length
  if (responses > 0)
    unmapped.push(`${where}: ${responses} saved example response${responses > 1 ? 's' : ''} not imported`)
  return { type: 'request', request: saved }
}

export function importPostmanCollection(data: unknown): ImportPlan {
  if (!isPostmanCollection(data) || !isObj(data))
    throw new ImportError('not a Postman collection (v2.0 or v2.1)')
  const info = data['info'] as Record<string, unknown>
  const plan = emptyPlan(str(info['name'], 'Imported collection'))
  const u = plan.unmapped
  events(data['event'], u, 'collection')
  plan.variables = variables(data['variable'], u, 'collection')
  plan.auth = postmanAuth(data['auth'], u, 'collection')
  plan.children = arr(data['item'])
    .filter(isObj)
    .flatMap((c) => item(c, u, '', 0) ?? [])
  return plan
}

export function importPostmanEnvironment(data: unknown): ImportPlan {
  if (!isPostmanEnvironment(data) || !isObj(data)) throw new ImportError('not a Postman environment')
  const name = str(data['name'], 'Environment')
  const plan = emptyPlan(name)
  plan.environments.push({ name, variables: variables(data['values'], plan.unmapped, `environment ${name}`) })
  return plan
}
