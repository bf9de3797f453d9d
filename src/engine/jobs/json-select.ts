import { JSONPath } from 'jsonpath-plus'

/**
 * JSONPath over a response body, with jsonpath-plus in its "safe" evaluator (filters are parsed, never run as
 * JavaScript). Returns the first match, or undefined.
 */
export function selectJson(json: unknown, path: string): unknown {
  if (json === null || (typeof json !== 'object' && !Array.isArray(json))) return undefined
  const found = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[]
  return found[0]
}

/** Parse a body as JSON; undefined when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
