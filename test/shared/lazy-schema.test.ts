import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { lazySchema } from '../../src/shared/lazy-schema'
import { SAVED_REQUEST_KEYS, savedRequestSchema } from '../../src/shared/collection'
import { commandSchemas } from '../../src/shared/contract'

/**
 * Schemas are built on first use (src/shared/lazy-schema.ts) so that a process does not build the whole
 * contract at start-up. A lazy schema must stand in for the schema everywhere: same verdicts, same messages.
 */

function userSchema() {
  return z
    .object({
      name: z.string().min(1, 'a name is needed').max(8),
      age: z.number().int().min(0),
      tags: z.array(z.string()).max(2).optional(),
    })
    .strict()
}

describe('a lazily built schema', () => {
  it('is not built until it is used, then once', () => {
    let builds = 0
    const lazy = lazySchema(() => {
      builds++
      return userSchema()
    })
    expect(builds).toBe(0)
    lazy.safeParse({ name: 'a', age: 1 })
    lazy.parse({ name: 'b', age: 2 })
    expect(builds).toBe(1)
  })

  it('accepts and refuses what the schema does, with the same messages and paths', () => {
    const eager = userSchema()
    const lazy = lazySchema(userSchema)
    const inputs: unknown[] = [
      { name: 'ann', age: 3 },
      { name: '', age: 3 },
      { name: 'a very long name', age: -1 },
      { name: 'x', age: 1.5, tags: ['a', 'b', 'c'] },
      { name: 'x', age: 1, extra: true },
      'not an object',
      null,
    ]
    for (const input of inputs) {
      const a = eager.safeParse(input)
      const b = lazy.safeParse(input)
      expect(b.success).toBe(a.success)
      expect(b.error?.issues).toEqual(a.error?.issues)
      expect(b.data).toEqual(a.data)
    }
    expect(() => lazy.parse({ name: '', age: 0 })).toThrow('a name is needed')
  })

  it('works nested in other schemas, refined, extended and as its own methods build them', () => {
    const lazy = lazySchema(userSchema)
    const list = z.object({ users: z.array(lazy).max(3) })
    expect(list.safeParse({ users: [{ name: 'a', age: 1 }] }).success).toBe(true)
    const bad = list.safeParse({ users: [{ name: 'a', age: 'one' }] })
    expect(bad.error?.issues[0]?.path).toEqual(['users', 0, 'age'])
    expect(lazy.optional().safeParse(undefined).success).toBe(true)
    expect(lazy.extend({ admin: z.boolean() }).safeParse({ name: 'a', age: 1, admin: true }).success).toBe(
      true,
    )
    expect(Object.keys(lazy.shape)).toEqual(['name', 'age', 'tags'])
    expect(lazy).toBeInstanceOf(z.ZodObject)
    const described = lazy.describe('a user')
    expect(described.description).toBe('a user')
    const union = z.discriminatedUnion('kind', [
      lazySchema(() => z.object({ kind: z.literal('a'), a: z.string() })),
      lazySchema(() => z.object({ kind: z.literal('b'), b: z.number() })),
    ])
    expect(union.safeParse({ kind: 'b', b: 1 }).success).toBe(true)
    expect(union.safeParse({ kind: 'c' }).success).toBe(false)
  })

  it('the contract refuses a bad payload with the message it always gave', () => {
    const r = commandSchemas['session.cancel'].safeParse({ sid: '' })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toBe('Too small: expected string to have >=1 characters')
    expect(commandSchemas['http.send'].safeParse({ request: { url: 42 } }).success).toBe(false)
  })

  it("the request file's keys, written out for start-up, are the schema's, in its order", () => {
    expect(SAVED_REQUEST_KEYS).toEqual(Object.keys(savedRequestSchema.shape))
  })
})
