import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import {
  exampleBudget,
  exampleCut,
  spend,
  takeChars,
  type ExampleBudget,
  type ImportBudget,
} from './openapi-bounds'
import { tagged } from './openapi-discriminator'
import { queryRows, SEPARATOR_FIELD } from './openapi-params'
import { isObj, str } from './plan'

/**
 * An OpenAPI 3 operation's request body as the request sends it: JSON as its example, a form or multipart body
 * a field or part for each property, written as the media type's `encoding` says (a part's `contentType`; a
 * form field's `style` and `explode`, as a query parameter's), and what it cannot hold (files) named.
 */

type Obj = Record<string, unknown>

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
      if (isObj(s)) for (const [k, v] of Object.entries(s)) put(merged, k, v)
    }
    return merged
  }
  const type = Array.isArray(schema['type']) ? str(schema['type'][0]) : str(schema['type'])
  if (type === 'object' || isObj(schema['properties'])) {
    const out: Obj = {}
    const props = isObj(schema['properties']) ? schema['properties'] : {}
    for (const [k, v] of Object.entries(props)) {
      if (budget.cut) break
      put(out, k, sampleOf(v, depth + 1, budget))
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

/**
 * `o[k] = v` as an own property whatever `k` is: a schema may name a property `__proto__`, which plain
 * assignment would take as the object's prototype (and JSON.stringify would leave out).
 */
function put(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

export function scalarText(v: unknown): string {
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

export function mediaExample(media: Obj, budget: ExampleBudget): unknown {
  if (media['example'] !== undefined) return media['example']
  if (isObj(media['examples'])) {
    const first = Object.values(media['examples'])[0]
    if (isObj(first) && first['value'] !== undefined) return first['value']
  }
  return sampleOf(media['schema'], 0, budget)
}

export function body(
  op: Obj,
  unmapped: string[],
  where: string,
  total: ImportBudget,
): { body: RequestBody; contentType: string | null } {
  const budget = exampleBudget(total)
  const made = bodyWithin(op, unmapped, where, budget)
  exampleCut(budget, where, 'body', unmapped)
  // Past the import's share, a body keeps its kind and type with nothing in it.
  if (takeChars(total, bodyChars(made.body), where, unmapped)) return made
  return { ...made, body: emptied(made.body) }
}

/** The characters a generated body holds (its text, or its fields' and parts' names and values). */
function bodyChars(b: RequestBody): number {
  if (b.kind === 'json' || b.kind === 'text') return b.text.length
  if (b.kind === 'form') return b.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  if (b.kind === 'multipart')
    return b.parts.reduce((n, p) => n + p.name.length + (p.kind === 'text' ? p.value.length : 0), 0)
  return 0
}

function emptied(b: RequestBody): RequestBody {
  if (b.kind === 'json') return { ...b, text: '' }
  if (b.kind === 'text') return { ...b, text: '' }
  if (b.kind === 'form') return { ...b, fields: [] }
  if (b.kind === 'multipart') return { ...b, parts: [] }
  return b
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
  const encoding = isObj(media['encoding']) ? media['encoding'] : {}
  const encodingOf = (name: string): Obj => (isObj(encoding[name]) ? encoding[name] : {})
  if (pick === 'application/x-www-form-urlencoded') {
    const fields: KeyValue[] = Object.entries(props).flatMap(([name, s]) =>
      queryRows(formStyle(s, encodingOf(name)), name, sampleOf(s, 0, budget)),
    )
    return { body: { kind: 'form', fields }, contentType: null }
  }
  if (pick === 'multipart/form-data') {
    const parts: MultipartPart[] = []
    for (const [name, s] of Object.entries(props)) {
      const enc = encodingOf(name)
      if (isObj(enc['headers']) && Object.keys(enc['headers']).length > 0)
        unmapped.push(
          `${where}: multipart part "${name}": its own headers (${Object.keys(enc['headers']).join(', ')}) not imported`,
        )
      if (isFile(s)) {
        unmapped.push(`${where}: multipart file part "${name}" needs a file; left out`)
        continue
      }
      if (isObj(s) && s['type'] === 'array' && isFile(s['items'])) {
        unmapped.push(`${where}: multipart file parts "${name}" (an array of files) need files; left out`)
        continue
      }
      const type = partType(s, enc)
      const typed = type ? { contentType: type } : {}
      for (const value of multipartValues(s, sampleOf(s, 0, budget)))
        parts.push({ kind: 'text', name, value, ...typed, enabled: true })
    }
    return { body: { kind: 'multipart', parts }, contentType: null }
  }
  return { body: { kind: 'text', text: scalarText(example), contentType: pick }, contentType: null }
}

/** A schema that stands for a file's bytes: a binary or base64 string (3.0), or 3.1's non-text contentMediaType. */
function isFile(s: unknown): boolean {
  if (!isObj(s)) return false
  if (s['format'] === 'binary' || s['format'] === 'base64') return true
  const media = str(s['contentMediaType'])
  return media !== '' && !/^text\/|json|xml/i.test(media)
}

/**
 * How a form field is written: its encoding's style and explode (form and exploded by default: an array a field
 * for each item, an object a field for each property), or one field joined by a Swagger 2.0 collectionFormat.
 */
function formStyle(schema: unknown, enc: Obj): Obj {
  const joined = isObj(schema) ? schema[SEPARATOR_FIELD] : undefined
  if (typeof joined === 'string') return { [SEPARATOR_FIELD]: joined, explode: false }
  const out: Obj = {}
  if (typeof enc['style'] === 'string') out['style'] = enc['style']
  if (typeof enc['explode'] === 'boolean') out['explode'] = enc['explode']
  return out
}

/**
 * A part's Content-Type: its encoding's (the first of a list; a range such as image/* names no type to send),
 * else application/json for an object, as OpenAPI's default; a string or number part has none, as a form's.
 */
function partType(schema: unknown, enc: Obj): string | null {
  const said = str(enc['contentType']).split(',')[0]?.trim() ?? ''
  const media = said.split(';')[0]?.trim() ?? ''
  if (/^[\x20-\x7e]{1,256}$/.test(said) && /^[\w.+-]+\/[\w.+-]+$/.test(media)) return said
  if (!isObj(schema)) return null
  const items = schema['type'] === 'array' && isObj(schema['items']) ? schema['items'] : schema
  return items['type'] === 'object' || isObj(items['properties']) ? 'application/json' : null
}

/** A multipart property's parts: an array is a part for each item (a joined Swagger array one part), else one. */
function multipartValues(schema: unknown, value: unknown): string[] {
  if (!Array.isArray(value)) return [scalarText(value)]
  const joined = isObj(schema) ? schema[SEPARATOR_FIELD] : undefined
  return typeof joined === 'string' ? [value.map(scalarText).join(joined)] : value.map(scalarText)
}
