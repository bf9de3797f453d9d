import { isObj, str } from './plan'

/**
 * A `oneOf`/`anyOf` body with a `discriminator` is told apart by one property: an example built from its first
 * variant must carry that variant's tag (the mapping's key for it, else its schema's name, as the spec says),
 * or the server reads it as no variant at all (`"petType": "string"`).
 */

type Obj = Record<string, unknown>

/**
 * Each schema object under `components.schemas` by its name, once the document is dereferenced (every
 * reference to a schema is that very object). Keyed by object, so imports running side by side do not meet.
 */
const schemaNames = new WeakMap<object, string>()

export function nameSchemas(api: Obj): void {
  const components = isObj(api['components']) ? api['components'] : {}
  const schemas = isObj(components['schemas']) ? components['schemas'] : {}
  for (const [name, schema] of Object.entries(schemas)) if (isObj(schema)) schemaNames.set(schema, name)
}

/** The name a mapping value gives: `#/components/schemas/Card` or `Card`. */
function mappedName(value: string): string {
  const last = value.split('/').pop() ?? value
  return last.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** `sample` (made from `variant`, one of `schema`'s) with the discriminator's property set to the variant's tag. */
export function tagged(schema: Obj, variant: unknown, sample: unknown): unknown {
  const d = schema['discriminator']
  if (!isObj(d) || !isObj(sample) || !isObj(variant)) return sample
  const property = str(d['propertyName'])
  const name = schemaNames.get(variant)
  if (property === '' || name === undefined) return sample
  const mapping = isObj(d['mapping']) ? d['mapping'] : {}
  const key = Object.keys(mapping).find((k) => mappedName(str(mapping[k])) === name)
  return { ...sample, [property]: key ?? name }
}
