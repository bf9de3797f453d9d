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

function enabledVars(vars: readonly BruPair[]): Map<string, string> {
  return new Map(vars.filter((p) => p.enabled && p.name.trim() !== '').map((p) => [p.name.trim(), p.value]))
}

const REFERENCE = /\{\{\s*([^{}\s]+)\s*\}\}/g

/**
 * What a request's own variables may add to it: 64 KB, or 8 times its own text and their values. Each use is
 * written out, so a value used many times writes their product: `{{a}}` 20,000 times with `a` 100 KB long (a
 * 200 KB Hoppscotch file) took gigabytes and failed the import with V8's 'Invalid string length'.
 */
const GROWTH_FLOOR = 64 * 1024
const GROWTH_FACTOR = 8

/** Adds to `acc` the characters of the strings in `v` and what putting `on` in them would add (counted, not built). */
function measure(v: Plain, on: ReadonlyMap<string, string>, acc: { size: number; growth: number }): void {
  if (typeof v === 'string') {
    acc.size += v.length
    for (const m of v.matchAll(REFERENCE)) {
      const value = on.get(m[1] as string)
      if (value !== undefined) acc.growth += value.length - m[0].length
    }
  } else if (Array.isArray(v)) for (const x of v) measure(x, on, acc)
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) measure(x, on, acc)
}

/** Whether putting `on` into `texts` stays within what the variables may add (GROWTH_FLOOR, GROWTH_FACTOR). */
function withinGrowth(texts: Plain, on: ReadonlyMap<string, string>): boolean {
  const acc = { size: 0, growth: 0 }
  measure(texts, on, acc)
  for (const value of on.values()) acc.size += value.length
  return acc.growth <= Math.max(GROWTH_FLOOR, GROWTH_FACTOR * acc.size)
}

/** One pass over a text: a value put in is not read again, so `{{a}}` whose value is `{{b}}` stays `{{b}}`. */
function putter(on: ReadonlyMap<string, string>, onUse: () => void): (s: string) => string {
  return (s) =>
    s.replace(REFERENCE, (m, name: string) => {
      const value = on.get(name)
      if (value === undefined) return m
      onUse()
      return value
    })
}

/**
 * A request's `assert` rows with its own variables put in their values, as Bruno resolves them there too;
 * `uses` counts the values put in (for inlineRequestVars' report).
 */
export function assertsWithRequestVars(
  asserts: readonly BruPair[],
  vars: readonly BruPair[],
): { asserts: BruPair[]; uses: number } {
  let uses = 0
  const on = enabledVars(vars)
  // Past the bound the rows keep their references, which fail the run where they are checked (never pass).
  if (
    !withinGrowth(
      asserts.map((p) => p.value),
      on,
    )
  )
    return { asserts: [...asserts], uses }
  const put = putter(on, () => uses++)
  return { asserts: asserts.map((p) => ({ ...p, value: put(p.value) })), uses }
}

export function inlineRequestVars(
  req: SavedRequest,
  vars: readonly BruPair[],
  report: (line: string) => void,
  usesElsewhere = 0,
): void {
  const on = enabledVars(vars)
  if (on.size === 0) return
  const names = [...on.keys()].join(', ').slice(0, 200)
  const keys = ['url', 'headers', 'body', 'auth', 'graphql'] as const
  const texts = keys.map((key) => req[key] as Plain)
  if (!withinGrowth(texts, on)) {
    report(
      `request variables (${names}) left out: written where the request uses them they would make it many times larger than the file gave it; it keeps their {{references}}: set them as collection or environment variables`,
    )
    return
  }
  let used = usesElsewhere
  const put = putter(on, () => used++)
  for (const key of keys) {
    if (req[key] === undefined) continue
    Object.assign(req, { [key]: mapStrings(req[key] as Plain, put) })
  }
  report(
    used > 0
      ? `request variables (${names}) written into the request where it uses them (Flightdeck requests have no variables of their own)${req.scripts ? '; its scripts are kept as written' : ''}`
      : `request variables (${names}) not kept: the request does not use them outside its scripts`,
  )
}
