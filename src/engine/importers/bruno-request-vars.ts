import type { SavedRequest } from '../../shared/collection'
import type { BruPair } from './bru-lang'

/**
 * A request's own variables (a `.bru` file's `vars:pre-request`, Hoppscotch's `requestVariables`). Bruno and
 * Hoppscotch resolve them before any folder, collection or environment value of the same name; a Flightdeck
 * request has no variables of its own,
 * so an import writes each value where the request uses it (`{{token}}` in the URL, headers, body, auth and a
 * GraphQL query or variables becomes the value). A value that is itself `{{ref}}` stays a reference. The
 * request's scripts are kept as written.
 */

type Plain = string | number | boolean | null | undefined | Plain[] | { [key: string]: Plain }

function mapStrings(v: Plain, f: (s: string) => string): Plain {
  if (typeof v === 'string') return f(v)
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f))
  if (v !== null && typeof v === 'object') {
    const out: { [key: string]: Plain } = {}
    for (const [k, x] of Object.entries(v)) out[k] = mapStrings(x, f)
    return out
  }
  return v
}

export function inlineRequestVars(
  req: SavedRequest,
  vars: readonly BruPair[],
  report: (line: string) => void,
): void {
  const on = new Map(
    vars.filter((p) => p.enabled && p.name.trim() !== '').map((p) => [p.name.trim(), p.value]),
  )
  if (on.size === 0) return
  let used = 0
  // One pass over each text: a value put in is not read again, so `{{a}}` whose value is `{{b}}` stays `{{b}}`.
  const put = (s: string): string =>
    s.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (m, name: string) => {
      const value = on.get(name)
      if (value === undefined) return m
      used++
      return value
    })
  for (const key of ['url', 'headers', 'body', 'auth', 'graphql'] as const) {
    if (req[key] === undefined) continue
    Object.assign(req, { [key]: mapStrings(req[key] as Plain, put) })
  }
  const names = [...on.keys()].join(', ').slice(0, 200)
  report(
    used > 0
      ? `request variables (${names}) written into the request where it uses them (Flightdeck requests have no variables of their own)${req.scripts ? '; its scripts are kept as written' : ''}`
      : `request variables (${names}) not kept: the request does not use them outside its scripts`,
  )
}
