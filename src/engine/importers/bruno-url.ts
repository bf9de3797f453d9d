/**
 * A Bruno request's path parameters (`/users/:id` with `id` in `params:path`, or a `type: path` param in the
 * YAML format) put into its URL as Bruno sends them: a `:name` segment whose parameter has a value gets the
 * value; one whose parameter is empty (or only spaces), switched off or missing is sent as written (`:name`),
 * as Bruno does since its path-parameter check of June 2026, and the report says so.
 */

export interface PathParam {
  name: string
  value: string
  enabled: boolean
}

function escaped(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function withPathParams(
  url: string,
  params: readonly PathParam[],
  report: (line: string) => void,
): string {
  const end = url.search(/[?#]/)
  let path = end === -1 ? url : url.slice(0, end)
  const rest = end === -1 ? '' : url.slice(end)
  for (const p of params) {
    const segment = new RegExp(`/:${escaped(p.name)}(?=/|$)`, 'g')
    if (!segment.test(path)) continue
    if (!p.enabled || p.value.trim() === '') {
      report(`path parameter :${p.name} has no value; sent as written (:${p.name}), as Bruno sends it`)
      continue
    }
    // A function, not a string: a `$&` in a value is text, not a replacement pattern.
    path = path.replace(segment, () => `/${p.value}`)
  }
  return path + rest
}
