import { isObj, str } from './plan'

/**
 * Values a Postman collection holds as JSON where its schema has text: a variable whose value is an object or a
 * list, a `url.query` that is one object or a query string instead of a list of rows. Postman keeps such a value
 * as its JSON text; so does the import, and each is said in the report, since newman reads some of them
 * otherwise (an object variable is sent as `[object Object]`, a list as its items joined by commas).
 */

/**
 * The most levels a JSON value an import writes as text may nest. JSON.stringify recurses, and where it stops
 * depends on the thread's stack (a few thousand levels): a fixed limit says the same on every thread, and no
 * real variable comes near it.
 */
export const MAX_JSON_DEPTH = 1000

export const TOO_DEEP_FOR_TEXT = `nested more than ${MAX_JSON_DEPTH} levels deep, more than an import keeps`

/** Whether `value` nests more than `limit` levels, walked without recursion, stopping once it does. */
function deeperThan(value: object, limit: number): boolean {
  const stack: { v: object; depth: number }[] = [{ v: value, depth: 1 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > limit) return true
    for (const child of Array.isArray(top.v) ? top.v : Object.values(top.v))
      if (child !== null && typeof child === 'object')
        stack.push({ v: child as object, depth: top.depth + 1 })
  }
  return false
}

/** An object or list as its JSON text, or null when it nests too deeply to keep. */
export function jsonText(value: object): string | null {
  if (deeperThan(value, MAX_JSON_DEPTH)) return null
  try {
    return JSON.stringify(value)
  } catch (e) {
    if (e instanceof RangeError) return null
    throw e
  }
}

/** The start of a value's text for a report line. */
export function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** What kind of JSON value it is, in a report's words. */
export function jsonKind(value: object): string {
  return Array.isArray(value) ? 'a list' : 'an object'
}

/** A query string's pairs (`a=1&flag`) as Postman's rows, decoded; a name alone has a null value, as Postman has. */
function queryStringRows(text: string): Record<string, unknown>[] {
  return text
    .replace(/^\?/, '')
    .split('&')
    .filter((piece) => piece !== '')
    .map((piece) => {
      const eq = piece.indexOf('=')
      return eq === -1
        ? { key: decoded(piece), value: null }
        : { key: decoded(piece.slice(0, eq)), value: decoded(piece.slice(eq + 1)) }
    })
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/** Row fields of Postman's schema: an object with a `key` and no other names is one row written without its list. */
const ROW_FIELDS = new Set(['key', 'value', 'disabled', 'description', 'type'])

/**
 * `url.query` as the list of rows the schema has. A list is as it is; a query string is read as its pairs (as
 * newman reads it); one row written without its list is that row; any other object is read as names and values
 * (as newman reads it). Each non-list shape is said through `report`.
 */
export function queryList(query: unknown, report: (line: string) => void): unknown[] {
  if (query === undefined || query === null || Array.isArray(query)) return Array.isArray(query) ? query : []
  if (typeof query === 'string') {
    const rows = queryStringRows(query)
    if (rows.length > 0)
      report(
        `url.query is a query string, not a list of rows: read as its ${rows.length} pair(s), as newman reads it`,
      )
    return rows
  }
  if (!isObj(query)) {
    report(`url.query is ${JSON.stringify(query)}, not a list of rows; left out`)
    return []
  }
  const names = Object.keys(query)
  if (typeof query['key'] === 'string' && names.every((n) => ROW_FIELDS.has(n))) {
    report(
      `url.query is one row, not a list: imported as the row "${str(query['key']).slice(0, 60)}" (newman reads such an object as parameters named ${names.join(', ')})`,
    )
    return [query]
  }
  if (names.length > 0)
    report(
      `url.query is an object, not a list of rows: read as ${names.length} parameter(s) named by its keys, as newman reads it`,
    )
  return names.map((key) => ({ key, value: query[key] }))
}
