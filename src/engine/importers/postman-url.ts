import type { KeyValue } from '../../shared/request'
import { arr, isObj, str, withQuery } from './plan'
import { jsonKind, jsonText, preview, queryList, TOO_DEEP_FOR_TEXT } from './postman-json-values'

/**
 * A Postman request URL as Flightdeck keeps it: the text sent (`raw`, or built from its parts), with
 * - path variables (`/:transcript_id` with a value in `url.variable`) replaced by the request's own value, as
 *   Postman sends them: a path variable belongs to its request, so no environment, data-file or script value
 *   of the same name may change it (a value that is itself `{{ref}}` stays a reference, resolved as Postman
 *   resolves it); a path variable with no value is sent as written (`/:name`), as Postman does;
 * - query parameters that are only in `url.query` (Postman sends those; `raw` can lag behind) added;
 * - disabled query parameters kept beside the URL, switched off (and taken out of `raw`: Postman does not send
 *   them).
 */

export interface PostmanUrl {
  url: string
  disabledParams: KeyValue[]
}

type Text = (v: unknown) => string

/** A `url.query` row; `bare` when its value is null, which Postman sends as the name alone (`?flag`). */
type QueryRow = KeyValue & { bare: boolean }

function queryRows(v: unknown, text: Text, report: (line: string) => void): QueryRow[] {
  return queryList(v, report)
    .filter(isObj)
    .map((q): Record<string, unknown> => ({ ...q, value: rowValue(q, report) }))
    .filter((q) => str(q['key']) !== '' || str(q['value']) !== '')
    .map((q) => ({
      name: text(q['key']),
      value: q['value'] === null || q['value'] === undefined ? '' : text(q['value']),
      enabled: q['disabled'] !== true,
      bare: q['value'] === null || q['value'] === undefined,
    }))
}

/** A row's value; an object or list as its JSON text (said), as Postman keeps it. */
function rowValue(q: Record<string, unknown>, report: (line: string) => void): unknown {
  const value = q['value']
  if (value === null || typeof value !== 'object') return value
  const json = jsonText(value)
  const name = str(q['key']).slice(0, 60)
  if (json === null) {
    report(`query parameter "${name}": its value is ${TOO_DEEP_FOR_TEXT}; sent empty`)
    return ''
  }
  report(`query parameter "${name}": its value is ${jsonKind(value)}; sent as its JSON text ${preview(json)}`)
  return json
}

/** The name/value pairs already in a URL's query, as written (undecoded). */
function rawQueryPairs(url: string): Set<string> {
  const q = url.indexOf('?')
  const out = new Set<string>()
  if (q === -1) return out
  const query = url.slice(q + 1).split('#')[0] ?? ''
  for (const piece of query.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const name = eq === -1 ? piece : piece.slice(0, eq)
    let decoded = name
    try {
      decoded = decodeURIComponent(name)
    } catch {
      // Keep it as written.
    }
    out.add(decoded)
  }
  return out
}

/**
 * `raw` without the pairs of its query that `url.query` switches off: Postman sends `url.query`, so a row
 * disabled there is not sent though `raw` still shows it. Each disabled row takes out one pair of the same name
 * and value (by name alone when none has its value and no enabled row has that name); the rest stay as written.
 */
function withoutDisabled(raw: string, query: readonly QueryRow[]): string {
  const off = query.filter((r) => !r.enabled && r.name !== '')
  const q = raw.indexOf('?')
  if (off.length === 0 || q === -1) return raw
  const hashAt = raw.indexOf('#', q)
  const end = hashAt === -1 ? raw.length : hashAt
  const pieces = raw
    .slice(q + 1, end)
    .split('&')
    .map((text) => {
      const eq = text.indexOf('=')
      return {
        text,
        name: decoded(eq === -1 ? text : text.slice(0, eq)),
        value: eq === -1 ? null : text.slice(eq + 1),
      }
    })
  const enabledNames = new Set(query.filter((r) => r.enabled).map((r) => r.name))
  const gone = new Set<number>()
  const find = (row: QueryRow, byValue: boolean): number =>
    pieces.findIndex(
      (p, i) =>
        !gone.has(i) &&
        p.name === row.name &&
        (!byValue || (row.bare ? p.value === null : p.value === row.value)),
    )
  for (const row of off) {
    let at = find(row, true)
    if (at === -1 && !enabledNames.has(row.name)) at = find(row, false)
    if (at !== -1) gone.add(at)
  }
  if (gone.size === 0) return raw
  const kept = pieces
    .filter((_, i) => !gone.has(i))
    .map((p) => p.text)
    .join('&')
  return `${raw.slice(0, q)}${kept === '' ? '' : `?${kept}`}${raw.slice(end)}`
}

/** A query name decoded, or as written when it does not decode. */
function decoded(name: string): string {
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

/**
 * A path variable's value as it goes into the path: `?` and `#` (and spaces) encoded, since here they would end
 * the path, as Postman's URL encoder encodes them in a path segment; `{{references}}` are kept as written.
 */
function pathValue(value: string): string {
  return value
    .split(/(\{\{[^{}]*\}\})/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[?# ]/g, (c) => encodeURIComponent(c))))
    .join('')
}

/** Replace `:name` path segments (before any `?` or `#`) with `replacement`. */
function replaceSegment(url: string, name: string, replacement: string): string {
  const end = url.search(/[?#]/)
  const path = end === -1 ? url : url.slice(0, end)
  const rest = end === -1 ? '' : url.slice(end)
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // A function, not a string: a `$&` in a value is text, not a replacement pattern.
  return path.replace(new RegExp(`/:${escaped}(?=/|$|\\.)`, 'g'), () => `/${replacement}`) + rest
}

export function postmanUrl(v: unknown, text: Text, report: (line: string) => void): PostmanUrl {
  const out: PostmanUrl = { url: '', disabledParams: [] }
  if (typeof v === 'string') {
    out.url = text(v)
    reportBareSegments(out.url, report)
    return out
  }
  if (!isObj(v)) return out
  const query = queryRows(v['query'], text, report)
  let raw = text(v['raw'])
  if (raw === '') {
    const protocol = str(v['protocol'])
    const host = Array.isArray(v['host']) ? v['host'].map((h) => str(h)).join('.') : str(v['host'])
    const port = str(v['port'])
    const path = Array.isArray(v['path']) ? v['path'].map((p) => str(p)).join('/') : str(v['path'])
    raw = text(`${protocol ? `${protocol}://` : ''}${host}${port ? `:${port}` : ''}${path ? `/${path}` : ''}`)
    raw = withQuery(raw, query)
  } else {
    // Postman sends url.query; raw is only its display. Rows missing from raw are still sent, rows
    // switched off there are not.
    raw = withoutDisabled(raw, query)
    const present = rawQueryPairs(raw)
    const missing = query.filter((q) => q.enabled && q.name !== '' && !present.has(q.name))
    if (missing.length > 0) raw = withQuery(raw, missing)
  }
  out.disabledParams = query
    .filter((q) => !q.enabled)
    .map(({ name, value, enabled }) => ({ name, value, enabled }))
  for (const pv of arr(v['variable']).filter(isObj)) {
    const key = str(pv['key'])
    if (key === '' || !new RegExp(`/:${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[.?#])`).test(raw))
      continue
    const value = pv['value'] === undefined || pv['value'] === null ? '' : text(pv['value'])
    // Postman leaves a segment whose value is empty as written; reportBareSegments says so.
    if (value !== '') raw = replaceSegment(raw, key, pathValue(value))
  }
  reportBareSegments(raw, report)
  out.url = raw
  return out
}

/** A `:name` segment Postman has no value for is sent as written, by Postman and by Flightdeck: say so. */
function reportBareSegments(url: string, report: (line: string) => void): void {
  const end = url.search(/[?#]/)
  const path = end === -1 ? url : url.slice(0, end)
  for (const m of path.matchAll(/\/:([A-Za-z_][\w-]*)/g))
    report(`path segment :${m[1] ?? ''} has no path variable value; sent as written`)
}
