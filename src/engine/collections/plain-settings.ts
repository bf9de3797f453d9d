import type { Variable } from '../../shared/collection'

/**
 * The check of a collection's, folder's or environment's variables for the common file (names and text values),
 * without zod. Every run opens collection.yaml (and each folder.yaml, environment): zod's first parse of its
 * schemas built them and compiled their checks, a one-request run's largest cost in reading its collection.
 *
 * The contract, as ./plain-request.ts keeps it: `plainVariables(list)` returns exactly what the variables schema
 * (`variableSchema.array().max(10_000)`) would, fresh objects in its key order, or null whenever zod must decide
 * (every error is zod's, worded as before). test/engine/plain-settings.test.ts checks both sides of each limit.
 */

const MAX_VARIABLES = 10_000
const MAX_NAME = 256
const MAX_VALUE = 1024 * 1024
/** variableSchema's name rule. */
const NAME = /^[A-Za-z_][\w.-]*$/

export function plainVariables(list: unknown): Variable[] | null {
  if (!Array.isArray(list) || list.length > MAX_VARIABLES) return null
  const out: Variable[] = []
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i]
    if (typeof v !== 'object' || v === null) return null
    const proto: unknown = Object.getPrototypeOf(v)
    if (proto !== Object.prototype && proto !== null) return null
    const { name, value, secret } = v as Record<string, unknown>
    if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME || !NAME.test(name)) return null
    if (typeof value !== 'string' || value.length > MAX_VALUE) return null
    if (typeof secret !== 'boolean') return null
    out.push({ name, value, secret })
  }
  return out
}
