import type { SavedRequest } from '../../shared/collection'
import { hasEscapedBraces, unescapeTemplate } from '../../shared/template'

/**
 * A request holding literal braces (`\{{`, src/shared/template.ts: text kept from a HAR, never a variable) exported
 * to a tool without that escape: Postman, Insomnia and Bruno read every `{{name}}` as a variable. The braces are
 * written as `{{` (a backslash there would only be sent before the variable's value) and the export's report
 * names the request, so the person knows that tool will fill them in.
 */

const MAX_DEPTH = 32

/** `request` with its escapes undone; a line in `skipped` when it had any. */
export function exportLiteralBraces(
  request: SavedRequest,
  path: string,
  tool: string,
  skipped: string[],
): SavedRequest {
  let found = false
  const map = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (!hasEscapedBraces(v)) return v
      found = true
      return unescapeTemplate(v)
    }
    if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map((x) => map(x, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, {
        value: map(x, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out
  }
  const next = map(request, 0) as SavedRequest
  if (!found) return request
  skipped.push(
    `${path}: its literal "{{" (kept as text with \\{{ in Flightdeck) is written as {{, which ${tool} reads as a variable: check what ${tool} would fill in before sending it there`,
  )
  return next
}
