import { isObj, str } from './plan'
import { groupDigits } from '../../shared/group-digits'

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
/** Items of a list whose items must differ that are validated (Ajv compares every pair). */
const MAX_VALIDATED_ITEMS = 200
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
    // An array's items are references as often as an object's values (allOf, parameters).
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((child, i): [string, unknown] => [String(i), child])
      : isObj(node)
        ? Object.entries(node)
        : []
    const empty = (key: string): void => {
      if (Array.isArray(node)) node[Number(key)] = {}
      else (node as Obj)[key] = {}
    }
    for (const [key, child] of entries) {
      if (!isObj(child) || typeof child['$ref'] !== 'string') {
        if (typeof child === 'object' && child !== null) stack.push({ node: child, path: [...path, key] })
        continue
      }
      const ref = child['$ref']
      const where = pointerOf([...path, key])
      if (!ref.startsWith('#')) {
        problems.push(`${where}: "$ref" ${ref} is outside this file; not fetched, left empty`)
        empty(key)
      } else if (at(doc, ref) === undefined) {
        problems.push(`${where}: "$ref" ${ref} points to nothing; left empty`)
        empty(key)
      }
    }
  }
}

/**
 * The errors no other error sits below (none has a path inside theirs). Sorted paths and a binary search each,
 * not every pair: a document with thousands of bad parameters has tens of thousands of errors, and comparing
 * every pair took 90 s for 4,000 parameters.
 */
function withoutAncestors(errors: readonly AjvError[]): AjvError[] {
  const paths = [...new Set(errors.map((e) => e.instancePath))].sort()
  const hasDescendant = (path: string): boolean => {
    const below = `${path}/`
    let lo = 0
    let hi = paths.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((paths[mid] as string) < below) lo = mid + 1
      else hi = mid
    }
    return lo < paths.length && (paths[lo] as string).startsWith(below)
  }
  return errors.filter((e) => !hasDescendant(e.instancePath))
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
  const deepest = withoutAncestors(useful)
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
        const known = enums.get(where)
        if (known) known.push(...allowed)
        else enums.set(where, [...allowed])
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
 * The OpenAPI 3.0 schema says a list of parameters (and of tags) holds no two equal items, and Ajv checks that
 * by comparing every pair: 4,000 parameters on one operation took 15 s. The copy that is validated keeps the
 * first MAX_VALIDATED_ITEMS of each such list; the import itself reads them all. One problem line per list cut.
 */
function shortenForValidation(doc: Obj): string[] {
  const cut: string[] = []
  const shorten = (holder: unknown, path: string[], key: string): void => {
    if (!isObj(holder)) return
    const list = holder[key]
    if (!Array.isArray(list) || list.length <= MAX_VALIDATED_ITEMS) return
    cut.push(
      `${pointerOf([...path, key])}: ${groupDigits(list.length)} ${key}; only the first ${groupDigits(MAX_VALIDATED_ITEMS)} are validated (all are imported)`,
    )
    holder[key] = list.slice(0, MAX_VALIDATED_ITEMS)
  }
  shorten(doc, [], 'tags')
  const paths = isObj(doc['paths']) ? doc['paths'] : {}
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue
    shorten(item, ['paths', path], 'parameters')
    for (const [method, op] of Object.entries(item)) shorten(op, ['paths', path, method], 'parameters')
  }
  return cut
}

/**
 * The document checked and made importable: problems (one line each, `#/pointer: what, naming the key`) and
 * the document with bad `$ref`s emptied. The caller dereferences what is left.
 */
export async function checkOpenApi(data: Obj): Promise<{ doc: Obj; problems: string[] }> {
  const doc = structuredClone(data)
  const problems: string[] = []
  fixRefs(doc, problems)
  const checked = structuredClone(doc)
  problems.push(...shortenForValidation(checked))
  try {
    ;(await schemaValidator())(checked)
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
