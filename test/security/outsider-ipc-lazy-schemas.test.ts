import { describe, expect, it } from 'vitest'
import { commandSchemas } from '../../src/shared/contract'

/**
 * The contract's schemas are built on first use (lazy-schema.ts). Each IPC command's schema, built now, must
 * still refuse what a compromised renderer could send (nothing, wrong types, a prototype key, a huge string in a
 * number's place) without throwing, and accept nothing of the wrong shape.
 */
const junk: unknown[] = [
  undefined,
  null,
  42,
  'text',
  [],
  [{}],
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
]

describe('every IPC command schema, lazily built, still validates', () => {
  const names = Object.keys(commandSchemas) as (keyof typeof commandSchemas)[]
  it('has the commands', () => {
    expect(names.length).toBeGreaterThan(50)
  })
  for (const name of names) {
    it(`${name}: junk is refused or parsed to its own shape, never throws, never pollutes`, () => {
      const schema = commandSchemas[name]
      for (const j of junk) {
        const r = schema.safeParse(j)
        if (r.success) {
          // A schema that takes anything (no payload) is fine; it must not hand back a polluted object.
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        } else {
          expect(r.error.issues.length).toBeGreaterThan(0)
          expect(typeof r.error.issues[0]?.message).toBe('string')
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  }
})
