import type { AuthSpec, Variable } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import {
  arr,
  emptyPlan,
  ImportError,
  isObj,
  request,
  str,
  varName,
  withQuery,
  type ImportPlan,
  type PlanNode,
} from './plan'
import {
  exampleBudget,
  exampleCut,
  importBudget,
  type ImportBudget,
  METHODS,
  refuseExpanding,
  refuseTooManyOperations,
  spend,
  type ExampleBudget,
} from './openapi-bounds'
import { dereferenceLocal } from './openapi-deref'
import { reportWebhooks } from './openapi-webhooks'
import { nameSchemas, tagged } from './openapi-discriminator'
import { checkOpenApi } from './openapi-lenient'
import { operationBase, operationParameters, relativeServerNote, serverText } from './openapi-operation'
import { queryRows, SEPARATOR_FIELD, simpleText } from './openapi-params'
import { openApiOAuth2 } from './oauth2-import'

/**
 * OpenAPI 3.x: one request per operation, grouped in folders by their first tag. The document is validated (with
 * swagger-parser's schemas) and its local `$ref`s resolved (openapi-deref.ts); external references are never
 * fetched or read (they are reported).
 */

type Obj = Record<string, unknown>

export function isOpenApi(data: unknown): boolean {
  return isObj(data) && /^3\./.test(str(data['openapi']))
}

/**
 * A small example value for a schema: its example, default or first enum, else one built from its type. Each
 * value it makes comes out of `budget`: past it, the rest are null and the budget says it was cut.
 */
export function sampleOf(schema: unknown, depth = 0, budget: ExampleBudget = exampleBudget()): unknown {
  if (!spend(budget) || !isObj(schema) || depth > 6) return null
  if (schema['example'] !== undefined) return schema['example']
  if (schema['const'] !== undefined) return schema['const']
  if (Array.isArray(schema['examples']) && schema['examples'].length > 0) return schema['examples'][0]
  if (schema['default'] !== undefined) return schema['default']
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0]
  for (const k of ['oneOf', 'anyOf'] as const)
    if (Array.isArray(schema[k]))
      return tagged(schema, schema[k][0], sampleOf(schema[k][0], depth + 1, budget))
  if (Array.isArray(schema['allOf'])) {
    const merged: Obj = {}
    for (const part of schema['allOf']) {
      const s = sampleOf(part, depth + 1, budget)
      if (isObj(s)) Object.assign(merged, s)
    }
    return merged
  }
  const type = Array.isArray(schema['type']) ? str(schema['type'][0]) : str(schema['type'])
  if (type === 'object' || isObj(schema['properties'])) {
    const out: Obj = {}
    const props = isObj(schema['properties']) ? schema['properties'] : {}
    for (const [k, v] of Object.entries(props)) {
      if (budget.cut) break
      out[k] = sampleOf(v, depth + 1, budget)
    }
    return out
  }
  if (type === 'array') return [sampleOf(schema['items'], depth + 1, budget)]
  if (type === 'integer' || type === 'number') return 0
  if (type === 'boolean') return false
  if (type === 'string') {
    const f = str(schema['format'])
    return f === 'date-time'
      ? '2024-01-01T00:00:00Z'
      : f === 'date'
        ? '2024-01-01'
        : f === 'uuid'
          ? '{{$uuid}}'
          : f === 'email'
            ? 'user@example.com'
            : 'string'
  }
  return null
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/** A parameter's example value: its own, its first named one, its media type's (`content`), or its schema's. */
function exampleOf(p: Obj, budget: ExampleBudget): unknown {
  if (p['example'] !== undefined) return p['example']
  if (isObj(p['examples'])) {
    const first = Object.values(p['examples'])[0]
    if (isObj(first) && first['value'] !== undefined) return first['value']
  }
  if (isObj(p['content'])) {
    const media = Object.values(p['content'])[0]
    if (isObj(media)) return mediaExample(media, budget)
  }
  return sampleOf(p['schema'], 0, budget)
}

function mediaExample(media: Obj, budget: ExampleBudget): unknown {
  if (media['example'] !== undefined) return media['example']
  if (isObj(media['examples'])) {
    const first = Object.values(media['examples'])[0]
    if (isObj(first) && first['value'] !== undefined) return first['value']
  }
  return sampleOf(media['schema'], 0, budget)
}

function body(
  op: Obj,
  unmapped: string[],
  where: string,
  total: ImportBudget,
): { body: RequestBody; contentType: string | null } {
  const budget = exampleBudget(total)
  const made = bodyWithin(op, unmapped, where, budget)
  exampleCut(budget, where, 'body', unmapped)
  return made
}

function bodyWithin(
  op: Obj,
  unmapped: string[],
  where: string,
  budget: ExampleBudget,
): { body: RequestBody; contentType: string | null } {
  const rb = op['requestBody']
  if (!isObj(rb) || !isObj(rb['content'])) return { body: { kind: 'none' }, contentType: null }
  const content = rb['content']
  const types = Object.keys(content)
  const pick = types.find((t) => /json/i.test(t)) ?? types[0]
  if (pick === undefined) return { body: { kind: 'none' }, contentType: null }
  if (types.length > 1)
    unmapped.push(
      `${where}: request body also offered as ${types.filter((t) => t !== pick).join(', ')}; imported as ${pick}`,
    )
  const media = isObj(content[pick]) ? content[pick] : {}
  const example = mediaExample(media, budget)
  if (/json/i.test(pick))
    return { body: { kind: 'json', text: `${JSON.stringify(example ?? {}, null, 2)}\n` }, contentType: pick }
  const props =
    isObj(media['schema']) && isObj(media['schema']['properties']) ? media['schema']['properties'] : {}
  // An array is a field for each item (OpenAPI's form style, exploded), or one joined field when a Swagger 2.0
  // collectionFormat said so.
  const values = (s: unknown): string[] => {
    const v = sampleOf(s, 0, budget)
    if (!Array.isArray(v)) return [scalarText(v)]
    const joined = isObj(s) ? s[SEPARATOR_FIELD] : undefined
    return typeof joined === 'string' ? [v.map(scalarText).join(joined)] : v.map(scalarText)
  }
  if (pick === 'application/x-www-form-urlencoded') {
    const fields: KeyValue[] = Object.entries(props).flatMap(([name, s]) =>
      values(s).map((value) => ({ name, value, enabled: true })),
    )
    return { body: { kind: 'form', fields }, contentType: null }
  }
  if (pick === 'multipart/form-data') {
    const parts: MultipartPart[] = []
    for (const [name, s] of Object.entries(props)) {
      if (isObj(s) && (s['format'] === 'binary' || s['format'] === 'base64')) {
        unmapped.push(`${where}: multipart file part "${name}" needs a file; left out`)
      } else for (const value of values(s)) parts.push({ kind: 'text', name, value, enabled: true })
    }
    return { body: { kind: 'multipart', parts }, contentType: null }
  }
  return { body: { kind: 'text', text: scalarText(example), contentType: pick }, contentType: null }
}

function authFor(requirements: unknown, schemes: Obj, unmapped: string[], where: string): AuthSpec | null {
  if (!Array.isArray(requirements)) return null
  const alternatives = requirements.filter(isObj)
  // Each alternative is a set of schemes used together; an empty one means the operation takes no auth too.
  const said = alternatives.filter((a) => Object.keys(a).length > 0).map((a) => Object.keys(a).join(' + '))
  const first = alternatives.find((a) => Object.keys(a).length > 0)
  if (!first) return { type: 'none' }
  if (said.length < alternatives.length) {
    unmapped.push(
      `${where}: auth is optional (the spec also accepts ${said.join(' or ')}); imported without auth: set it on the request to send one`,
    )
    return { type: 'none' }
  }
  if (said.length > 1)
    unmapped.push(`${where}: accepts ${said.join(' or ')}; ${said[0]} is applied, the others are left out`)
  const names = Object.keys(first)
  if (names.length > 1)
    unmapped.push(`${where}: needs ${names.join(' + ')} together; only ${names[0]} is applied`)
  const name = names[0] as string
  const s = schemes[name]
  if (!isObj(s)) {
    unmapped.push(`${where}: security scheme "${name}" is not defined`)
    return null
  }
  const type = str(s['type'])
  const scheme = str(s['scheme']).toLowerCase()
  if (type === 'http' && scheme === 'basic')
    return { type: 'basic', username: '{{username}}', password: '{{password}}' }
  if (type === 'http' && scheme === 'digest')
    return { type: 'digest', username: '{{username}}', password: '{{password}}' }
  if (type === 'http' && scheme === 'bearer') return { type: 'bearer', token: '{{token}}' }
  if (type === 'apiKey' && (s['in'] === 'header' || s['in'] === 'query')) {
    return {
      type: 'apikey',
      key: str(s['name']),
      value: '{{apiKey}}',
      in: s['in'] === 'query' ? 'query' : 'header',
    }
  }
  if (type === 'oauth2' && isObj(s['flows'])) {
    const scopes = Array.isArray(first[name]) ? (first[name] as unknown[]).map((x) => str(x)).join(' ') : ''
    const auth = openApiOAuth2(s['flows'], scopes)
    if (auth) return auth
  }
  unmapped.push(
    `${where}: security scheme "${name}" (${type}${scheme ? ` ${scheme}` : ''}${s['in'] ? ` in ${str(s['in'])}` : ''}) is not supported`,
  )
  return null
}

function serverUrl(api: Obj, unmapped: string[]): string {
  const servers = arr(api['servers']).filter(isObj)
  const first = servers[0]
  if (!first) {
    unmapped.push('no servers listed: set the baseUrl variable to where the API runs')
    return ''
  }
  if (servers.length > 1)
    unmapped.push(`${servers.length - 1} more server(s) listed; baseUrl uses the first: ${str(first['url'])}`)
  const url = serverText(first)
  const relative = relativeServerNote(url, 'baseUrl')
  if (relative) unmapped.push(relative)
  return url
}

function countOperations(api: Obj): number {
  const paths = isObj(api['paths']) ? api['paths'] : {}
  let n = 0
  for (const item of Object.values(paths)) if (isObj(item)) for (const m of METHODS) if (isObj(item[m])) n++
  return n
}

export async function importOpenApi(data: unknown): Promise<ImportPlan> {
  if (!isOpenApi(data) || !isObj(data)) throw new ImportError('not an OpenAPI 3 document (no "openapi: 3.x")')
  // Before anything walks the document: an alias bomb is refused, and so is a document with more operations
  // than an import writes.
  refuseExpanding(data)
  refuseTooManyOperations(data)
  // Strict validation names every problem; the import goes on with what the document clearly says.
  const { doc, problems } = await checkOpenApi(data)
  // Local references only: a document never makes Flightdeck fetch or read anything.
  const api = dereferenceLocal(doc)
  nameSchemas(api)
  if (countOperations(api) === 0 && problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    throw new ImportError(`invalid OpenAPI document, no operation to import: ${problems[0] ?? ''}${more}`)
  }
  const info = isObj(api['info']) ? api['info'] : {}
  const plan = emptyPlan(str(info['title'], 'OpenAPI import'))
  const u = plan.unmapped
  for (const p of problems) u.push(`not valid OpenAPI, imported as far as it goes: ${p}`)
  const base = serverUrl(api, u)
  plan.variables.push({ name: 'baseUrl', value: base, secret: false })
  const components = isObj(api['components']) ? api['components'] : {}
  const schemes = isObj(components['securitySchemes']) ? components['securitySchemes'] : {}
  plan.auth = authFor(api['security'], schemes, u, 'API') ?? { type: 'inherit' }
  if (isObj(api['webhooks'])) reportWebhooks(api['webhooks'], u)

  const folders = new Map<string, PlanNode[]>()
  const root: PlanNode[] = []
  const pathVars = new Map<string, string>()
  const examples = importBudget()
  const paths = isObj(api['paths']) ? api['paths'] : {}
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue
    for (const m of METHODS) {
      const op = item[m]
      if (!isObj(op)) continue
      const name = str(op['summary']) || str(op['operationId']) || `${m.toUpperCase()} ${path}`
      const where = `${m.toUpperCase()} ${path}`
      const params = operationParameters(item, op, where, (l) => u.push(l))
      const query: KeyValue[] = []
      const headers: KeyValue[] = []
      const cookies: string[] = []
      for (const p of params) {
        const pname = str(p['name'])
        const paramExample = (): unknown => {
          const budget = exampleBudget(examples)
          const value = exampleOf(p, budget)
          exampleCut(budget, where, `of parameter "${pname}"`, u)
          return value
        }
        switch (p['in']) {
          case 'path': {
            const v = varName(pname)
            if (v && !pathVars.has(v)) pathVars.set(v, simpleText(p, pname, 'path', paramExample()))
            if (!v) u.push(`${where}: path parameter "${pname}" cannot be a variable name; kept as text`)
            break
          }
          case 'query':
            query.push(...queryRows(p, pname, paramExample()))
            break
          case 'header':
            headers.push({
              name: pname,
              value: simpleText(p, pname, 'header', paramExample()),
              enabled: true,
            })
            break
          case 'cookie':
            cookies.push(`${pname}=${simpleText(p, pname, 'header', paramExample())}`)
            break
          default:
            u.push(`${where}: ${str(p['in'])} parameter "${pname}" not imported`)
        }
      }
      // Cookie parameters go as one Cookie header, as a browser or client sends them.
      if (cookies.length > 0) headers.push({ name: 'Cookie', value: cookies.join('; '), enabled: true })
      const b = body(op, u, where, examples)
      if (b.contentType && b.body.kind === 'json' && !/^application\/json$/i.test(b.contentType)) {
        headers.push({ name: 'Content-Type', value: b.contentType, enabled: true })
      }
      if (isObj(op['callbacks']) && Object.keys(op['callbacks']).length > 0)
        u.push(`${where}: callbacks not imported`)
      const auth = authFor(op['security'], schemes, u, where) ?? { type: 'inherit' }
      const url = withQuery(
        `${operationBase(item, op, where, (l) => u.push(l))}${path.replace(/\{([^}]+)\}/g, (mm, n: string) => (varName(n) ? `{{${n}}}` : mm))}`,
        query,
      )
      const node: PlanNode = {
        type: 'request',
        request: request(name, {
          method: m.toUpperCase(),
          url,
          description: str(op['description']),
          headers,
          body: b.body,
          auth,
        }),
      }
      const tag = str(arr(op['tags'])[0])
      const inTag = tag ? folders.get(tag) : undefined
      if (inTag) inTag.push(node)
      else if (tag) folders.set(tag, [node])
      else root.push(node)
    }
  }
  const vars: Variable[] = [...pathVars].map(([name, value]) => ({ name, value, secret: false }))
  plan.variables.push(...vars.filter((v) => v.name !== 'baseUrl'))
  const tagOrder = arr(api['tags'])
    .filter(isObj)
    .map((t) => str(t['name']))
  const names = [...folders.keys()].sort((a, b) => {
    const ia = tagOrder.indexOf(a)
    const ib = tagOrder.indexOf(b)
    return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib) || a.localeCompare(b)
  })
  plan.children = [
    ...names.map((name): PlanNode => ({
      type: 'folder',
      folder: { name, variables: [], auth: { type: 'inherit' }, children: folders.get(name) ?? [] },
    })),
    ...root,
  ]
  return plan
}
