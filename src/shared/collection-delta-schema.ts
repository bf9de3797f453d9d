import { z } from 'zod'
import { authSchema, REQUEST_KINDS, requestScriptsSchema, variableSchema } from './collection'
import type { CollectionChangedEvent } from './collection-delta'
import { lazySchema } from './lazy-schema'
import { traceSettingSchema } from './trace-context'

/**
 * `collection.changed` as the renderer checks it before patching its tree (./collection-delta.ts): the tree's
 * shape (paths, kinds, children) strictly, since the patch is built from it; bounded in size. A change that
 * fails the check is not applied: the renderer asks for the whole collection instead.
 */

const MAX_ITEMS = 100_000
const path = lazySchema(() => z.string().max(4096))
const text = lazySchema(() => z.string().max(64 * 1024))
const variables = lazySchema(() => z.array(variableSchema).max(10_000))

const requestNode = lazySchema(() =>
  z
    .object({
      type: z.literal('request'),
      path: path.min(1),
      name: text,
      kind: z.enum(REQUEST_KINDS),
      method: z.string().max(64),
      url: text,
      trace: traceSettingSchema.optional(),
    })
    .strict(),
)

const folderShell = lazySchema(() =>
  z
    .object({
      type: z.literal('folder'),
      path,
      name: text,
      variables,
      auth: authSchema,
      trace: traceSettingSchema.optional(),
      scripts: requestScriptsSchema.optional(),
      children: z
        .array(z.union([requestNode, z.object({ type: z.literal('folder'), path: path.min(1) }).strict()]))
        .max(MAX_ITEMS),
    })
    .strict(),
)

const problem = lazySchema(() =>
  z.object({ path, line: z.number().int(), column: z.number().int(), message: text }).strict(),
)

const environment = lazySchema(() =>
  z.object({ id: text, name: text, variables, traceLink: text.optional() }).strict(),
)

const version = lazySchema(() => z.number().int().nonnegative())

export const collectionChangedSchema = lazySchema(() =>
  z
    .object({
      dir: path.min(1),
      base: version,
      version,
      info: z
        .object({
          dir: path.min(1),
          name: text,
          variables,
          auth: authSchema,
          environments: z.array(environment).max(10_000),
          problems: z.array(problem).max(MAX_ITEMS),
          requestCount: z.number().int().nonnegative(),
        })
        .strict(),
      folders: z.array(folderShell).max(MAX_ITEMS),
      changed: z.array(path).max(MAX_ITEMS),
    })
    .strict(),
)

/** The event checked, or null when it is not one the renderer can patch its tree with. */
export function checkedCollectionChange(payload: unknown): CollectionChangedEvent | null {
  const r = collectionChangedSchema.safeParse(payload)
  return r.success ? (r.data as CollectionChangedEvent) : null
}
