import { isObj, str } from './plan'

/**
 * Many hand-written OpenAPI documents fail strict validation (a typo'd key, a Swagger 2 `in: body`, a response
 * without its description, a `$ref` to a schema that was renamed) yet say clearly what their operations are.
 * They are imported as far as they can be: every problem is named by its JSON pointer and the key at fault,
 * a `$ref` that points to nothing becomes an empty schema, and the import goes on.
 */

type Obj = Record<string, unknown>

/** The schema validation swagger-parser runs (its Ajv setup and OpenAPI 3.0 / 3.1 schemas), on our document. */
type ValidateSchema = (api: unknown) => void
interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

/** Problems listed one per line, at most this many (the rest counted). */
const MAX_PROBLEMS = 25
/** The $ref walk visits at most this many nodes (a 3 MB spec has a few hundred thousand). */
const MAX_NODES = 5_000_000

/** swagger-parser's own validator, so the schemas and Ajv options are the ones it validates with. */
const SCHEMA_VALIDATOR = '@apidevtools/swagger-parser/lib/validators/schema.js'
let validateSchema: ValidateSchema | null = null
async function schemaValidator(): Promise<ValidateSchema> {
  // Loaded on first use (imports only); a name in a variable, as it is a file inside the package.
  validateSchema ??= ((await import(SCHEMA_VALIDATOR)) as { default: ValidateSchema }).default
  return validateSchema
}

/** `#/paths/~1users/get` -> the value there, or undefined. */
function at(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc
  for (const raw of pointer.replace(/^#?\/?/, '').split('/')) {
    if (raw === '') continue
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(cur)) cur = cur[Number(key)]
    else if (isObj(cur)) cur = cur[key]
    else return undefined
  }
  return cur
}

function pointerOf(path: readonly string[]): string {
  return `#/${path.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`
}

/**
 * Every local `$ref` that points to nothing, and every external one (never fetched), is replaced by an empty
 * schema, in place; one problem line each. Iterative, bounded walk (a spec can be deep and large).
 */
function fixRefs(doc: Obj, problems: string[]): void {
  const stack: { node: unknown; path: string[] }[] = [{ node: doc, path: [] }]
  let seen = 0
  while (stack.length > 0 && seen++ < MAX_NODES) {
    const { node, path } = stack.pop() as { node: unknown; path: string[] }
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: [...path, String(i)] }))
      continue
    }
    if (!isObj(node)) continue
    for (const [key, child] of Object.entries(node)) {
      if (!isObj(child) || typeof child['$ref'] !== 'string') {
        if (typeof child === 'object' && child !== null) stack.push({ node: child, path: [...path, key] })
        continue
      }
      const ref = child['$ref']
      const where = pointerOf([...path, key])
      if (!ref.startsWith('#')) {
        problems.push(`${where}: "$ref" ${ref} is outside this file; not fetched, left empty`)
        node[key] = {}
      } else if (at(doc, ref) === undefined) {
        problems.push(`${where}: "$ref" ${ref} points to nothing; left empty`)
        node[key] = {}
      }
    }
  }
}

/** Ajv's errors as one line per problem, the key at fault named, branch noise (oneOf, the $ref branch) left out. */
function describe(doc: unknown, errors: readonly AjvError[]): string[] {
  const useful = errors.filter(
    (e) =>
      e.keyword !== 'oneOf' &&
      e.keyword !== 'anyOf' &&
      e.keyword !== 'if' &&
      !(e.keyword === 'required' && e.params['missingProperty'] === '$ref'),
  )
  // A problem deeper down explains the ones above it (a bad `in` fails every parameter branch).
  const deepest = useful.filter(
    (e) => !useful.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)),
  )
  const lines = new Map<string, string>()
  const enums = new Map<string, string[]>()
  for (const e of deepest) {
    const where = `#${e.instancePath}`
    const key = e.instancePath
      .slice(e.instancePath.lastIndexOf('/') + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~')
    switch (e.keyword) {
      case 'additionalProperties':
        lines.set(
          `${where}|${str(e.params['additionalProperty'])}`,
          `${where}: unknown key "${str(e.params['additionalProperty'])}"`,
        )
        break
      case 'required':
        lines.set(
          `${where}|${str(e.params['missingProperty'])}`,
          `${where}: "${str(e.params['missingProperty'])}" is missing`,
        )
        break
      case 'enum': {
        const allowed = Array.isArray(e.params['allowedValues'])
          ? e.params['allowedValues'].map((v) => str(v))
          : []
        enums.set(where, [...(enums.get(where) ?? []), ...allowed])
        break
      }
      default:
        lines.set(`${where}|${e.keyword}`, `${where}: "${key}" ${e.message ?? `fails ${e.keyword}`}`)
    }
  }
  for (const [where, allowed] of enums) {
    const key = where.slice(where.lastIndexOf('/') + 1)
    const value = at(doc, where)
    const shown = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? 'nothing')
    lines.set(
      `${where}|enum`,
      `${where}: "${key}" is ${shown}, not one of ${[...new Set(allowed)].join(', ')}`,
    )
  }
  return [...lines.values()]
}

/**
 * The document checked and made importable: problems (one line each, `#/pointer: what, naming the key`) and
 * the document with bad `$ref`s emptied. The caller dereferences what is left.
 */
export async function checkOpenApi(data: Obj): Promise<{ doc: Obj; problems: string[] }> {
  const doc = structuredClone(data)
  const problems: string[] = []
  fixRefs(doc, problems)
  try {
    ;(await schemaValidator())(structuredClone(doc))
  } catch (e) {
    const details = (e as { details?: unknown }).details
    if (Array.isArray(details)) problems.push(...describe(doc, details as AjvError[]))
    else
      problems.push(
        `the document does not validate: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      )
  }
  if (problems.length > MAX_PROBLEMS) {
    const more = problems.length - MAX_PROBLEMS
    problems.splice(MAX_PROBLEMS, more, `and ${more} more problem${more === 1 ? '' : 's'} of the same kinds`)
  }
  return { doc, problems }
}
