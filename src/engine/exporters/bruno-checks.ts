import type { Assertion, Extraction } from '../../shared/run-spec'
import { pair } from './bruno-bru-syntax'

/**
 * Extractions as Bruno's `vars:post-response` lines and simple assertions as its `assert` lines; what Bruno's
 * expressions cannot say is listed in `skipped`.
 */

/** `$.a.b[0]` -> `res.body.a.b[0]`; null for JSONPath Bruno's expressions cannot say (filters, wildcards). */
function resBody(path: string): string | null {
  if (!/^\$((\.[A-Za-z_$][\w$]*)|(\[\d+\])|(\[['"][^'"]+['"]\]))*$/.test(path)) return null
  return `res.body${path.slice(1)}`
}

export function extractLines(list: readonly Extraction[], where: string, skipped: string[]): string[] {
  const out: string[] = []
  for (const x of list) {
    const expr =
      x.from === 'json'
        ? resBody(x.path)
        : x.from === 'header'
          ? `res.headers['${x.header.toLowerCase()}']`
          : null
    if (expr === null) skipped.push(`${where}: extraction "${x.name}" not exported (Bruno cannot say it)`)
    else out.push(pair(x.name, expr))
  }
  return out
}

export function assertLines(list: readonly Assertion[], where: string, skipped: string[]): string[] {
  const out: string[] = []
  for (const a of list) {
    if (a.kind === 'status' && a.equals !== undefined) out.push(pair('res.status', `eq ${a.equals}`))
    else if (a.kind === 'json' && resBody(a.path) !== null && (a.equals !== undefined || a.exists === true))
      out.push(
        pair(
          resBody(a.path) ?? '',
          a.equals !== undefined
            ? `eq ${typeof a.equals === 'string' ? JSON.stringify(a.equals) : String(a.equals)}`
            : 'isDefined',
        ),
      )
    else if (a.kind === 'header' && (a.equals !== undefined || a.exists === true))
      out.push(
        pair(
          `res.headers['${a.name.toLowerCase()}']`,
          a.equals !== undefined ? `eq ${a.equals}` : 'isDefined',
        ),
      )
    else skipped.push(`${where}: a ${a.kind} assertion not exported (Bruno's assert cannot say it)`)
  }
  return out
}
