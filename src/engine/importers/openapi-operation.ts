import { arr, isObj, str } from './plan'

/**
 * What an OpenAPI 3 operation takes from the levels around it: the parameters of its path item (an operation's
 * own parameter of the same name and location replaces the path item's, as the spec says; both were sent), and
 * the servers of its path item or its own (which replace the document's: the request went to the first server
 * of the document instead).
 */

type Obj = Record<string, unknown>

/** Header parameters the spec says to ignore: the body's media type, the responses' and the security scheme say them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization'])

/**
 * The operation's parameters: the path item's, each replaced by the operation's own of the same `name` and
 * `in`, then the operation's others, in the order written. Header parameters named Accept, Content-Type or
 * Authorization are left out (the OpenAPI spec: "SHALL be ignored") and named.
 */
export function operationParameters(
  pathItem: Obj,
  op: Obj,
  where: string,
  report: (line: string) => void,
): Obj[] {
  const key = (p: Obj): string => `${str(p['in'])}\u0000${str(p['name'])}`
  const own = arr(op['parameters']).filter(isObj)
  const ownKeys = new Set(own.map(key))
  const merged = [
    ...arr(pathItem['parameters'])
      .filter(isObj)
      .filter((p) => !ownKeys.has(key(p))),
    ...own,
  ]
  return merged.filter((p) => {
    if (p['in'] !== 'header' || !IGNORED_HEADERS.has(str(p['name']).toLowerCase())) return true
    report(
      `${where}: header parameter "${str(p['name'])}" left out: OpenAPI says to ignore it (the body's media type, the responses and the security scheme set it)`,
    )
    return false
  })
}

/** A server object's URL with each `{variable}` replaced by its default; a variable with none stays `{name}`. */
export function serverText(server: Obj): string {
  const vars = isObj(server['variables']) ? server['variables'] : {}
  return str(server['url'])
    .replace(/\{([^}]+)\}/g, (m, name: string) => {
      const v = vars[name]
      return isObj(v) && v['default'] !== undefined ? str(v['default']) : m
    })
    .replace(/\/$/, '')
}

/** A server URL with no scheme is relative to where the document was served, which an import cannot know. */
export function relativeServerNote(url: string, where: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('{{')) return null
  return `${where}: server URL "${url}" is relative to where the document is served; put the API's origin before it (https://host${url.startsWith('/') ? '' : '/'}${url})`
}

/**
 * The base an operation's URL starts with: its own first server, else its path item's, else `{{baseUrl}}`
 * (the document's). A server of its own is said in the report, with the others it lists.
 */
export function operationBase(pathItem: Obj, op: Obj, where: string, report: (line: string) => void): string {
  for (const [level, servers] of [
    ['operation', arr(op['servers']).filter(isObj)],
    ['path', arr(pathItem['servers']).filter(isObj)],
  ] as const) {
    const first = servers[0]
    if (!first) continue
    const url = serverText(first)
    const more = servers.length > 1 ? `; ${servers.length - 1} more listed` : ''
    report(`${where}: sent to its ${level}'s own server ${url}, not baseUrl${more}`)
    const relative = relativeServerNote(url, where)
    if (relative) report(relative)
    return url
  }
  return '{{baseUrl}}'
}
