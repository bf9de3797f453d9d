import type { KeyValue } from '../../shared/request'

/**
 * An OpenAPI 3 parameter's example written as the spec says it goes on the wire (its `style` and `explode`),
 * not as JSON text: a query array `[a, b]` is `ids=a&ids=b` (form, exploded: the default), `ids=a,b`
 * (explode: false), `a b` or `a|b` (space/pipe delimited); an object is one parameter per property (form,
 * exploded), `k,v,k,v`, or `name[k]=v` (deepObject); in a path or a header (simple) an array is `a,b`.
 * A parameter described by `content` (a media type) is that media type's text: JSON for JSON.
 */

type Location = 'query' | 'path' | 'header'

/** A Swagger 2.0 array's `collectionFormat` separator (space, tab or pipe), carried over by swagger2.ts. */
export const SEPARATOR_FIELD = 'x-flightdeck-separator'

function separatorOf(p: Record<string, unknown>): string | undefined {
  const s = p[SEPARATOR_FIELD]
  return typeof s === 'string' ? s : undefined
}

function text(v: unknown): string {
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function styleOf(p: Record<string, unknown>, where: Location): string {
  const s = p['style']
  if (typeof s === 'string' && s !== '') return s
  return where === 'query' ? 'form' : 'simple'
}

function explodeOf(p: Record<string, unknown>, style: string): boolean {
  const e = p['explode']
  return typeof e === 'boolean' ? e : style === 'form'
}

/** The query rows for one parameter's example (several for an exploded array or object). */
export function queryRows(p: Record<string, unknown>, name: string, value: unknown): KeyValue[] {
  const row = (n: string, v: string): KeyValue => ({ name: n, value: v, enabled: true })
  if (p['content'] !== undefined) return [row(name, text(value))]
  const style = styleOf(p, 'query')
  const explode = explodeOf(p, style)
  if (Array.isArray(value)) {
    if (explode) return value.map((v) => row(name, text(v)))
    const sep = separatorOf(p) ?? (style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',')
    return [row(name, value.map(text).join(sep))]
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
    if (style === 'deepObject') return entries.map(([k, v]) => row(`${name}[${k}]`, text(v)))
    if (explode) return entries.map(([k, v]) => row(k, text(v)))
    return [row(name, entries.flatMap(([k, v]) => [k, text(v)]).join(','))]
  }
  return [row(name, text(value))]
}

/** A path or header parameter's example as text (simple style; label and matrix for paths). */
export function simpleText(
  p: Record<string, unknown>,
  name: string,
  where: 'path' | 'header',
  value: unknown,
): string {
  if (p['content'] !== undefined) return text(value)
  const style = styleOf(p, where)
  const explode = explodeOf(p, style)
  let items: string[]
  if (Array.isArray(value)) items = value.map(text)
  else if (isPlainObject(value))
    items = Object.entries(value).flatMap(([k, v]) => (explode ? [`${k}=${text(v)}`] : [k, text(v)]))
  else items = [text(value)]
  if (where === 'path' && style === 'label') return `.${items.join(explode ? '.' : ',')}`
  if (where === 'path' && style === 'matrix') {
    if (Array.isArray(value) && explode) return items.map((i) => `;${name}=${i}`).join('')
    if (isPlainObject(value) && explode) return items.map((i) => `;${i}`).join('')
    return `;${name}=${items.join(',')}`
  }
  return items.join((Array.isArray(value) ? separatorOf(p) : undefined) ?? ',')
}
