import { createRequire } from 'node:module'
import type { JSONPath as JSONPathFn } from 'jsonpath-plus'

/** jsonpath-plus is loaded with the first JSONPath a check or a job evaluates, not at every engine start. */
let jsonPath: typeof JSONPathFn | null = null
function loadJsonPath(): typeof JSONPathFn {
  jsonPath ??= (createRequire(import.meta.url)('jsonpath-plus') as { JSONPath: typeof JSONPathFn }).JSONPath
  return jsonPath
}

/**
 * JSONPath over a response body, with jsonpath-plus in its "safe" evaluator (filters are parsed, never run as
 * JavaScript). Returns the first match, or undefined.
 */
export function selectJson(json: unknown, path: string): unknown {
  if (json === null || (typeof json !== 'object' && !Array.isArray(json))) return undefined
  const found = loadJsonPath()({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[]
  return found[0]
}

/** A stack overflow: what walking a value nested too deeply (JSONPath's recursive descent) ends in. */
export function isTooDeep(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message)
}

/** Parse a body as JSON; undefined when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
