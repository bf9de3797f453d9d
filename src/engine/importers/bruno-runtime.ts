import type { Extraction } from '../../shared/run-spec'
import type { BruPair } from './bru-lang'
import { varName } from './plan'

/**
 * Bruno's runtime lines, the same in .bru files and OpenCollection YAML: post-response variables written
 * against `res.body…` / `res.headers…`, mapped to Flightdeck's extractions (assertions: bruno-assert.ts).
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
