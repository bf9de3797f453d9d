import type { z } from 'zod'

/**
 * A zod schema built the first time it is used instead of when its module is imported. Building the ~200
 * schemas of the contract took every process ~35 ms of CPU and ~3 MB of garbage at start-up (zod's
 * constructors are not cheap), and a command uses a handful: `flightdeck send` validates one payload. The
 * value stands in for the schema everywhere (its type is the schema's; methods, `instanceof`, `.shape`, being
 * nested in another schema), and parses exactly as the schema does, with the same messages.
 *
 * Methods are handed out bound to the built schema, so a parse runs on zod's own object with no indirection;
 * only a lazy schema nested in another costs one property look-up through here per use.
 */
export function lazySchema<T extends z.ZodType>(build: () => T): T {
  let built: T | null = null
  const bound = new Map<PropertyKey, unknown>()
  const real = (): T => (built ??= build())
  const handler: ProxyHandler<object> = {
    get(_target, key) {
      const schema = real()
      const value: unknown = Reflect.get(schema, key, schema)
      if (typeof value !== 'function') return value
      let method = bound.get(key)
      if (method === undefined || (method as { raw?: unknown }).raw !== value) {
        method = Object.assign((value as (...a: unknown[]) => unknown).bind(schema), { raw: value })
        bound.set(key, method)
      }
      return method
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor(_target, key) {
      const d = Reflect.getOwnPropertyDescriptor(real(), key)
      // The stand-in's own target has none of the schema's properties: each is reported configurable, as the
      // proxy rules require of a property the target lacks.
      return d === undefined ? undefined : { ...d, configurable: true }
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    defineProperty: (_target, key, d) => Reflect.defineProperty(real(), key, d),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
  }
  return new Proxy({}, handler) as T
}
