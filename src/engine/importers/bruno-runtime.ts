import type { Assertion, Extraction } from '../../shared/run-spec'
import type { BruPair } from './bru-lang'
import { varName } from './plan'

/**
 * Bruno's runtime lines, the same in .bru files and OpenCollection YAML: post-response variables and
 * assertions written against `res.body…` / `res.headers…`, mapped to Flightdeck's extractions and assertions.
 */

/** `res.body.a.b` / `res.body.items[0].id` -> `$.a.b`; `res.headers['x-id']` / `res.headers.x` -> a header. */
export function responsePath(expr: string): { json: string } | { header: string } | null {
  const e = expr.trim()
  const body = /^res\.body((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[['"][^'"]+['"]\])*)$/.exec(e)
  if (body) return { json: `$${body[1] ?? ''}` }
  const header = /^res\.headers(?:\.([\w-]+)|\[['"]([^'"]+)['"]\])$/.exec(e)
  if (header) return { header: header[1] ?? header[2] ?? '' }
  return null
}

/** Post-response variables (`token: res.body.token`) as extractions; others are reported. */
export function extractionsOf(list: readonly BruPair[], u: string[], where: string): Extraction[] {
  const out: Extraction[] = []
  for (const p of list) {
    if (!p.enabled) continue
    const name = varName(p.name)
    const path = responsePath(p.value)
    if (!name || !path) {
      u.push(
        `${where}: post-response variable "${p.name}: ${p.value.slice(0, 60)}" not mapped (only res.body… and res.headers…)`,
      )
      continue
    }
    out.push(
      'json' in path
        ? { name, from: 'json', path: path.json }
        : { name, from: 'header', header: path.header },
    )
  }
  return out
}

function scalar(v: string): string | number | boolean | null {
  const t = v.trim()
  if (t === 'true' || t === 'false') return t === 'true'
  if (t === 'null') return null
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  return t.replace(/^(['"])(.*)\1$/, '$2')
}

/** `res.status: eq 200`, `res.body.x: eq 1`, `...: isDefined` as assertions; others are reported. */
export function assertionsOf(list: readonly BruPair[], u: string[], where: string): Assertion[] {
  const out: Assertion[] = []
  for (const p of list) {
    if (!p.enabled) continue
    const [op, ...rest] = p.value.trim().split(/\s+/)
    const arg = rest.join(' ')
    if (p.name === 'res.status' && op === 'eq' && /^\d{3}$/.test(arg)) {
      out.push({ kind: 'status', equals: Number(arg) })
      continue
    }
    const path = responsePath(p.name)
    if (path && 'json' in path && (op === 'eq' || op === 'isDefined')) {
      out.push(
        op === 'eq'
          ? { kind: 'json', path: path.json, equals: scalar(arg) }
          : { kind: 'json', path: path.json, exists: true },
      )
      continue
    }
    if (path && 'header' in path && (op === 'eq' || op === 'isDefined')) {
      out.push(
        op === 'eq'
          ? { kind: 'header', name: path.header, equals: arg }
          : { kind: 'header', name: path.header, exists: true },
      )
      continue
    }
    u.push(`${where}: assertion "${p.name}: ${p.value.slice(0, 60)}" not mapped; kept in the scripts block`)
  }
  return out
}
