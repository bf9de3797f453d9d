import type { AuthSpec, Variable } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
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
  METHODS,
  refuseExpanding,
  refuseTooManyOperations,
  takeChars,
  type ExampleBudget,
} from './openapi-bounds'
import { dereferenceLocal } from './openapi-deref'
import { reportWebhooks } from './openapi-webhooks'
import { nameSchemas } from './openapi-discriminator'
import { checkOpenApi } from './openapi-lenient'
import { operationBase, operationParameters, relativeServerNote, serverText } from './openapi-operation'
import { queryRows, simpleText } from './openapi-params'
import { body, mediaExample, sampleOf } from './openapi-body'
import { implicitReason, openApiOAuth2 } from './oauth2-import'
import { PathVariables } from './openapi-path-vars'

/**
 * OpenAPI 3.x: one request per operation, grouped in folders by their first tag. The document is validated (with
 * swagger-parser's schemas) and its local `$ref`s resolved (openapi-deref.ts); external references are never
 * fetched or read (they are reported).
 */

type Obj = Record<string, unknown>

export function isOpenApi(data: unknown): boolean {
  return isObj(data) && /^3\./.test(str(data['openapi']))
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

/** The characters a parameter's example takes once written (a string's own, anything else as JSON). */
function exampleChars(value: unknown): number {
  if (value === undefined || value === null) return 0
  if (typeof value === 'string') return value.length
  return JSON.stringify(value)?.length ?? 0
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
    const implicit = s['flows']['implicit']
    if (isObj(implicit)) {
      unmapped.push(
        `${where}: security scheme "${name}" is OAuth 2's implicit flow, ${implicitReason(str(implicit['authorizationUrl']))}`,
      )
      return { type: 'bearer', token: '{{token}}' }
    }
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
  const unresolved: string[] = []
  const api = dereferenceLocal(doc, unresolved)
  nameSchemas(api)
  if (countOperations(api) === 0 && problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    throw new ImportError(`invalid OpenAPI document, no operation to import: ${problems[0] ?? ''}${more}`)
  }
  const info = isObj(api['info']) ? api['info'] : {}
  const plan = emptyPlan(str(info['title'], 'OpenAPI import'))
  const u = plan.unmapped
  for (const p of problems) u.push(`not valid OpenAPI, imported as far as it goes: ${p}`)
  u.push(...unresolved)
  const base = serverUrl(api, u)
  plan.variables.push({ name: 'baseUrl', value: base, secret: false })
  const components = isObj(api['components']) ? api['components'] : {}
  const schemes = isObj(components['securitySchemes']) ? components['securitySchemes'] : {}
  plan.auth = authFor(api['security'], schemes, u, 'API') ?? { type: 'inherit' }
  if (isObj(api['webhooks'])) reportWebhooks(api['webhooks'], u)

  const folders = new Map<string, PlanNode[]>()
  const root: PlanNode[] = []
  const pathVars = new PathVariables()
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
      // Each path parameter's variable (its own name unless another operation's example differs).
      const pathNames = new Map<string, string>()
      const query: KeyValue[] = []
      const headers: KeyValue[] = []
      const cookies: string[] = []
      for (const p of params) {
        const pname = str(p['name'])
        const paramExample = (): unknown => {
          const budget = exampleBudget(examples)
          const value = exampleOf(p, budget)
          exampleCut(budget, where, `of parameter "${pname}"`, u)
          return takeChars(examples, exampleChars(value), where, u) ? value : undefined
        }
        switch (p['in']) {
          case 'path': {
            const v = varName(pname)
            if (v) {
              const value = simpleText(p, pname, 'path', paramExample())
              pathNames.set(
                pname,
                pathVars.variableFor(v, value, path, where, (l) => u.push(l)),
              )
            } else u.push(`${where}: path parameter "${pname}" cannot be a variable name; kept as text`)
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
        `${operationBase(item, op, where, (l) => u.push(l))}${path.replace(/\{([^}]+)\}/g, (mm, n: string) => (varName(n) ? `{{${pathNames.get(n) ?? n}}}` : mm))}`,
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
  const vars: Variable[] = [...pathVars.values].map(([name, value]) => ({ name, value, secret: false }))
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
