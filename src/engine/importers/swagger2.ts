import { SEPARATOR_FIELD } from './openapi-params'
import { arr, isObj, str } from './plan'

/**
 * Swagger 2.0 turned into the OpenAPI 3.0 document it says, for the OpenAPI import to read: `host`,
 * `basePath` and `schemes` become `servers`; a `body` parameter and `formData` parameters become the
 * `requestBody` (form data as `multipart/form-data` when the operation consumes it or has a `type: file`
 * parameter, else `application/x-www-form-urlencoded`; a file as `format: binary`); `definitions`,
 * `parameters`, `responses` and `securityDefinitions` move under `components` (their `$ref`s with them);
 * `basic` becomes HTTP basic and OAuth 2's four flows get OpenAPI 3's names. Nothing is fetched.
 */

type Obj = Record<string, unknown>

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']

export function isSwagger2(data: unknown): data is Obj {
  return isObj(data) && str(data['swagger']) === '2.0' && isObj(data['paths'])
}

const REFS: [string, string][] = [
  ['#/definitions/', '#/components/schemas/'],
  ['#/parameters/', '#/components/parameters/'],
  ['#/responses/', '#/components/responses/'],
]

/**
 * A copy of `v` with Swagger's `$ref` targets moved to where OpenAPI 3 keeps them, at any depth: iterative, so a
 * deeply nested schema neither overflows the stack nor keeps a `$ref` that points nowhere in OpenAPI 3; its size
 * is bounded by the document's, which refuseExpanding checked first (aliases counted as often as they are met).
 * Every key is copied as an own property, `__proto__` included.
 */
function moveRefs(v: unknown): unknown {
  const shell = (x: unknown): unknown => (Array.isArray(x) ? [] : isObj(x) ? {} : x)
  const top = shell(v)
  const stack: [unknown, unknown][] = top === v ? [] : [[v, top]]
  while (stack.length > 0) {
    const [from, to] = stack.pop() as [unknown, unknown]
    if (Array.isArray(from)) {
      for (const x of from) {
        const copy = shell(x)
        ;(to as unknown[]).push(copy)
        if (copy !== x) stack.push([x, copy])
      }
      continue
    }
    for (const [k, x] of Object.entries(from as Obj)) {
      if (k === '$ref' && typeof x === 'string') {
        const hit = REFS.find(([prefix]) => x.startsWith(prefix))
        own(to as Obj, k, hit ? hit[1] + x.slice(hit[0].length) : x)
        continue
      }
      const copy = shell(x)
      own(to as Obj, k, copy)
      if (copy !== x) stack.push([x, copy])
    }
  }
  return top
}

/** A chain of shared parameters naming shared parameters is followed at most this far; past it, not imported. */
const MAX_PARAMETER_HOPS = 64

/**
 * A parameter with its `#/parameters/…` reference followed, through shared parameters that are references
 * themselves (body and form parameters become the body). Null when the chain leads nowhere, loops or passes
 * MAX_PARAMETER_HOPS; `lines` then says which, as the OpenAPI import says of a schema's (openapi-deref.ts).
 */
function resolved(p: unknown, doc: Obj, lines: string[]): Obj | null {
  if (!isObj(p)) return null
  const all = isObj(doc['parameters']) ? doc['parameters'] : {}
  const first = str(p['$ref'])
  let cur: unknown = p
  for (let hops = 0; isObj(cur); hops++) {
    const ref = str(cur['$ref'])
    if (!ref.startsWith('#/parameters/')) return cur
    if (hops === MAX_PARAMETER_HOPS) {
      lines.push(
        `parameter ${first} left out: its "$ref" goes through more than ${MAX_PARAMETER_HOPS} references to references, or round a loop of them`,
      )
      return null
    }
    const name = unescapePointer(ref.slice('#/parameters/'.length))
    cur = Object.hasOwn(all, name) ? all[name] : undefined
  }
  lines.push(`parameter ${first} left out: its "$ref" points to nothing`)
  return null
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/**
 * A shared parameter (`#/parameters/…`) is written once and referred to from each operation using it, as
 * OpenAPI 3 does: a query, header or path one under `components/parameters`, the schema of a body or form one
 * under SHARED_SCHEMAS. Written into each operation, a 100,000-value enum used by 2,000 operations was
 * 200 million values (a 2 MB file held 3.4 GB before it was refused).
 */
const SHARED_SCHEMAS = 'x-flightdeck-swagger-parameters'

interface Shared {
  /** Each shared parameter (as the document holds it) and the `$ref` an operation writes for it. */
  refs: Map<Obj, string>
  parameters: Obj
  schemas: Obj
}

/** `target[key] = value` as an own property, even for a key named `__proto__` (JSON.parse makes one). */
function own(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function sharedParameters(doc: Obj, notes: string[]): Shared {
  const out: Shared = { refs: new Map(), parameters: {}, schemas: {} }
  for (const [name, p] of Object.entries(isObj(doc['parameters']) ? doc['parameters'] : {})) {
    if (!isObj(p)) continue
    const at = escapePointer(name)
    if (p['in'] === 'body') {
      own(out.schemas, name, moveRefs(p['schema'] ?? {}))
      out.refs.set(p, `#/${SHARED_SCHEMAS}/${at}`)
    } else if (p['in'] === 'formData') {
      own(out.schemas, name, formSchema(p, notes))
      out.refs.set(p, `#/${SHARED_SCHEMAS}/${at}`)
    } else if (SHARED_PLACES.has(str(p['in']))) {
      own(out.parameters, name, parameter(p, notes))
      out.refs.set(p, `#/components/parameters/${at}`)
    }
  }
  return out
}

/** Where a shared parameter sits in the document, when it goes there whole (not a body or form parameter). */
const SHARED_PLACES = new Set(['query', 'header', 'path'])

/** A non-body parameter's type fields as an OpenAPI 3 schema. */
function paramSchema(p: Obj): Obj {
  const schema: Obj = {}
  for (const k of ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'pattern']) {
    if (p[k] !== undefined) schema[k] = p[k]
  }
  if (schema['type'] === 'file') {
    schema['type'] = 'string'
    schema['format'] = 'binary'
  }
  return schema
}

const SEPARATORS: Record<string, string> = { ssv: ' ', tsv: '\t', pipes: '|' }

/** Swagger's array formats; another value is read as csv, and the report says so. */
const FORMATS = new Set(['csv', 'ssv', 'tsv', 'pipes', 'multi'])

/** The separator a `collectionFormat` names (space, tab, pipe), or undefined (csv, multi, or any other value). */
function separatorOf(format: unknown): string | undefined {
  return typeof format === 'string' && Object.hasOwn(SEPARATORS, format) ? SEPARATORS[format] : undefined
}

/** A report line for an array parameter whose `collectionFormat` is none of Swagger's. */
function oddFormat(p: Obj, notes: string[]): void {
  const format = p['collectionFormat']
  if (p['type'] !== 'array' || format === undefined || (typeof format === 'string' && FORMATS.has(format)))
    return
  const said = JSON.stringify(format)
  notes.push(
    `parameter "${str(p['name']).slice(0, 80)}": collectionFormat ${said.length > 40 ? `${said.slice(0, 40)}…` : said} is none of Swagger's (csv, ssv, tsv, pipes, multi); read as csv`,
  )
}

function parameter(p: Obj, notes: string[]): Obj {
  oddFormat(p, notes)
  // Swagger allows multi only in a query or a form: a path segment holds one value, and a header sent once per
  // item means the same as one comma-joined header (RFC 9110), so both go comma-joined, said.
  if (
    p['type'] === 'array' &&
    p['collectionFormat'] === 'multi' &&
    (p['in'] === 'path' || p['in'] === 'header')
  )
    notes.push(
      `${str(p['in'])} parameter "${str(p['name']).slice(0, 80)}": collectionFormat multi is for query and form parameters only (Swagger 2.0); sent comma-joined (csv)`,
    )
  const out: Obj = { name: p['name'], in: p['in'], schema: moveRefs(paramSchema(p)) }
  if (p['required'] !== undefined) out['required'] = p['required']
  if (p['description'] !== undefined) out['description'] = p['description']
  if (p['x-example'] !== undefined) out['example'] = p['x-example']
  // Swagger's arrays in a query default to one comma-separated value; `multi` repeats the name.
  if (p['type'] === 'array' && p['in'] === 'query') out['explode'] = p['collectionFormat'] === 'multi'
  // Space, tab and pipe joined arrays: OpenAPI 3 has no tab style, nor any for a path or header, so the
  // separator goes along in a field of our own that openapi-params.ts reads.
  const separator = p['type'] === 'array' ? separatorOf(p['collectionFormat']) : undefined
  if (separator !== undefined) out[SEPARATOR_FIELD] = separator
  return out
}

/** A form parameter's schema as a property of the form body. */
function formSchema(p: Obj, notes: string[]): Obj {
  oddFormat(p, notes)
  const schema = moveRefs(paramSchema(p)) as Obj
  // A form array is one comma-joined field unless `multi` (a field for each item), as in a query.
  if (p['type'] === 'array' && p['collectionFormat'] !== 'multi')
    schema[SEPARATOR_FIELD] = separatorOf(p['collectionFormat']) ?? ','
  return schema
}

function requestBody(params: Obj[], consumes: string[], shared: Shared, notes: string[]): Obj | undefined {
  const ref = (p: Obj): string | undefined => shared.refs.get(p)
  const body = params.find((p) => p['in'] === 'body')
  if (body) {
    const types = consumes.length > 0 ? consumes : ['application/json']
    const content: Obj = {}
    const at = ref(body)
    for (const t of types) content[t] = { schema: at ? { $ref: at } : moveRefs(body['schema'] ?? {}) }
    return { content, ...(body['required'] === true ? { required: true } : {}) }
  }
  const form = params.filter((p) => p['in'] === 'formData')
  if (form.length === 0) return undefined
  const multipart = consumes.includes('multipart/form-data') || form.some((p) => p['type'] === 'file')
  const properties: Obj = {}
  for (const p of form) {
    const at = ref(p)
    own(properties, str(p['name']), at ? { $ref: at } : formSchema(p, notes))
  }
  const required = form.filter((p) => p['required'] === true).map((p) => str(p['name']))
  const schema = { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
  return {
    content: { [multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded']: { schema } },
  }
}

function responses(v: unknown, produces: string[]): Obj {
  const out: Obj = {}
  for (const [code, r] of Object.entries(isObj(v) ? v : {})) {
    if (!isObj(r)) continue
    if (typeof r['$ref'] === 'string') {
      own(out, code, moveRefs(r))
      continue
    }
    const res: Obj = { description: str(r['description']) }
    if (r['schema'] !== undefined)
      res['content'] = { [produces[0] ?? 'application/json']: { schema: moveRefs(r['schema']) } }
    own(out, code, res)
  }
  return Object.keys(out).length > 0 ? out : { default: { description: '' } }
}

function strings(v: unknown): string[] {
  return arr(v)
    .map((x) => str(x))
    .filter((x) => x !== '')
}

function securityScheme(s: unknown): unknown {
  if (!isObj(s)) return s
  const type = str(s['type'])
  const description = s['description'] !== undefined ? { description: s['description'] } : {}
  if (type === 'basic') return { type: 'http', scheme: 'basic', ...description }
  if (type !== 'oauth2') return s
  const scopes = isObj(s['scopes']) ? s['scopes'] : {}
  const urls = { authorizationUrl: s['authorizationUrl'], tokenUrl: s['tokenUrl'] }
  const flows: Record<string, Obj> = {
    implicit: { implicit: { authorizationUrl: urls.authorizationUrl, scopes } },
    password: { password: { tokenUrl: urls.tokenUrl, scopes } },
    application: { clientCredentials: { tokenUrl: urls.tokenUrl, scopes } },
    accessCode: { authorizationCode: { ...urls, scopes } },
  }
  return { type: 'oauth2', flows: flows[str(s['flow'])] ?? {}, ...description }
}

/** `notes`: lines for the report (what the conversion read otherwise than written). */
export function swagger2ToOpenApi(doc: Obj, notes: string[] = []): Obj {
  const common = sharedParameters(doc, notes)
  const schemes = strings(doc['schemes'])
  const host = str(doc['host'])
  const basePath = str(doc['basePath'])
  const servers = host
    ? (schemes.length > 0 ? schemes : ['https']).map((s) => ({ url: `${s}://${host}${basePath}` }))
    : [{ url: basePath || '/' }]
  const paths: Obj = {}
  for (const [path, item] of Object.entries(isObj(doc['paths']) ? doc['paths'] : {})) {
    if (!isObj(item)) continue
    const pathLines: string[] = []
    const shared = arr(item['parameters'])
      .map((p) => resolved(p, doc, pathLines))
      .filter((p): p is Obj => p !== null)
    for (const l of pathLines) notes.push(`${path}: ${l}`)
    const out: Obj = {}
    for (const m of METHODS) {
      const op = item[m]
      if (!isObj(op)) continue
      const lines: string[] = []
      const own = arr(op['parameters'])
        .map((p) => resolved(p, doc, lines))
        .filter((p): p is Obj => p !== null)
      // The operation's own parameter replaces the path item's of the same name and place.
      const key = (p: Obj): string => `${str(p['in'])}\u0000${str(p['name'])}`
      const ownKeys = new Set(own.map(key))
      const params = [...shared.filter((p) => !ownKeys.has(key(p))), ...own]
      const consumes = strings(op['consumes'] ?? doc['consumes'])
      const produces = strings(op['produces'] ?? doc['produces'])
      const { parameters: _p, consumes: _c, produces: _r, responses: rs, schemes: _s, ...rest } = op
      const body = requestBody(params, consumes, common, lines)
      out[m] = {
        ...(moveRefs(rest) as Obj),
        parameters: params
          .filter((p) => p['in'] !== 'body' && p['in'] !== 'formData')
          .map((p) => {
            const at = common.refs.get(p)
            return at ? { $ref: at } : parameter(p, lines)
          }),
        ...(body ? { requestBody: body } : {}),
        responses: responses(rs, produces),
      }
      for (const l of lines) notes.push(`${m.toUpperCase()} ${path}: ${l}`)
    }
    own(paths, path, out)
  }
  const components: Obj = {}
  if (isObj(doc['definitions'])) components['schemas'] = moveRefs(doc['definitions'])
  if (Object.keys(common.parameters).length > 0) components['parameters'] = common.parameters
  if (isObj(doc['securityDefinitions']))
    components['securitySchemes'] = Object.fromEntries(
      Object.entries(doc['securityDefinitions']).map(([k, v]) => [k, securityScheme(v)]),
    )
  return {
    openapi: '3.0.3',
    info: isObj(doc['info']) ? doc['info'] : { title: 'Swagger import', version: '' },
    servers,
    paths,
    components,
    ...(Object.keys(common.schemas).length > 0 ? { [SHARED_SCHEMAS]: common.schemas } : {}),
    ...(doc['security'] !== undefined ? { security: doc['security'] } : {}),
    ...(doc['tags'] !== undefined ? { tags: doc['tags'] } : {}),
  }
}
