import type { KeyValue } from '../../shared/request'

/**
 * The .bru file's syntax as Bruno writes it: `name: value` lines, named blocks of them, and text blocks (a body,
 * a script, docs) indented inside braces. Flightdeck's dynamic variables are written as Bruno's twins.
 */

const DYNAMIC: Record<string, string> = { $uuid: '$guid' }

/** Flightdeck's dynamic variables that Bruno names otherwise, as Bruno names them. */
function t(s: string): string {
  return s.replace(/\{\{\s*(\$[A-Za-z]+)\s*\}\}/g, (m, name: string) => {
    const twin = DYNAMIC[name]
    return twin ? `{{${twin}}}` : m
  })
}

/**
 * One `name: value` line (a value over several lines in a ''' fence, as Bruno writes it); `annotation` (a
 * multipart part's `@contentType(…)`) goes after the value, after the fence's close for a fenced one.
 */
export function pair(name: string, value: string, enabled = true, annotation = ''): string {
  const key = `${enabled ? '' : '~'}${/[:\s]/.test(name) ? JSON.stringify(name) : name}`
  const after = annotation === '' ? '' : ` ${annotation}`
  if (!value.includes('\n')) return `  ${key}: ${t(value)}${after}`
  return `  ${key}: '''\n${t(value)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n  '''${after}`
}

/** Bruno's annotation for a part's (a file body's) own Content-Type, or none. */
export function typed(contentType: string | undefined): string {
  return contentType ? `@contentType(${contentType})` : ''
}

export function block(name: string, lines: readonly string[]): string {
  return `${name} {\n${lines.join('\n')}\n}\n`
}

export function textBlock(name: string, text: string): string {
  const body = t(text)
    .split(/\r?\n/)
    .map((l) => (l === '' ? '' : `  ${l}`))
    .join('\n')
  return `${name} {\n${body}\n}\n`
}

export function kv(list: readonly KeyValue[]): string[] {
  return list.map((p) => pair(p.name, p.value, p.enabled))
}
